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
