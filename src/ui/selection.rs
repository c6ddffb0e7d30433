//! The mark of the message selected in the focused conversation pane: a bar down its left edge
//! and the copy keys on its first line.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::copy::selected_index;
use crate::app::{App, Focus};
use crate::text::display_width;

const BAR: &str = "┃";
const KEYS: &str = " y copy · Y code ";

/// Marks the selected message in `area` (the conversation pane, scrolled to `top`).
pub fn render(app: &App, area: Rect, top: usize, buf: &mut Buffer) {
    if app.focus != Focus::Conversation {
        return;
    }
    let Some(index) = selected_index(app) else {
        return;
    };
    let layout = app.layout();
    let Some(start) = layout.start_of(index) else {
        return;
    };
    // The message's last line is the blank one that separates it from the next.
    let end = layout
        .start_of(index + 1)
        .map_or(start + 1, |e| e.saturating_sub(1).max(start + 1));
    let height = usize::from(area.height);
    for line in start.max(top)..end.min(top + height) {
        let y = area.y + (line - top) as u16;
        buf[(area.x, y)]
            .set_symbol(BAR)
            .set_style(app.theme.border_focused);
    }
    if (top..top + height).contains(&start) {
        let header = layout.visible(start, 1);
        let used = header.first().map_or(0, |l| l.width());
        // Right of the header, left of the scrollbar, when there is room.
        let room = usize::from(area.width).saturating_sub(used + 2);
        if room >= display_width(KEYS) {
            let x = area.right() - 1 - display_width(KEYS) as u16;
            let y = area.y + (start - top) as u16;
            buf.set_string(x, y, KEYS, app.theme.key_hint);
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::app::test_harness::Harness;

    fn column0(h: &Harness) -> (String, Vec<String>) {
        let mut term = Terminal::new(TestBackend::new(60, 16)).unwrap();
        term.draw(|f| crate::ui::render(&h.app, f)).unwrap();
        let buf = term.backend().buffer().clone();
        let col: String = (0..16).map(|y| buf[(0, y)].symbol().to_string()).collect();
        let rows = (0..16)
            .map(|y| (0..60).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect();
        (col, rows)
    }

    #[test]
    fn the_selected_message_gets_a_bar_and_the_copy_keys() {
        let mut h = Harness::new();
        h.act(crate::app::Action::Resize {
            width: 60,
            height: 16,
        });
        h.exchange("问", "line one\nline two");
        h.key(KeyCode::Tab, KeyModifiers::NONE);
        let (before, _) = column0(&h);
        assert!(!before.contains('┃'));
        h.press('[');
        let (col, rows) = column0(&h);
        // The reply: header and two body lines, rows 3 to 5 (the question takes rows 0 to 2).
        assert_eq!(col.chars().filter(|&c| c == '┃').count(), 3, "{rows:#?}");
        assert!(col.starts_with("▍▍ ┃┃┃"), "{col:?}");
        assert!(rows[3].trim_end().ends_with("y copy · Y code"), "{rows:#?}");
        // Leaving the pane drops the mark.
        h.key(KeyCode::Tab, KeyModifiers::NONE);
        let (after, _) = column0(&h);
        assert!(!after.contains('┃'));
    }
}
