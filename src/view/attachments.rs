//! How an attachment reads on screen: a chip (`[img cat.png 12.0 KB, 64x48]`), and the lines
//! under a prompt that was sent with some.

use ratatui::text::{Line, Span};

use crate::attach::Attachment;
use crate::chat::Message;
use crate::sanitize::sanitize;
use crate::view::theme::Theme;

/// `[img cat.png 12.0 KB, 64x48]`: a file name is the user's, but may still hold controls.
pub fn chip(a: &Attachment) -> String {
    format!("[{} {} {}]", a.tag(), sanitize(&a.name), a.describe())
}

/// One line per attachment of a sent prompt, under its header.
pub fn message_lines(msg: &Message, theme: &Theme) -> Vec<Line<'static>> {
    msg.attachments
        .iter()
        .map(|a| Line::from(Span::styled(format!("  + {}", chip(a)), theme.meta)))
        .collect()
}
