//! Drawing: a function of the app state, one small module per pane.

pub mod attach_chips;
pub mod compare;
pub mod conversation;
pub mod help;
pub mod lines;
pub mod media;
pub mod picker;
pub mod popup;
pub mod scrollbar;
pub mod selection;
pub mod sessions;
pub mod slash_hint;
pub mod status;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};

use crate::app::App;
use crate::view::layout;
use conversation::ConversationView;

/// Draws the whole screen from `app`.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let Some(panes) = app.panes() else {
        let lines: Vec<Line> = layout::too_small_notice(area.width, area.height)
            .into_iter()
            .map(Line::from)
            .collect();
        Paragraph::new(lines)
            .style(app.theme.warning)
            .render(area, frame.buffer_mut());
        return;
    };
    if app.comparing() {
        compare::render(app, panes.conversation, frame.buffer_mut());
    } else {
        let top = app.scroll_top();
        let layout = app.layout();
        let view = ConversationView {
            layout: &layout,
            top,
            theme: &app.theme,
            empty_hint: welcome(app),
        };
        frame.render_widget(view, panes.conversation);
        drop(layout);
        selection::render(app, panes.conversation, top, frame.buffer_mut());
    }
    if let Some(panel) = panes.media {
        media::render(app, frame, panel);
    }
    render_input(app, frame, panes.input);
    slash_hint::render(app, panes.input, frame.buffer_mut());
    frame.render_widget(status::StatusBar { app }, panes.status);
    status::render_overflow(app, panes.status, panes.input, frame.buffer_mut());
    match &app.overlay {
        Some(crate::app::Overlay::Help) => help::render(app, frame, area),
        Some(crate::app::Overlay::Picker(p)) => picker::render(p, &app.theme, frame, area),
        Some(crate::app::Overlay::Image) => media::render_fullscreen(app, frame, area),
        Some(crate::app::Overlay::Sessions) => sessions::render(app, frame, area),
        None => {}
    }
}

fn welcome(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = vec![
        Line::default(),
        Line::from(vec![
            Span::styled("  ecochat", t.assistant_label),
            Span::styled(format!(" · {}", app.target.label()), t.meta),
        ]),
    ];
    if app.target.provider.is_demo() {
        // Most first runs land here for want of a key: say what this is and the way out.
        let config = app.config_path.as_ref().map_or_else(
            || "config.toml".to_string(),
            |p| crate::sanitize::sanitize(&p.display().to_string()).into_owned(),
        );
        // The variable of the first provider still waiting for its key (ecovai's, unless the
        // config says otherwise); with every key set, the picker is the way out.
        let var = app.missing_keys.first().map(|(_, var)| var.clone());
        let way = match var {
            Some(var) => format!("  For a real relay: export {var}=sk-... and restart,"),
            None => "  For a real relay: Ctrl+P picks one of its models,".to_string(),
        };
        let text = |s: String| Line::from(Span::styled(s, t.meta));
        lines.extend([
            Line::from(Span::styled(
                "  This is the offline demo: canned replies, no network, no key.",
                t.warning,
            )),
            text(way),
            text("  or add a provider to the config file:".into()),
            text(format!("    {config}")),
            text("  Ctrl+P switches models; `ecochat --help` lists the options.".into()),
        ]);
    }
    lines.push(Line::from(Span::styled(
        "  Type below and press Enter. F1 lists every key.",
        t.meta,
    )));
    lines
}

fn render_input(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(if app.focus == crate::app::Focus::Input {
            t.border_focused
        } else {
            t.border
        })
        .title(match app.editing {
            // Sending replaces a turn: say so where the eye is.
            Some(_) => Span::styled(" Editing: Enter sends a new branch · Esc stops ", t.warning),
            None => Span::styled(" Message ", t.meta),
        })
        .title(attach_chips::chips(&app.attach, area.width, t))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(&app.prompt.editor, inner);
    if app.overlay.is_some() || app.focus != crate::app::Focus::Input {
        return;
    }
    // The real terminal cursor goes to the insertion point, so an input method's preedit
    // appears where the text will land; the widget only paints a reversed cell.
    let cursor = app.prompt.editor.screen_cursor();
    let (top_row, top_col) = app.prompt.editor.scroll_offset();
    let mut x = cursor.col.saturating_sub(usize::from(top_col));
    let mut y = cursor.row.saturating_sub(usize::from(top_row));
    let (width, height) = (usize::from(inner.width), usize::from(inner.height));
    if x >= width && width > 0 {
        // After a line that ends exactly at the right edge, text typed next goes to the start of
        // the following row (the box keeps a row for it); when scrolled out, stay on the edge.
        if y + 1 < height {
            (x, y) = (0, y + 1);
        } else {
            x = width - 1;
        }
    }
    if x < width && y < height {
        frame.set_cursor_position(Position::new(inner.x + x as u16, inner.y + y as u16));
    }
}

#[cfg(test)]
mod tests;
