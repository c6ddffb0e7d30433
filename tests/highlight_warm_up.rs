//! Syntax data decoded, and each language compiled, on spare threads: code on screen before its
//! language is ready is drawn plain instead of waiting, and laid out again with colours after.
//! (Its own test binary: the warm-up flag is process-wide.)

use std::time::Duration;

use ecochat::chat::{Conversation, Role};
use ecochat::ui::conversation::{ConversationLayout, LayoutOptions};
use ecochat::ui::markdown::warm_up;
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
fn code_is_plain_until_its_language_is_compiled_elsewhere_then_coloured() {
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
    // Rust is compiled only once a Rust block asks for it, never on the drawing thread.
    assert!(early.iter().all(|s| *s == plain), "{early:?}");
    // The data, then the language: each readiness asks for a frame; each frame lays out again.
    let mut late = early;
    for _ in 0..2 {
        rx.recv_timeout(Duration::from_secs(60))
            .expect("the warm-up reports");
        layout.sync(&conv, opts, &theme);
        late = code_line_styles(&layout.visible(0, 10));
    }
    assert!(late.iter().any(|s| *s != plain), "{late:?}");
}
