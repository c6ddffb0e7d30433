//! The prompt being typed: a ratatui-textarea editor plus the history of sent prompts.

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use crate::ui::theme::Theme;

/// The input box's editor and prompt history.
pub struct Prompt {
    pub editor: TextArea<'static>,
    history: Vec<String>,
    /// Index into `history` while browsing it with Up/Down.
    browsing: Option<usize>,
    /// What was typed before browsing started, restored when browsing past the newest entry.
    draft: String,
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
        if self.history.last() != Some(&text) {
            self.history.push(text.clone());
        }
        self.browsing = None;
        self.draft.clear();
        self.editor = editor_with(Vec::new(), theme);
        text
    }

    /// Passes a key to the editor.
    pub fn input(&mut self, key: KeyEvent) {
        self.editor.input(key);
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

    /// True when the cursor is on the first line (Up then browses history).
    pub fn on_first_line(&self) -> bool {
        self.editor.cursor().0 == 0
    }

    /// True when the cursor is on the last line (Down then browses history).
    pub fn on_last_line(&self) -> bool {
        self.editor.cursor().0 + 1 >= self.line_count()
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
