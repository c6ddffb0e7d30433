//! The prompt being typed: a ratatui-textarea editor plus the history of sent prompts.

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use super::line_edit::{EditOp, decode};
use crate::view::theme::Theme;

pub use crate::store::history_file::HISTORY_MAX;

/// The input box's editor and prompt history.
pub struct Prompt {
    pub editor: TextArea<'static>,
    history: Vec<String>,
    /// Index into `history` while browsing it with Up/Down.
    browsing: Option<usize>,
    /// What was typed before browsing started, restored when browsing past the newest entry.
    draft: String,
    /// Bumped when an entry joins the history: the edge writes the history file when it moves.
    history_rev: u64,
    /// The last `visual_lines` answer with the width and text it was for: the layout asks for
    /// it several times per update, and wrapping a 5,000-character prompt each time made long
    /// typed input crawl.
    wrapped: std::cell::RefCell<Option<(u16, Vec<String>, usize)>>,
}

impl Prompt {
    /// An empty prompt styled with `theme`.
    pub fn new(theme: &Theme) -> Self {
        Self {
            editor: editor_with(Vec::new(), theme),
            history: Vec::new(),
            browsing: None,
            draft: String::new(),
            history_rev: 0,
            wrapped: std::cell::RefCell::new(None),
        }
    }

    /// The text as typed, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.editor.lines().join("\n")
    }

    /// True when nothing (not even whitespace) is typed.
    pub fn is_empty(&self) -> bool {
        self.editor.is_empty()
    }

    /// Number of text lines.
    pub fn line_count(&self) -> usize {
        self.editor.lines().len()
    }

    /// Number of screen lines at `width` columns, as the editor soft-wraps them, plus one when the
    /// text ends exactly at the right edge (the cursor after it then sits on the next line).
    pub fn visual_lines(&self, width: u16) -> usize {
        if width == 0 {
            return self.line_count();
        }
        if let Some((w, lines, n)) = &*self.wrapped.borrow()
            && *w == width
            && lines.as_slice() == self.editor.lines()
        {
            return *n;
        }
        // Word wrapping puts fewer columns on a line than `width`; only the widget knows how
        // many, so a copy of the text is wrapped by it, with the cursor at the end.
        let mut probe = TextArea::new(self.editor.lines().to_vec());
        probe.set_wrap_mode(self.editor.wrap_mode());
        probe.set_tab_length(self.editor.tab_length());
        probe.move_cursor(CursorMove::Bottom);
        probe.move_cursor(CursorMove::End);
        let area = Rect::new(0, 0, width, 1);
        (&probe).render(area, &mut Buffer::empty(area));
        let end = probe.screen_cursor();
        let n = end.row + 1 + usize::from(end.col >= usize::from(width));
        *self.wrapped.borrow_mut() = Some((width, self.editor.lines().to_vec(), n));
        n
    }

    /// Replaces the text, cursor at the end.
    pub fn set_text(&mut self, text: &str, theme: &Theme) {
        let lines = text.split('\n').map(str::to_string).collect();
        self.editor = editor_with(lines, theme);
        self.editor.move_cursor(CursorMove::Bottom);
        self.editor.move_cursor(CursorMove::End);
    }

    /// Clears the box and remembers the text in the history.
    pub fn take(&mut self, theme: &Theme) -> String {
        let text = self.text();
        self.remember(&text);
        self.browsing = None;
        self.draft.clear();
        self.editor = editor_with(Vec::new(), theme);
        text
    }

    /// Adds `text` as the newest history entry (not twice in a row), keeping at most
    /// `HISTORY_MAX`.
    pub fn remember(&mut self, text: &str) {
        if text.trim().is_empty() || self.history.last().is_some_and(|l| l == text) {
            return;
        }
        self.history.push(text.to_string());
        self.history_rev += 1;
        if self.history.len() > HISTORY_MAX {
            let extra = self.history.len() - HISTORY_MAX;
            self.history.drain(..extra);
        }
    }

    /// Replaces the history (oldest first), as loaded from the history file.
    pub fn set_history(&mut self, mut entries: Vec<String>) {
        if entries.len() > HISTORY_MAX {
            entries.drain(..entries.len() - HISTORY_MAX);
        }
        self.history = entries;
        self.browsing = None;
    }

    /// Changes whenever an entry is added (not when the history is loaded).
    pub fn history_rev(&self) -> u64 {
        self.history_rev
    }

    /// The sent prompts, oldest first.
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Passes a key to the editor: readline keys as `line_edit` decodes them, the rest (arrows,
    /// Tab) as the editor handles them; other Ctrl/Alt keys do nothing (the editor's own
    /// meanings for them, such as Ctrl+V scrolling, are not readline's).
    pub fn input(&mut self, key: KeyEvent) {
        let e = &mut self.editor;
        match decode(&key) {
            Some(EditOp::Insert(c)) => e.insert_char(c),
            Some(EditOp::Home) => e.move_cursor(CursorMove::Head),
            Some(EditOp::End) => e.move_cursor(CursorMove::End),
            Some(EditOp::Back) => e.move_cursor(CursorMove::Back),
            Some(EditOp::Forward) => e.move_cursor(CursorMove::Forward),
            Some(EditOp::WordBack) => e.move_cursor(CursorMove::WordBack),
            Some(EditOp::WordForward) => {
                // Readline's Alt+F stops at the end of the word (the editor's, at the next start).
                let ratatui_textarea::DataCursor(row, col) = e.cursor();
                let line = &e.lines()[row];
                let at = line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
                let end = line[..super::line_edit::word_end(line, at)].chars().count();
                if end > col {
                    let to = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
                    e.move_cursor(CursorMove::Jump(to(row), to(end)));
                } else {
                    e.move_cursor(CursorMove::Forward);
                }
            }
            Some(EditOp::DeleteBack) => _ = e.delete_char(),
            Some(EditOp::DeleteForward) => _ = e.delete_next_char(),
            Some(EditOp::KillToEnd) => _ = e.delete_line_by_end(),
            Some(EditOp::KillToStart) => _ = e.delete_line_by_head(),
            Some(EditOp::KillWordBack) => _ = e.delete_word(),
            Some(EditOp::KillWordForward) => _ = e.delete_next_word(),
            Some(EditOp::Yank) => _ = e.paste(),
            Some(EditOp::Undo) => _ = e.undo(),
            None => {
                let m = key.modifiers - crossterm::event::KeyModifiers::SHIFT;
                let chord = matches!(key.code, crossterm::event::KeyCode::Char(_)) && !m.is_empty();
                if !chord {
                    e.input(key);
                }
            }
        }
    }

    /// Inserts pasted text as-is (newlines included), never sending it.
    pub fn paste(&mut self, text: &str) {
        // Terminals send CR for line breaks in bracketed paste.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        self.editor.insert_str(text);
    }

    /// Inserts a line break at the cursor.
    pub fn newline(&mut self) {
        self.editor.insert_newline();
    }

    /// True when the cursor is on the first screen row at `width` columns (Up then browses
    /// history rather than moving up within a soft-wrapped line).
    pub fn on_first_row(&self, width: u16) -> bool {
        self.cursor_row(width).0 == 0
    }

    /// True when the cursor is on the last screen row at `width` columns (Down then browses).
    pub fn on_last_row(&self, width: u16) -> bool {
        let (row, rows) = self.cursor_row(width);
        row + 1 >= rows
    }

    /// Moves the cursor one screen row up or down (`m` is `Up` or `Down`) as the text wraps at
    /// `width`, whether or not the editor has been drawn at that width yet.
    pub fn move_row(&mut self, width: u16, m: CursorMove) -> bool {
        let mut probe = self.probe(width);
        probe.move_cursor(m);
        let ratatui_textarea::DataCursor(row, col) = probe.cursor();
        let to = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        self.editor.move_cursor(CursorMove::Jump(to(row), to(col)));
        true
    }

    /// A copy of the editor drawn at `width`: the editor learns how its text wraps only when
    /// drawn, and `update` must not wait for a frame.
    fn probe(&self, width: u16) -> TextArea<'static> {
        let probe = self.editor.clone();
        let area = Rect::new(0, 0, width.max(1), 1);
        (&probe).render(area, &mut Buffer::empty(area));
        probe
    }

    /// The cursor's screen row and the number of rows, as the editor wraps the text at `width`.
    fn cursor_row(&self, width: u16) -> (usize, usize) {
        if width == 0 {
            return (self.editor.cursor().0, self.line_count());
        }
        let mut probe = self.probe(width);
        let row = probe.screen_cursor().row;
        probe.move_cursor(CursorMove::Bottom);
        probe.move_cursor(CursorMove::End);
        (row, probe.screen_cursor().row + 1)
    }

    /// Shows the previous sent prompt; false when there is none.
    pub fn history_prev(&mut self, theme: &Theme) -> bool {
        let idx = match self.browsing {
            None if self.history.is_empty() => return false,
            None => {
                self.draft = self.text();
                self.history.len() - 1
            }
            Some(0) => return false,
            Some(i) => i - 1,
        };
        self.browsing = Some(idx);
        let text = self.history[idx].clone();
        self.set_text(&text, theme);
        true
    }

    /// Shows the next sent prompt, or the draft after the newest; false when not browsing.
    pub fn history_next(&mut self, theme: &Theme) -> bool {
        let Some(i) = self.browsing else { return false };
        if i + 1 < self.history.len() {
            self.browsing = Some(i + 1);
            let text = self.history[i + 1].clone();
            self.set_text(&text, theme);
        } else {
            self.browsing = None;
            let draft = std::mem::take(&mut self.draft);
            self.set_text(&draft, theme);
        }
        true
    }

    /// True while Up/Down walk the history.
    pub fn is_browsing(&self) -> bool {
        self.browsing.is_some()
    }
}

fn editor_with(lines: Vec<String>, theme: &Theme) -> TextArea<'static> {
    let mut editor = TextArea::new(lines);
    editor.set_wrap_mode(WrapMode::WordOrGlyph);
    editor.set_cursor_line_style(ratatui::style::Style::default());
    editor.set_placeholder_text("Type a message · Enter sends · Ctrl+J newline · F1 help");
    editor.set_placeholder_style(theme.placeholder);
    editor
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn typed(p: &mut Prompt, s: &str) {
        for c in s.chars() {
            p.input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn history_walks_back_and_restores_the_draft() {
        let t = Theme::default();
        let mut p = Prompt::new(&t);
        typed(&mut p, "one");
        p.take(&t);
        typed(&mut p, "two");
        p.take(&t);
        typed(&mut p, "draft");
        assert!(p.history_prev(&t));
        assert_eq!(p.text(), "two");
        assert!(p.history_prev(&t));
        assert_eq!(p.text(), "one");
        assert!(!p.history_prev(&t));
        assert!(p.history_next(&t));
        assert!(p.history_next(&t));
        assert_eq!(p.text(), "draft");
        assert!(!p.is_browsing());
    }

    #[test]
    fn paste_keeps_newlines_and_normalises_cr() {
        let t = Theme::default();
        let mut p = Prompt::new(&t);
        p.paste("第一行\r\n第二行\rthird");
        assert_eq!(p.text(), "第一行\n第二行\nthird");
        assert_eq!(p.line_count(), 3);
    }

    #[test]
    fn visual_lines_counts_wide_characters() {
        let t = Theme::default();
        let mut p = Prompt::new(&t);
        p.paste("你好你好你好"); // 12 columns
        assert_eq!(p.visual_lines(10), 2);
        assert_eq!(p.visual_lines(13), 1);
        // A wide char never straddles lines: 5 + 1 chars at 11 columns.
        assert_eq!(p.visual_lines(11), 2);
    }

    #[test]
    fn a_line_filled_exactly_leaves_a_line_for_the_cursor() {
        let t = Theme::default();
        let mut p = Prompt::new(&t);
        p.paste("你好你好你好");
        assert_eq!(p.visual_lines(12), 2);
        assert_eq!(p.visual_lines(6), 3);
    }

    #[test]
    fn visual_lines_follow_word_wrapping() {
        let t = Theme::default();
        let mut p = Prompt::new(&t);
        // 5 words of 9 columns: 44 columns, but only two words fit a line of 20.
        p.paste("abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi");
        assert_eq!(p.visual_lines(20), 3);
        p.newline();
        assert_eq!(p.visual_lines(20), 4);
    }
}
