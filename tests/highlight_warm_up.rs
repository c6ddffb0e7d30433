//! Syntax data decoded, and each language compiled, on spare threads: code on screen before its
//! language is ready is drawn plain instead of waiting, and laid out again with colours after.

use std::time::Duration;

use ecochat::chat::{Conversation, Role};
use ecochat::view::conversation::{ConversationLayout, LayoutOptions};
use ecochat::view::markdown::{Ready, Syntax};
use ecochat::view::theme::Theme;
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

/// One assistant message holding a Rust block, laid out 60 columns wide in the dark theme.
struct Scene {
    theme: Theme,
    plain: ratatui::style::Style,
    conv: Conversation,
    opts: LayoutOptions,
}

impl Scene {
    fn new() -> Self {
        let theme = Theme::dark();
        let plain = theme.markdown.code_text;
        let mut conv = Conversation::default();
        conv.push(Role::Assistant, CODE, chrono::Local::now());
        let opts = LayoutOptions {
            width: 60,
            show_reasoning: false,
        };
        Self {
            theme,
            plain,
            conv,
            opts,
        }
    }
}

/// A handle that waits for its warm-up and reports each readiness on the returned channel.
fn reporting() -> (Syntax, std::sync::mpsc::Receiver<()>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let syntax = Syntax::in_background(move |ready| {
        if ready == Ready::Language {
            let _ = tx.send(());
        }
    });
    (syntax, rx)
}

/// Waits for the data, then the language, telling the layout each time as the loop does; the
/// code's styles after both.
fn styles_once_warm(
    rx: &std::sync::mpsc::Receiver<()>,
    layout: &mut ConversationLayout,
    scene: (&Conversation, LayoutOptions, &Theme),
) -> Vec<ratatui::style::Style> {
    let (conv, opts, theme) = scene;
    for _ in 0..2 {
        rx.recv_timeout(Duration::from_secs(60))
            .expect("the warm-up reports");
        layout.syntax_ready();
        layout.sync(conv, opts, theme);
    }
    code_line_styles(&layout.visible(0, 10))
}

#[test]
fn code_is_plain_until_its_language_is_compiled_elsewhere_then_coloured() {
    let Scene {
        theme,
        plain,
        conv,
        opts,
    } = Scene::new();
    let (syntax, rx) = reporting();
    let mut layout = ConversationLayout::new(syntax.clone());
    layout.sync(&conv, opts, &theme);
    // Before the warm-up starts (the first frame), the data is not even being decoded.
    let held = code_line_styles(&layout.visible(0, 10));
    assert!(held.iter().all(|s| *s == plain), "{held:?}");
    syntax.warm_up();
    layout.sync(&conv, opts, &theme);
    let early = code_line_styles(&layout.visible(0, 10));
    // Rust is compiled only once a Rust block asks for it, never on the drawing thread.
    assert!(early.iter().all(|s| *s == plain), "{early:?}");
    // The data, then the language: each readiness is told to the layout, which lays out again.
    let late = styles_once_warm(&rx, &mut layout, (&conv, opts, &theme));
    assert!(late.iter().any(|s| *s != plain), "{late:?}");
}

#[test]
fn a_layout_keeps_plain_code_until_it_is_told_that_colours_arrived() {
    // The layout is a function of what it is given: readiness reaches it as a call (from the
    // `SyntaxReady` action), not through a global it reads on every frame.
    let Scene {
        theme,
        plain,
        conv,
        opts,
    } = Scene::new();
    let (syntax, rx) = reporting();
    let mut told_late = ConversationLayout::new(syntax.clone());
    told_late.sync(&conv, opts, &theme);
    syntax.warm_up();
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the data is decoded");
    // Another layout of the same handle asks for Rust, which is compiled on a spare thread.
    let mut other = ConversationLayout::new(syntax.clone());
    other.sync(&conv, opts, &theme);
    rx.recv_timeout(Duration::from_secs(60))
        .expect("Rust is compiled");
    told_late.sync(&conv, opts, &theme);
    let cached = code_line_styles(&told_late.visible(0, 10));
    assert!(cached.iter().all(|s| *s == plain), "{cached:?}");
    told_late.syntax_ready();
    told_late.sync(&conv, opts, &theme);
    let coloured = code_line_styles(&told_late.visible(0, 10));
    assert!(coloured.iter().any(|s| *s != plain), "{coloured:?}");
}

#[test]
fn handles_are_independent() {
    // One handle still waiting for its warm-up does not keep another from colouring.
    let Scene {
        theme,
        plain,
        conv,
        opts,
    } = Scene::new();
    let waiting = Syntax::in_background(|_| {});
    let mut held = ConversationLayout::new(waiting);
    held.sync(&conv, opts, &theme);
    let mut eager = ConversationLayout::new(Syntax::default());
    eager.sync(&conv, opts, &theme);
    let held = code_line_styles(&held.visible(0, 10));
    let eager = code_line_styles(&eager.visible(0, 10));
    assert!(held.iter().all(|s| *s == plain), "{held:?}");
    assert!(eager.iter().any(|s| *s != plain), "{eager:?}");
}

#[test]
fn the_data_is_decoded_only_once_code_asks_for_colours() {
    // A session without code never holds the decoded data (over half a megabyte of heap).
    let Scene {
        theme,
        plain,
        conv,
        opts,
    } = Scene::new();
    let (syntax, rx) = reporting();
    syntax.warm_up();
    let mut empty = ConversationLayout::new(syntax.clone());
    let mut prose = Conversation::default();
    prose.push(Role::Assistant, "No code here.", chrono::Local::now());
    empty.sync(&prose, opts, &theme);
    assert!(!syntax.decoding_started(), "allowed, but nothing asked");
    let mut layout = ConversationLayout::new(syntax.clone());
    layout.sync(&conv, opts, &theme);
    assert!(syntax.decoding_started(), "a code block asked for colours");
    let styles = code_line_styles(&layout.visible(0, 10));
    assert!(styles.iter().all(|s| *s == plain), "{styles:?}");
    // The data, then the language; the code is coloured after both.
    let styles = styles_once_warm(&rx, &mut layout, (&conv, opts, &theme));
    assert!(styles.iter().any(|s| *s != plain), "{styles:?}");
}
