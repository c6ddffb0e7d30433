//! `SyntaxReady`: colours that arrive after code was drawn plain reach the screen.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use ratatui::style::Style;

use super::test_harness::Harness;
use super::{Action, Effect, StreamMsg};
use crate::api::StreamEvent;
use crate::chat::Role;
use crate::view::markdown::{Ready, Syntax};

const CODE: &str = "```rust\nfn main() { let x = 1; }\n```\n";

/// The styles of the code line's text, frame left out.
fn code_styles(h: &Harness) -> Vec<Style> {
    styles_of(h, "fn")
}

/// The styles of the code line holding `needle`, frame left out.
fn styles_of(h: &Harness, needle: &str) -> Vec<Style> {
    let layout = h.app.layout();
    let lines = layout.visible(0, 40);
    let line = lines
        .iter()
        .find(|l| l.spans.iter().any(|s| s.content.contains(needle)))
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
    let syntax = Syntax::in_background(move |ready| {
        if ready == Ready::Language {
            let _ = tx.send(());
        }
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

#[test]
fn a_code_line_streamed_plain_is_coloured_when_the_loop_hears_it_was_painted() {
    let mut h = Harness::sized(80, 40);
    let plain = h.app.theme.markdown.code_text;
    let (tx, rx) = mpsc::channel();
    let syntax = Syntax::in_background(move |ready| {
        let _ = tx.send(ready);
    });
    h.app.set_syntax(syntax.clone());
    syntax.warm_up();
    // A finished Rust block gets the data decoded and Rust compiled, as in the loop.
    h.app
        .conv
        .push(Role::Assistant, CODE, crate::chat::test_time());
    let deadline = Instant::now() + Duration::from_secs(120);
    while code_styles(&h).iter().all(|s| *s == plain) {
        let left = deadline.saturating_duration_since(Instant::now());
        if rx.recv_timeout(left).expect("the syntax is prepared") == Ready::Language {
            h.act(Action::SyntaxReady);
        }
    }
    h.type_text("more code");
    let fx = h.enter();
    let [Effect::StartReply { reply_id, .. }] = fx.as_slice() else {
        panic!("one reply, got {fx:?}");
    };
    let piece = "```rust\nlet streamed = 1;\n";
    h.act(Action::Stream {
        id: *reply_id,
        msg: StreamMsg::Event(StreamEvent::Content(piece.into())),
    });
    // Drawn at once, plain: the frame does not wait for the painting thread.
    assert!(styles_of(&h, "streamed").iter().all(|s| *s == plain));
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if rx.recv_timeout(left).expect("the line is painted") == Ready::Lines {
            break;
        }
    }
    // Not told yet: the layout draws what it drew.
    assert!(styles_of(&h, "streamed").iter().all(|s| *s == plain));
    assert!(h.act(Action::CodePainted).is_empty());
    let coloured = styles_of(&h, "streamed");
    assert!(coloured.iter().any(|s| *s != plain), "{coloured:?}");
}
