//! The help overlay, generated from the key map the app uses.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::app::App;
use crate::text::display_width;

/// Draws the key bindings in a centred box over `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let rows = app.keymap.help_rows();
    let key_w = rows
        .iter()
        .map(|(k, _)| display_width(k))
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|(keys, cmd)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<key_w$}  "), t.popup_title),
                Span::styled(cmd.describe(), t.popup),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        " Up/Down on the first/last line: previous/next prompt · any key closes",
        t.meta,
    )));
    let want_w = lines.iter().map(Line::width).max().unwrap_or(0) + 2;
    let w = (want_w as u16).min(area.width);
    let h = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(t.border_focused)
        .title(Span::styled(" Keys ", t.popup_title));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
