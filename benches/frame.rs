//! One frame while a reply streams: `update` with one reply piece, then `ui::render` through
//! `TestBackend` (layout, visible lines, buffer diff), for conversations of 10, 1,000 and
//! 10,000 messages. The cost must not grow with the history.

use std::sync::OnceLock;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use divan::Bencher;
use ecochat::api::StreamEvent;
use ecochat::app::{Action, App, Effect, StreamMsg, update};
use ecochat::config::{ModelSpec, Provider};
use ecochat::dev::synthetic;
use ecochat::providers::Target;
use ecochat::ui;
use ecochat::view::markdown::Syntax;
use ecochat::view::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
const SIZES: [usize; 3] = [10, 1_000, 10_000];

fn main() {
    divan::main();
}

/// The syntax handle of the first-frame benches, its data decoded and the code of the
/// synthetic sessions compiled before any timing: the TUI does both once, on a spare thread,
/// while code is drawn plain, so neither is part of a first frame.
fn warm_syntax() -> Syntax {
    static SYNTAX: OnceLock<Syntax> = OnceLock::new();
    SYNTAX
        .get_or_init(|| {
            let syntax = Syntax::default();
            for n in SIZES.into_iter().chain([5_000]) {
                let mut app = App::new(
                    demo(),
                    Theme::default(),
                    Rect::new(0, 0, WIDTH, HEIGHT),
                    Instant::now(),
                );
                app.set_syntax(syntax.clone());
                app.conv = synthetic::conversation(n);
                let mut terminal =
                    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
                terminal.draw(|f| ui::render(&app, f)).expect("draw");
            }
            syntax
        })
        .clone()
}

/// The offline demo model.
fn demo() -> Target {
    Target {
        provider: Provider::builtin_demo(),
        model: ModelSpec::new("demo"),
    }
}

/// An app holding `n` finished messages, drawn once, with a reply to a new prompt in flight.
fn streaming_app(n: usize) -> (App, Terminal<TestBackend>, u64) {
    let now = Instant::now();
    let mut app = App::new(
        demo(),
        Theme::default(),
        Rect::new(0, 0, WIDTH, HEIGHT),
        now,
    );
    app.conv = synthetic::conversation(n);
    update(&mut app, Action::Paste("继续".into()), now);
    let effects = update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        now,
    );
    let Some(id) = effects.iter().find_map(|e| match e {
        Effect::StartReply { reply_id, .. } => Some(*reply_id),
        _ => None,
    }) else {
        panic!("Enter did not start a reply: {effects:?}");
    };
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    terminal.draw(|f| ui::render(&app, f)).expect("draw");
    (app, terminal, id)
}

/// One reply piece; every 16th ends a paragraph, as real replies do.
fn piece(i: usize) -> String {
    if i % 16 == 15 {
        format!("第{i}段。\n\n")
    } else {
        format!("第{i}段，")
    }
}

fn stream_frames(bencher: Bencher, n: usize, scrolled_up: bool) {
    let (mut app, mut terminal, id) = streaming_app(n);
    if scrolled_up {
        let page_up = KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE);
        update(&mut app, Action::Key(page_up), Instant::now());
    }
    let mut i = 0;
    bencher.bench_local(|| {
        let msg = StreamMsg::Event(StreamEvent::Content(piece(i)));
        i += 1;
        update(&mut app, Action::Stream { id, msg }, Instant::now());
        terminal.draw(|f| ui::render(&app, f)).map(|_| ())
    });
}

/// Following the reply at the bottom of the conversation.
#[divan::bench(args = SIZES)]
fn stream_frame(bencher: Bencher, n: usize) {
    stream_frames(bencher, n, false);
}

/// The same with the pane scrolled up a page, so the visible lines are history.
#[divan::bench(args = SIZES)]
fn stream_frame_scrolled_up(bencher: Bencher, n: usize) {
    stream_frames(bencher, n, true);
}

/// The end of a 500-piece reply, scrolled up a page: `update` with the reply's end, then the
/// frame. What follows the server's last byte.
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn reply_end_scrolled_up(bencher: Bencher, n: usize) {
    bencher
        .with_inputs(|| {
            let (mut app, terminal, id) = streaming_app(n);
            let page_up = KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE);
            update(&mut app, Action::Key(page_up), Instant::now());
            for i in 0..500 {
                let msg = StreamMsg::Event(StreamEvent::Content(piece(i)));
                update(&mut app, Action::Stream { id, msg }, Instant::now());
            }
            (app, terminal, id)
        })
        .bench_local_refs(|(app, terminal, id)| {
            let msg = StreamMsg::End(Ok(Default::default()));
            update(app, Action::Stream { id: *id, msg }, Instant::now());
            terminal.draw(|f| ui::render(app, f)).map(|_| ())
        });
}

/// The first frame after loading `n` messages: what a resumed session costs at start-up.
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn first_frame(bencher: Bencher, n: usize) {
    let target = demo();
    let conv = synthetic::conversation(n);
    bencher
        .with_inputs(|| {
            let now = Instant::now();
            let mut app = App::new(
                target.clone(),
                Theme::default(),
                Rect::new(0, 0, WIDTH, HEIGHT),
                now,
            );
            app.set_syntax(warm_syntax());
            app.conv = conv.clone();
            let terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
            (app, terminal)
        })
        .bench_local_refs(|(app, terminal)| terminal.draw(|f| ui::render(app, f)).map(|_| ()));
}

/// Building the 5,000-message stand-in for a resumed session (`ECOCHAT_BENCH_HISTORY`).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn synthetic_history_5000() -> usize {
    synthetic::conversation(5_000).messages().len()
}

/// What start-up does with a resumed 5,000-message session: the first `update` (the terminal
/// size, which also scans the history for media links) and the first frame.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn resume_5000(bencher: Bencher) {
    let conv = synthetic::conversation(5_000);
    bencher
        .with_inputs(|| {
            let mut app = App::new(demo(), Theme::default(), Rect::default(), Instant::now());
            app.set_syntax(warm_syntax());
            app.conv = conv.clone();
            let terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
            (app, terminal)
        })
        .bench_local_refs(|(app, terminal)| {
            let size = Action::Resize {
                width: WIDTH,
                height: HEIGHT,
            };
            update(app, size, Instant::now());
            terminal.draw(|f| ui::render(app, f)).map(|_| ())
        });
}

/// A resize of a 10,000-message conversation, the window a few columns narrower or wider each
/// time: `update` with the new size, then the next frame (budget: 16 ms).
#[divan::bench(sample_count = 20, sample_size = 1)]
fn resize_10000(bencher: Bencher) {
    let (mut app, mut terminal, _) = streaming_app(10_000);
    let mut narrow = false;
    bencher.bench_local(|| {
        narrow = !narrow;
        let width = if narrow { WIDTH - 7 } else { WIDTH };
        terminal.backend_mut().resize(width, HEIGHT);
        update(
            &mut app,
            Action::Resize {
                width,
                height: HEIGHT,
            },
            Instant::now(),
        );
        terminal.draw(|f| ui::render(&app, f)).map(|_| ())
    });
}

/// A 120x40 screen of Chinese text (a paced reply's lines) put into the buffer: `draw_lines`,
/// which the conversation pane uses, against ratatui's `Paragraph` drawing the same lines.
#[divan::bench(args = ["draw_lines", "paragraph"])]
fn draw_chinese_screen(bencher: Bencher, how: &str) {
    use ratatui::buffer::Buffer;
    use ratatui::text::Line;
    use ratatui::widgets::{Paragraph, Widget};
    let row: String = (0..30).map(|i| format!("第{i}段，")).collect();
    let lines: Vec<Line<'_>> = (0..HEIGHT).map(|_| Line::from(row.as_str())).collect();
    let area = Rect::new(0, 0, WIDTH, HEIGHT);
    let mut buf = Buffer::empty(area);
    bencher.bench_local(|| {
        buf.reset();
        match how {
            "draw_lines" => ui::lines::draw_lines(&lines, area, &mut buf),
            _ => Paragraph::new(lines.clone()).render(area, &mut buf),
        }
        buf.content.len()
    });
}
