//! `SyntaxReady`: colours that arrive after code was drawn plain reach the screen.

use std::sync::mpsc;
use std::time::Duration;

use ratatui::style::Style;

use super::Action;
use super::test_harness::Harness;
use crate::chat::Role;
use crate::view::markdown::Syntax;

const CODE: &str = "```rust\nfn main() { let x = 1; }\n```\n";

/// The styles of the code line's text, frame left out.
fn code_styles(h: &Harness) -> Vec<Style> {
    let layout = h.app.layout();
    let lines = layout.visible(0, 20);
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
fn syntax_ready_lays_out_again_the_code_drawn_plain() {
    let mut h = Harness::new();
    let plain = h.app.theme.markdown.code_text;
    let (tx, rx) = mpsc::channel();
    let syntax = Syntax::in_background(move || {
        let _ = tx.send(());
    });
    h.app.set_syntax(syntax.clone());
    h.app
        .conv
        .push(Role::Assistant, CODE, crate::chat::test_time());
    // The first frame: nothing decoded yet.
    assert!(code_styles(&h).iter().all(|s| *s == plain));
    syntax.warm_up();
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the data is decoded");
    // Not yet told: the layout draws what it drew (it reads no global to find out).
    assert!(code_styles(&h).iter().all(|s| *s == plain));
    assert!(h.act(Action::SyntaxReady).is_empty());
    // Laid out again, Rust is asked for and compiled on a spare thread meanwhile.
    assert!(code_styles(&h).iter().all(|s| *s == plain));
    rx.recv_timeout(Duration::from_secs(60))
        .expect("Rust is compiled");
    assert!(code_styles(&h).iter().all(|s| *s == plain));
    assert!(h.act(Action::SyntaxReady).is_empty());
    let coloured = code_styles(&h);
    assert!(coloured.iter().any(|s| *s != plain), "{coloured:?}");
}
