//! Readline (emacs) editing keys, shared by the prompt and every one-line field (picker filter,
//! session search, rename), so that Ctrl+A, Ctrl+K, Ctrl+Y... do the same thing everywhere.

use crossterm::event::KeyEvent;

pub use crate::keymap::editing::{EDITING_KEYS, EditOp, decode, markdown_table};

/// Undo steps kept per field.
const UNDO_DEPTH: usize = 100;

/// A one-line text field with a cursor, a kill buffer and undo.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineEdit {
    text: String,
    /// Byte offset of the cursor, always on a character boundary.
    cursor: usize,
    /// Boxed to keep the field small: popups that hold one sit in an enum.
    memory: Box<Memory>,
}

/// What a field remembers besides its text: the kill buffer and the undo steps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Memory {
    killed: String,
    undo: Vec<(String, usize)>,
}

impl LineEdit {
    /// A field holding `text`, cursor at the end.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            cursor: text.len(),
            text,
            ..Self::default()
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text before the cursor (its width places the terminal cursor).
    pub fn before_cursor(&self) -> &str {
        &self.text[..self.cursor]
    }

    /// True when nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Replaces the text (undoable), cursor at the end.
    pub fn set(&mut self, text: impl Into<String>) {
        self.save_undo();
        self.text = text.into();
        self.cursor = self.text.len();
    }

    /// Inserts `s` at the cursor (line breaks become spaces: the field has one line).
    pub fn insert_str(&mut self, s: &str) {
        self.save_undo();
        let s = s.replace(['\r', '\n'], " ");
        self.text.insert_str(self.cursor, &s);
        self.cursor += s.len();
    }

    /// Applies a key; `None` when it is not an editing key, else whether the text changed.
    pub fn input(&mut self, key: &KeyEvent) -> Option<bool> {
        let op = decode(key)?;
        let before = self.text.clone();
        self.apply(op);
        Some(self.text != before)
    }

    /// Applies one editing operation.
    pub fn apply(&mut self, op: EditOp) {
        match op {
            EditOp::Insert(c) => {
                self.save_undo();
                self.text.insert(self.cursor, c);
                self.cursor += c.len_utf8();
            }
            EditOp::Home => self.cursor = 0,
            EditOp::End => self.cursor = self.text.len(),
            EditOp::Back => self.cursor = self.prev_char(self.cursor),
            EditOp::Forward => self.cursor = self.next_char(self.cursor),
            EditOp::WordBack => self.cursor = self.word_start(self.cursor),
            EditOp::WordForward => self.cursor = self.word_end(self.cursor),
            EditOp::DeleteBack => self.remove(self.prev_char(self.cursor), self.cursor, false),
            EditOp::DeleteForward => self.remove(self.cursor, self.next_char(self.cursor), false),
            EditOp::KillToEnd => self.remove(self.cursor, self.text.len(), true),
            EditOp::KillToStart => self.remove(0, self.cursor, true),
            EditOp::KillWordBack => self.remove(self.word_start(self.cursor), self.cursor, true),
            EditOp::KillWordForward => self.remove(self.cursor, self.word_end(self.cursor), true),
            EditOp::Yank => {
                if !self.memory.killed.is_empty() {
                    let k = self.memory.killed.clone();
                    self.insert_str(&k);
                }
            }
            EditOp::Undo => {
                if let Some((text, cursor)) = self.memory.undo.pop() {
                    self.text = text;
                    self.cursor = cursor;
                }
            }
        }
    }

    fn save_undo(&mut self) {
        let undo = &mut self.memory.undo;
        if undo.len() == UNDO_DEPTH {
            undo.remove(0);
        }
        undo.push((self.text.clone(), self.cursor));
    }

    fn remove(&mut self, from: usize, to: usize, kill: bool) {
        if from >= to {
            return;
        }
        self.save_undo();
        let gone: String = self.text.drain(from..to).collect();
        if kill {
            self.memory.killed = gone;
        }
        self.cursor = from;
    }

    fn prev_char(&self, at: usize) -> usize {
        self.text[..at].char_indices().last().map_or(0, |(i, _)| i)
    }

    fn next_char(&self, at: usize) -> usize {
        self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8())
    }

    /// Start of the word before `at`: skips spaces, then word characters.
    fn word_start(&self, at: usize) -> usize {
        let mut i = at;
        let mut seen_word = false;
        for (pos, c) in self.text[..at].char_indices().rev() {
            let word = c.is_alphanumeric();
            if seen_word && !word {
                break;
            }
            seen_word |= word;
            i = pos;
        }
        i
    }

    fn word_end(&self, at: usize) -> usize {
        word_end(&self.text, at)
    }
}

/// Byte offset of the end of the word at or after byte `at` of `text` (readline's Alt+F).
pub fn word_end(text: &str, at: usize) -> usize {
    let mut seen_word = false;
    for (off, c) in text[at..].char_indices() {
        let word = c.is_alphanumeric();
        if seen_word && !word {
            return at + off;
        }
        seen_word |= word;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyModifiers};

    use super::*;

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn alt(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)
    }

    fn typed(s: &str) -> LineEdit {
        let mut e = LineEdit::default();
        for c in s.chars() {
            e.input(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        e
    }

    #[test]
    fn moves_and_kills_like_readline() {
        let mut e = typed("deepseek chat 模型");
        e.input(&ctrl('a'));
        e.input(&ctrl('k'));
        assert_eq!(e.text(), "");
        e.input(&ctrl('y'));
        assert_eq!(e.text(), "deepseek chat 模型");
        e.input(&alt('b'));
        assert_eq!(e.before_cursor(), "deepseek chat ");
        e.input(&ctrl('u'));
        assert_eq!(e.text(), "模型");
        e.input(&ctrl('e'));
        e.input(&ctrl('b'));
        e.input(&KeyEvent::new(KeyCode::Char('大'), KeyModifiers::NONE));
        assert_eq!(e.text(), "模大型");
        e.input(&ctrl('w'));
        assert_eq!(e.text(), "型");
        e.input(&ctrl('_'));
        assert_eq!(e.text(), "模大型");
        e.input(&ctrl('f'));
        assert_eq!(e.before_cursor(), "模大型");
        e.input(&alt('b'));
        e.input(&alt('f'));
        assert_eq!(e.before_cursor(), "模大型");
    }

    #[test]
    fn non_editing_keys_are_left_to_the_caller() {
        let mut e = typed("x");
        assert_eq!(
            e.input(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            None
        );
        assert_eq!(e.input(&ctrl('p')), None);
        assert_eq!(e.input(&ctrl('a')), Some(false));
        assert_eq!(e.input(&ctrl('d')), Some(true));
    }

    #[test]
    fn the_readme_table_lists_every_editing_key() {
        let t = markdown_table();
        assert_eq!(t.lines().count(), EDITING_KEYS.len() + 2);
        assert!(t.contains("| `Ctrl+X Ctrl+E`, `Alt+E` |"), "{t}");
    }
}
