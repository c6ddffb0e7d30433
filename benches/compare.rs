//! Frames while a comparison streams (issue 17/19): one, two and four 2,000-chunk replies
//! arriving at once, a piece of each per frame, drawn through `TestBackend` at 120x40. One
//! stream is the single reply of the conversation pane; two and four are `/compare` columns.
//! The target: several streams cost at most twice the frame of one.
//!
//! Every app shares one syntax handle made as the TUI makes it (`Syntax::in_background`):
//! streamed code lines are drawn plain and coloured on a spare thread, and before each frame
//! the colours painted meanwhile are put in (`CodePainted`), as the event loop does. Its data
//! is decoded and Rust compiled before any timing (`warm_syntax`): the TUI does both once, on
//! a spare thread, while code is drawn plain, so they are no part of a frame.

use std::sync::mpsc::{Receiver, channel};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use divan::Bencher;
use ecochat::api::StreamEvent;
use ecochat::app::{Action, App, Effect, StreamMsg, update};
use ecochat::config::{ModelSpec, Provider};
use ecochat::providers::Target;
use ecochat::ui;
use ecochat::view::markdown::{Ready, Syntax, render_markdown};
use ecochat::view::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
const CHUNKS: usize = 2_000;
const MODELS: [&str; 4] = ["gpt-4o", "deepseek-chat", "qwen-max", "glm-4-plus"];

fn main() {
    divan::main();
}

fn enter(app: &mut App, text: &str) -> Vec<Effect> {
    let now = Instant::now();
    // Typed, not pasted: a pasted `/…` may be taken for a file to attach.
    let keys = text
        .chars()
        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .collect();
    update(app, Action::Keys(keys), now);
    update(
        app,
        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        now,
    )
}

/// An app with a prompt sent to `n` models (one: a plain reply), drawn once; the reply ids.
fn streaming(n: usize) -> (App, Terminal<TestBackend>, Vec<u64>) {
    let mut provider = Provider::new("mock", Some("http://127.0.0.1:9/v1".into()));
    provider.models = MODELS.into_iter().map(ModelSpec::new).collect();
    let target = Target {
        provider: provider.clone(),
        model: ModelSpec::new(MODELS[0]),
    };
    let mut app = App::new(
        target,
        Theme::default(),
        Rect::new(0, 0, WIDTH, HEIGHT),
        Instant::now(),
    );
    app.providers = vec![provider];
    app.set_syntax(warm_syntax().0.clone());
    if n > 1 {
        enter(&mut app, &format!("/compare {}", MODELS[..n].join(" ")));
    }
    let ids: Vec<u64> = enter(&mut app, "用两千段话比较一下")
        .into_iter()
        .filter_map(|e| match e {
            Effect::StartReply { reply_id, .. } => Some(reply_id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), n, "{n} replies started");
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    terminal.draw(|f| ui::render(&app, f)).expect("draw");
    (app, terminal, ids)
}

/// The whole streams: a piece of every reply, then a frame, 2,000 times.
fn stream(app: &mut App, terminal: &mut Terminal<TestBackend>, ids: &[u64]) {
    let told = &warm_syntax().1;
    for i in 0..CHUNKS {
        for id in ids {
            let msg = StreamMsg::Event(StreamEvent::Content(piece(i)));
            update(app, Action::Stream { id: *id, msg }, Instant::now());
        }
        // What the spare threads told the event loop since the last frame.
        let news: Vec<Ready> = told.lock().expect("receiver").try_iter().collect();
        for ready in news {
            let action = match ready {
                Ready::Language => Action::SyntaxReady,
                Ready::Lines => Action::CodePainted,
            };
            update(app, action, Instant::now());
        }
        terminal.draw(|f| ui::render(app, f)).expect("draw");
    }
}

/// The syntax handle of every app here, made as the TUI makes it, with its data decoded and
/// the patterns of the streams' code compiled; and what it tells the event loop.
fn warm_syntax() -> &'static (Syntax, Mutex<Receiver<Ready>>) {
    static SYNTAX: OnceLock<(Syntax, Mutex<Receiver<Ready>>)> = OnceLock::new();
    SYNTAX.get_or_init(|| {
        let (tx, rx) = channel();
        let syntax = Syntax::in_background(move |ready| {
            let _ = tx.send(ready);
        });
        syntax.warm_up();
        let code: String = (101..150).map(piece).collect();
        let block = format!("```rust\n{code}```\n");
        let theme = Theme::default();
        let want = render_markdown(&block, usize::from(WIDTH), &theme, &Syntax::default());
        let deadline = Instant::now() + Duration::from_secs(120);
        while render_markdown(&block, usize::from(WIDTH), &theme, &syntax) != want {
            assert!(Instant::now() < deadline, "the syntax is prepared in time");
            std::thread::sleep(Duration::from_millis(5));
        }
        (syntax, Mutex::new(rx))
    })
}

/// One reply piece; every 16th ends a paragraph, and every 200th opens or closes a code
/// block, as real replies do.
fn piece(i: usize) -> String {
    match i % 200 {
        100 => "\n\n```rust\n".to_string(),
        150 => "\n```\n\n".to_string(),
        101..150 => format!("let x{i} = \"第{i}行\";\n"),
        _ if i % 16 == 15 => format!("第{i}段。\n\n"),
        _ => format!("第{i}段，"),
    }
}

/// Whole streams of 2,000 chunks, a piece of every reply then a frame, 2,000 times; divan
/// reports the time of the whole stream (divide by 2,000 for a frame).
#[divan::bench(args = [1, 2, 4], sample_count = 5, sample_size = 1)]
fn stream_2000_chunks(bencher: Bencher, n: usize) {
    bencher
        .with_inputs(|| streaming(n))
        .bench_local_values(|(mut app, mut terminal, ids)| {
            stream(&mut app, &mut terminal, &ids);
            (app, terminal)
        });
}

/// The same streams without drawing: what `update` costs of a frame (the pieces, the media
/// scan and store checkpoints of each reply).
#[divan::bench(args = [1, 4], sample_count = 5, sample_size = 1)]
fn update_2000_chunks(bencher: Bencher, n: usize) {
    bencher
        .with_inputs(|| streaming(n))
        .bench_local_values(|(mut app, terminal, ids)| {
            for i in 0..CHUNKS {
                for id in &ids {
                    let msg = StreamMsg::Event(StreamEvent::Content(piece(i)));
                    update(&mut app, Action::Stream { id: *id, msg }, Instant::now());
                }
            }
            (app, terminal)
        });
}
