//! A terminating signal: the reply in flight is marked as stopped (so the store writes it at
//! once, not at the next checkpoint) and the app quits.

use super::{App, Effect};
use crate::signals::Signal;

/// Stops the reply in flight, keeping its text marked interrupted, and quits.
pub(super) fn on_signal(app: &mut App, signal: Signal) -> Vec<Effect> {
    let why = format!("ecochat was stopped by {}", signal.name());
    let mut effects = super::compare::stop(app, |m| {
        m.fail(why.clone());
    });
    if let Some(flight) = app.in_flight.take() {
        if let Some(msg) = app.conv.get_mut(flight.id) {
            msg.fail(why);
        }
        effects.push(Effect::CancelReply {
            reply_id: flight.id,
        });
    }
    app.quit = true;
    effects
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::layout::Rect;

    use crate::api::StreamEvent;
    use crate::app::sessions::Sessions;
    use crate::app::{Action, App, Effect, StreamMsg, update};
    use crate::chat::Status;
    use crate::config::{ModelSpec, Provider};
    use crate::providers::Target;
    use crate::signals::Signal;
    use crate::store::task::StoreCmd;
    use crate::view::theme::Theme;

    fn fresh() -> (App, Instant) {
        let t0 = Instant::now();
        let target = Target {
            provider: Provider::builtin_demo(),
            model: ModelSpec::new("demo"),
        };
        let mut app = App::new(target, Theme::default(), Rect::new(0, 0, 80, 24), t0);
        app.sessions = Sessions::new(Some(PathBuf::from("/nonexistent/ecochat.db")), None, None);
        (app, t0)
    }

    fn send(app: &mut App, t: Instant, text: &str) -> u64 {
        for c in text.chars() {
            update(
                app,
                Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
                t,
            );
        }
        let fx = update(
            app,
            Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            t,
        );
        match fx.iter().find(|e| matches!(e, Effect::StartReply { .. })) {
            Some(Effect::StartReply { reply_id, .. }) => *reply_id,
            _ => panic!("no reply started: {fx:?}"),
        }
    }

    /// The messages of every Save command in `fx`.
    fn saved(fx: &[Effect]) -> Vec<crate::chat::Message> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Store(StoreCmd::Save { messages, .. }) => Some(messages.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    #[test]
    fn a_signal_mid_reply_writes_the_partial_reply_at_once_and_quits() {
        for signal in [Signal::Terminate, Signal::Hangup, Signal::Interrupt] {
            let (mut app, t0) = fresh();
            let id = send(&mut app, t0, "数到一百");
            let piece = |n| Action::Stream {
                id,
                msg: StreamMsg::Event(StreamEvent::Content(format!("第{n}段，"))),
            };
            // The first piece is checkpointed; the second falls inside the checkpoint interval.
            update(&mut app, piece(1), t0 + Duration::from_millis(10));
            let fx = update(&mut app, piece(2), t0 + Duration::from_millis(20));
            assert!(saved(&fx).is_empty(), "not yet due");

            let fx = update(
                &mut app,
                Action::Terminate(signal),
                t0 + Duration::from_millis(30),
            );
            assert!(app.quit);
            assert!(
                fx.iter()
                    .any(|e| matches!(e, Effect::CancelReply { reply_id } if *reply_id == id))
            );
            let reply = saved(&fx)
                .into_iter()
                .find(|m| m.id == id)
                .expect("reply written");
            assert_eq!(reply.content, "第1段，第2段，");
            assert_eq!(
                reply.status,
                Status::Interrupted(format!("ecochat was stopped by {}", signal.name()))
            );
        }
    }

    #[test]
    fn a_signal_before_the_first_token_records_a_failed_reply_and_when_idle_just_quits() {
        let (mut app, t0) = fresh();
        send(&mut app, t0, "hello");
        let fx = update(&mut app, Action::Terminate(Signal::Terminate), t0);
        let reply = saved(&fx).into_iter().last().expect("written");
        assert!(
            matches!(reply.status, Status::Failed(_)),
            "{:?}",
            reply.status
        );

        let (mut idle, t0) = fresh();
        let fx = update(&mut idle, Action::Terminate(Signal::Hangup), t0);
        assert!(idle.quit);
        assert!(fx.is_empty(), "{fx:?}");
    }
}
