//! The event loop: terminal events, reply pieces and timers become actions; effects run here.

mod attach;
mod billing;
mod editor;
mod effects;
mod inbox;
mod input;
pub mod media;
pub mod pieces;
mod query;
mod stop;
mod tasks;
pub mod terminal;
mod trim;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::api::client::Client;
use crate::app::{Action, App, StreamMsg};
use crate::config::Paths;
use crate::store::task::StoreHandle;
use crate::ui;
use crate::view::markdown::Ready;
use effects::{Edge, apply};
use terminal::TerminalGuard;

/// Frames are drawn at most this often; a burst of reply pieces costs one frame.
const FRAME: Duration = Duration::from_millis(16);
/// The same while only a streaming reply changed the screen: text coming in steps of 50 ms
/// (20 a second, a few words each even from a fast model) still reads as a flow, and each
/// frame of a paced reply costs about half a millisecond. Anything the user does is drawn at
/// the full rate, and a reply's end at once.
const STREAM_FRAME: Duration = Duration::from_millis(50);
/// Longest stretch spent applying queued reply pieces before the loop looks at the keyboard again.
const DRAIN_BUDGET: Duration = Duration::from_millis(8);
/// Spinner and rate refresh while a reply is in flight.
const TICK: Duration = Duration::from_millis(100);

/// Runs the TUI until the user quits or a terminating signal arrives.
pub async fn run(
    mut app: App,
    client: Client,
    paths: Paths,
    picker: media::PendingPicker,
) -> anyhow::Result<()> {
    let mut guard = TerminalGuard::enter(app.mouse)?;
    // Asked before the key reader starts, which would otherwise take the answer as typing.
    let (report, typed) = if app.media.settings.protocol == crate::media::ImageProtocol::Auto {
        query::ask(query::TIMEOUT)
    } else {
        Default::default()
    };
    media::install_picker(&mut app, picker, &report);
    // Its HTTP clients read the system's root certificates (tens of milliseconds): built on a
    // blocking thread once the first frame is out; an effect that needs it sooner waits for it.
    let media = Arc::new(OnceLock::<media::MediaRunner>::new());
    let size = guard.terminal.size()?;

    let (tx, pieces, mut inbox) = inbox::channels();
    // Code is drawn plain until the syntax data is decoded, on a thread started once code asks
    // for colours, and not before the first frame so as not to compete with it; each language is
    // compiled on a spare thread the first time it appears. Whenever more code can be coloured,
    // the layout is told to draw again.
    let syntax = {
        let tx = tx.clone();
        crate::view::markdown::Syntax::in_background(move |ready| {
            let _ = tx.send(match ready {
                Ready::Language => Action::SyntaxReady,
                Ready::Lines => Action::CodePainted,
            });
        })
    };
    app.set_syntax(syntax.clone());
    let store = {
        let tx = tx.clone();
        StoreHandle::spawn(app.sessions.db_path.clone(), move |ev| {
            let _ = tx.send(Action::Store(ev));
        })
    };
    let mut edge = Edge {
        tx: tx.clone(),
        pieces,
        client,
        paths,
        media: media.clone(),
        store,
        replies: HashMap::new(),
        edit: None,
        history_writes: (0, Arc::default()),
        suspend: false,
        mouse: None,
        bells_rung: 0,
    };
    // The first update runs through `apply` like every other: its effects (a resumed session
    // the store has not written yet, a media fetch) must not be dropped.
    apply(
        &mut app,
        Action::Resize {
            width: size.width,
            height: size.height,
        },
        &mut edge,
    );
    // Balance and relay prices are asked for once the app is up.
    apply(
        &mut app,
        Action::Billing(crate::app::cost::BillingMsg::Started),
        &mut edge,
    );
    // Cards of a reopened session whose task had not finished: polling goes on.
    apply(
        &mut app,
        Action::Task(crate::app::tasks::TaskMsg::ResumeAll),
        &mut edge,
    );
    let input = input::InputReader::spawn(tx.clone(), typed)?;
    input::watch_resize(tx.clone())?;
    stop::watch(tx.clone())?;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    guard.draw(|f| ui::render(&app, f))?;
    tracing::debug!("first frame drawn");
    let mut last_draw = Instant::now();
    let mut dirty = false;
    // Something other than a reply's pieces changed the screen since the last frame.
    let mut input_dirty = false;
    {
        let settings = app.media.settings.clone();
        let tls = edge.client.tls();
        tokio::task::spawn_blocking(move || {
            media.get_or_init(|| media::MediaRunner::new(&settings, tls));
        });
        syntax.warm_up();
    }

    while !app.quit {
        let gap = frame_gap(&app, input_dirty);
        let next_frame = tokio::time::Instant::from_std(last_draw + gap);
        let notice_due = crate::app::notice_expiry(&app).map(tokio::time::Instant::from_std);
        // While a reply streams, its pieces are taken once a frame, not as each arrives: a
        // model sending one every 2 ms woke the loop 500 times a second for 60 frames. Keys
        // and reports still wake it at once, and so does the reply's end (its task sends a
        // Tick behind it), so the last piece is drawn as soon as it is in.
        // A burst is taken at once: its sender waits for room, and the reply's end behind it.
        let hold_pieces = app.replying() && last_draw.elapsed() < gap && !inbox.pieces_backed_up();
        let action = tokio::select! {
            Some(a) = inbox.next_holding(hold_pieces) => Some(a),
            _ = tick.tick(), if app.replying() || app.media.is_busy() => Some(Action::Tick),
            // A notice is taken down when its time is up: one wake-up, not a polling timer.
            () = tokio::time::sleep_until(notice_due.unwrap_or(next_frame)), if notice_due.is_some() => {
                Some(Action::Tick)
            }
            () = tokio::time::sleep_until(next_frame), if dirty || hold_pieces => None,
        };
        let mut reply_ended = false;
        if let Some(action) = action {
            reply_ended |= ends_reply(&action);
            input_dirty |= is_input(&action);
            follow_resize(&mut guard, &action)?;
            apply(&mut app, action, &mut edge);
            dirty = true;
        }
        // What is already queued is applied before the next frame, but only for a slice of a
        // frame: a server sending faster than we apply must not starve the keyboard.
        let budget = Instant::now() + DRAIN_BUDGET;
        while Instant::now() < budget {
            let Some(a) = inbox.try_next() else { break };
            reply_ended |= ends_reply(&a);
            input_dirty |= is_input(&a);
            follow_resize(&mut guard, &a)?;
            apply(&mut app, a, &mut edge);
            dirty = true;
        }
        if let Some(text) = edge.edit.take() {
            // The key reader would take the editor's keys: it waits until the editor is done.
            input.pause();
            let result = editor::edit(&mut guard, &text).await;
            input.resume();
            apply(&mut app, Action::EditorDone(result), &mut edge);
            dirty = true;
            input_dirty = true;
            last_draw = Instant::now() - FRAME;
        }
        if let Some(on) = edge.mouse.take()
            && let Err(e) = guard.set_mouse(on)
        {
            tracing::warn!(%e, on, "cannot switch mouse capture");
        }
        if std::mem::take(&mut edge.suspend) {
            // Keys typed at the shell are the shell's.
            input.pause();
            let resumed = guard.stop_for_job_control();
            input.resume();
            resumed?;
            // The window may have changed size while we were stopped.
            let size = guard.terminal.size()?;
            let resize = Action::Resize {
                width: size.width,
                height: size.height,
            };
            follow_resize(&mut guard, &resize)?;
            apply(&mut app, resize, &mut edge);
            dirty = true;
            input_dirty = true;
            last_draw = Instant::now() - FRAME;
        }
        // The end of a reply is drawn at once: nothing more is coming to share its frame.
        let gap = frame_gap(&app, input_dirty);
        if dirty && (reply_ended || last_draw.elapsed() >= gap) {
            guard.draw(|f| ui::render(&app, f))?;
            last_draw = Instant::now();
            dirty = false;
            input_dirty = false;
            if reply_ended {
                trim::give_back();
            }
        }
    }
    for token in edge.replies.values() {
        token.cancel();
    }
    // No key typed after this belongs to us.
    drop(input);
    drop(guard);
    effects::flush_history(&app, &edge);
    // The last writes (the reply cancelled by quitting) finish before the process ends.
    edge.store.shutdown();
    Ok(())
}

/// The terminal is drawn at the size a resize event says (it no longer asks before each frame).
fn follow_resize(guard: &mut TerminalGuard, action: &Action) -> std::io::Result<()> {
    match action {
        Action::Resize { width, height } => guard.resize(*width, *height),
        _ => Ok(()),
    }
}

/// The least time between two frames now.
fn frame_gap(app: &App, input_dirty: bool) -> Duration {
    if app.replying() && !input_dirty {
        STREAM_FRAME
    } else {
        FRAME
    }
}

/// True for what the user did (keys, paste, mouse, resize): drawn at the full frame rate.
fn is_input(action: &Action) -> bool {
    matches!(
        action,
        Action::Key(_)
            | Action::Keys(_)
            | Action::Paste(_)
            | Action::Mouse(_)
            | Action::Resize { .. }
    )
}

/// True for the last message of a reply.
fn ends_reply(action: &Action) -> bool {
    matches!(
        action,
        Action::Stream {
            msg: StreamMsg::End(_),
            ..
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::test_harness::Harness;

    #[test]
    fn a_streaming_reply_alone_is_drawn_at_the_lower_rate() {
        let mut h = Harness::new();
        assert_eq!(frame_gap(&h.app, false), FRAME, "idle");
        h.type_text("hi");
        h.enter();
        assert!(h.app.in_flight.is_some(), "Enter started a reply");
        assert_eq!(frame_gap(&h.app, false), STREAM_FRAME);
        assert_eq!(frame_gap(&h.app, true), FRAME, "typing while it streams");
        assert!(is_input(&Action::Paste("x".into())));
        assert!(!is_input(&Action::Tick));
    }
}
