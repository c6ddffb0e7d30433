//! Notices in the status bar last a few seconds. Any code in `update` may set `app.notice`;
//! `update` notes when it changed, and the event loop wakes once at `expiry` to take it down
//! (no polling: an idle app with no notice has no timer at all).

use std::time::{Duration, Instant};

use super::App;

/// How long an informational notice stays.
pub const NOTICE_TTL: Duration = Duration::from_secs(4);
/// How long an error stays: longer, to be read.
pub const ERROR_TTL: Duration = Duration::from_secs(12);

/// Said when a prompt is sent while a reply streams; taken down when that reply ends.
pub const STILL_STREAMING: &str = "a reply is still streaming: Esc cancels it";

/// When the notice on show should go, if there is one.
pub fn expiry(app: &App) -> Option<Instant> {
    let notice = app.notice.as_ref()?;
    let since = app.notice_since?;
    Some(
        since
            + if notice.is_error {
                ERROR_TTL
            } else {
                NOTICE_TTL
            },
    )
}

/// Takes down a notice whose time is up.
pub(super) fn expire(app: &mut App, now: Instant) {
    if expiry(app).is_some_and(|at| now >= at) {
        app.notice = None;
        app.notice_since = None;
    }
}

/// After an action: a new notice starts its time; one about a streaming reply goes when no
/// reply streams any more.
pub(super) fn after_update(app: &mut App, before: Option<super::Notice>, now: Instant) {
    if !app.replying()
        && app
            .notice
            .as_ref()
            .is_some_and(|n| n.text == STILL_STREAMING)
    {
        app.notice = None;
    }
    match &app.notice {
        None => app.notice_since = None,
        Some(n) if before.as_ref() != Some(n) || app.notice_since.is_none() => {
            app.notice_since = Some(now);
        }
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crossterm::event::{KeyCode, KeyModifiers};

    use crate::api::client::ReplyEnd;
    use crate::app::test_harness::Harness;
    use crate::app::{Action, Effect, StreamMsg};

    use super::*;

    #[test]
    fn a_notice_goes_after_its_time_and_says_when() {
        let mut h = Harness::new();
        h.key(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(h.notice(), "new conversation");
        let at = expiry(&h.app).expect("a notice has an expiry");
        assert_eq!(at, h.app.now + NOTICE_TTL);
        h.at(NOTICE_TTL / 2, Action::Tick);
        assert_eq!(h.notice(), "new conversation");
        h.at(NOTICE_TTL, Action::Tick);
        assert!(h.app.notice.is_none());
        assert_eq!(expiry(&h.app), None, "nothing left to wake for");
    }

    #[test]
    fn still_streaming_goes_when_the_reply_ends() {
        let mut h = Harness::new();
        h.type_text("one");
        let fx = h.enter();
        let Some(Effect::StartReply { reply_id, .. }) = fx.first() else {
            panic!("{fx:?}")
        };
        let id = *reply_id;
        h.type_text("two");
        h.enter();
        assert_eq!(h.notice(), STILL_STREAMING);
        h.act(Action::Stream {
            id,
            msg: StreamMsg::End(Ok(ReplyEnd::default())),
        });
        assert!(h.app.notice.is_none(), "{}", h.notice());
        assert_eq!(h.app.prompt.text(), "two");
    }

    #[test]
    fn a_notice_set_again_starts_its_time_again() {
        let mut h = Harness::new();
        h.key(KeyCode::Char('n'), KeyModifiers::CONTROL);
        h.at(Duration::from_secs(3), Action::Tick);
        h.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(h.notice(), "nothing to regenerate");
        h.at(Duration::from_secs(3), Action::Tick);
        assert_eq!(h.notice(), "nothing to regenerate");
    }
}
