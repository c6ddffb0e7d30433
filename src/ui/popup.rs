//! A centred, bordered box drawn over the screen: the frame every popup shares.

use ratatui::Frame;
use ratatui::buffer::CellWidth;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Clear};

use crate::view::theme::Theme;

/// Clears a `w`x`h` box centred in `area` (clamped to it), draws its border and `title`, and
/// returns the area inside the border.
pub fn open(frame: &mut Frame, area: Rect, w: u16, h: u16, title: &str, theme: &Theme) -> Rect {
    let popup = crate::view::popup::centered(area, w, h);
    frame.render_widget(Clear, popup);
    // A wide char just left of the popup would spill over its left border: the terminal would
    // draw the char and drop the border cell, so the char is blanked instead.
    if popup.x > area.x {
        let buf = frame.buffer_mut();
        for y in popup.top()..popup.bottom() {
            let cell = &mut buf[(popup.x - 1, y)];
            if cell.symbol().cell_width() > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Span::styled(format!(" {title} "), theme.popup_title));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    inner
}
