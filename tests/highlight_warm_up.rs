//! Syntax data decoded on a spare thread at start-up: code on screen before it is ready is drawn
//! plain instead of waiting, and the conversation is laid out again with colours once it is.
//! (Its own test binary: the warm-up flag is process-wide.)

use std::time::Duration;

use ecochat::chat::{Conversation, Role};
use ecochat::ui::conversation::{ConversationLayout, LayoutOptions};
use ecochat::ui::markdown::{highlighting_ready, warm_up};
use ecochat::ui::theme::Theme;
use ratatui::text::Line;

const CODE: &str = "```rust\nfn main() { let x = 1; }\n```\n";

/// The styles of the code line (the second line of the message body).
fn code_line_styles(lines: &[Line<'_>]) -> Vec<ratatui::style::Style> {
    let line = lines
        .iter()
        .find(|l| l.spans.iter().any(|s| s.content.contains("fn")))
        .expect("the code line");
    line.spans
        .iter()
        .filter(|s| !s.content.trim().is_empty() && !s.content.contains('│'))
        .map(|s| s.style)
        .collect()
}

#[test]
fn code_is_plain_while_the_syntaxes_load_and_coloured_after() {
    let theme = Theme::dark();
    let plain = theme.markdown.code_text;
    let mut conv = Conversation::default();
    conv.push(Role::Assistant, CODE);
    let opts = LayoutOptions {
        width: 60,
        show_reasoning: false,
    };
    let mut layout = ConversationLayout::default();
    let (tx, rx) = std::sync::mpsc::channel();
    warm_up(move || {
        let _ = tx.send(());
    });
    layout.sync(&conv, opts, &theme);
    let early = code_line_styles(&layout.visible(0, 10));
    let ready_early = highlighting_ready();
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the warm-up finishes");
    assert!(highlighting_ready());
    if !ready_early {
        assert!(early.iter().all(|s| *s == plain), "{early:?}");
    }
    // The next sync lays the message out again, now with syntax colours.
    layout.sync(&conv, opts, &theme);
    let late = code_line_styles(&layout.visible(0, 10));
    assert!(late.iter().any(|s| *s != plain), "{late:?}");
}
