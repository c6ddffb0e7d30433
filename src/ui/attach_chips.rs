//! Attachments on screen: the chips on the input's border, and the lines under a prompt
//! that was sent with some.

use ratatui::text::{Line, Span};

use crate::app::attach::AttachState;
use crate::attach::Attachment;
use crate::chat::Message;
use crate::sanitize::sanitize;
use crate::ui::theme::Theme;

/// `[img cat.png 12.0 KB, 64x48]`: a file name is the user's, but may still hold controls.
fn chip(a: &Attachment) -> String {
    format!("[{} {} {}]", a.tag(), sanitize(&a.name), a.describe())
}

/// The pending attachments as chips for the input's top border (empty with none).
pub fn chips(state: &AttachState, width: u16, theme: &Theme) -> Line<'static> {
    if state.pending.is_empty() && state.loading == 0 {
        return Line::default();
    }
    let mut spans: Vec<Span<'static>> = state
        .pending
        .iter()
        .map(|a| Span::styled(format!(" {} ", chip(a)), theme.key_hint))
        .collect();
    if state.loading > 0 {
        spans.push(Span::styled(
            format!(" [reading {}…] ", state.loading),
            theme.meta,
        ));
    }
    if !state.pending.is_empty() && width >= 60 {
        spans.push(Span::styled(" ⌫ removes ", theme.meta));
    }
    Line::from(spans)
}

/// One line per attachment of a sent prompt, under its header.
pub fn message_lines(msg: &Message, theme: &Theme) -> Vec<Line<'static>> {
    msg.attachments
        .iter()
        .map(|a| Line::from(Span::styled(format!("  + {}", chip(a)), theme.meta)))
        .collect()
}
