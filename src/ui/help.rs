//! The help overlay, generated from the key map the app uses.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::text::{display_width, wrap_text};
use crate::ui::popup;

/// Draws the key bindings in a centred box over `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let rows = app.keymap.help_rows();
    let key_w = rows
        .iter()
        .map(|(k, _)| display_width(k))
        .max()
        .unwrap_or(0);
    // Descriptions wrap under their own column rather than being cut at the popup's edge.
    let indent = key_w + 3;
    let text_w = usize::from(area.width).saturating_sub(2 + 1).max(1);
    let desc_w = text_w.saturating_sub(indent).max(1);
    let mut lines: Vec<Line> = Vec::new();
    for (keys, cmd) in &rows {
        for (i, part) in wrap_text(cmd.describe(), desc_w, t.popup)
            .into_iter()
            .enumerate()
        {
            let key = if i == 0 {
                format!(" {keys:<key_w$}  ")
            } else {
                " ".repeat(indent)
            };
            let mut spans = vec![Span::styled(key, t.popup_title)];
            spans.extend(part.spans);
            lines.push(Line::from(spans));
        }
    }
    lines.push(Line::default());
    let footer = "Up/Down on the first/last line: previous/next prompt · any key closes";
    for part in wrap_text(footer, text_w.saturating_sub(1).max(1), t.meta) {
        let mut spans = vec![Span::raw(" ")];
        spans.extend(part.spans);
        lines.push(Line::from(spans));
    }
    let want_w = lines.iter().map(Line::width).max().unwrap_or(0) + 3;
    let w = (want_w as u16).min(area.width);
    let h = (lines.len() as u16 + 2).min(area.height);
    let inner = popup::open(frame, area, w, h, "Keys", t);
    frame.render_widget(Paragraph::new(lines), inner);
}
