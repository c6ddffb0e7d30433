//! Attachments on screen: the chips on the input's border, and the request size while a
//! large prompt is sent.

use ratatui::text::{Line, Span};

use crate::app::attach::AttachState;
use crate::view::attachments::chip;
use crate::view::theme::Theme;

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

/// Requests from this size on say how large they are while waiting: a slow upload is then
/// no mystery.
const LARGE_REQUEST: usize = 2 * 1024 * 1024;

/// ` · sending 12.3 MB` while the prompt just sent carries a large body; else empty.
pub fn sending_size(conv: &crate::chat::Conversation) -> String {
    let Some(prompt) = conv
        .messages()
        .iter()
        .rev()
        .find(|m| m.role == crate::chat::Role::User)
    else {
        return String::new();
    };
    // Base64 makes four bytes of every three.
    let bytes: usize = prompt.attachments.iter().map(|a| a.size() / 3 * 4).sum();
    if bytes < LARGE_REQUEST {
        return String::new();
    }
    format!(" · sending {}", crate::attach::human_size(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attach::{Attachment, Body};
    use crate::chat::{Conversation, Role};

    #[test]
    fn a_large_prompt_says_how_much_is_being_sent() {
        let mut conv = Conversation::default();
        let id = conv.push(Role::User, "q", chrono::Local::now());
        assert_eq!(sending_size(&conv), "");
        conv.get_mut(id).unwrap().attach(vec![Attachment {
            name: "big.png".into(),
            body: Body::pdf("big.pdf", vec![0u8; 3 * 1024 * 1024].into(), 1024),
        }]);
        assert_eq!(sending_size(&conv), " · sending 4.0 MB");
    }
}
