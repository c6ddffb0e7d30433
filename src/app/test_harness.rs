//! A small driver for the update tests of selection, copying, slash commands, the editor and
//! the mouse: actions in at a fake clock, effects out.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use super::{Action, App, Effect, StreamMsg, update};
use crate::api::client::ReplyEnd;
use crate::api::{ApiError, StreamEvent};
use crate::config::{ModelSpec, Provider};
use crate::providers::Target;
use crate::view::theme::Theme;

/// An app on the demo model at 80x24 and a clock that moves 10 ms per action.
pub struct Harness {
    pub app: App,
    t0: Instant,
    clock: Duration,
}

impl Harness {
    /// A fresh app at 80x24 on the demo model.
    pub fn new() -> Self {
        Self::sized(80, 24)
    }

    /// A fresh app of `width` x `height` on the demo model.
    pub fn sized(width: u16, height: u16) -> Self {
        let target = Target {
            provider: Provider::builtin_demo(),
            model: ModelSpec::new("demo"),
        };
        let t0 = Instant::now();
        Self {
            app: App::new(target, Theme::default(), Rect::new(0, 0, width, height), t0),
            t0,
            clock: Duration::ZERO,
        }
    }

    /// Applies one action 10 ms after the previous one.
    pub fn act(&mut self, action: Action) -> Vec<Effect> {
        self.at(Duration::from_millis(10), action)
    }

    /// Applies one action `advance` after the previous one.
    pub fn at(&mut self, advance: Duration, action: Action) -> Vec<Effect> {
        self.clock += advance;
        update(&mut self.app, action, self.t0 + self.clock)
    }

    /// A key with modifiers.
    pub fn key(&mut self, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
        self.act(Action::Key(KeyEvent::new(code, mods)))
    }

    /// A plain key, as a terminal reports it (capitals with Shift).
    pub fn press(&mut self, c: char) -> Vec<Effect> {
        let mods = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        self.key(KeyCode::Char(c), mods)
    }

    /// Types `s` character by character.
    pub fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.press(c);
        }
    }

    /// Presses Enter.
    pub fn enter(&mut self) -> Vec<Effect> {
        self.key(KeyCode::Enter, KeyModifiers::NONE)
    }

    /// Sends `prompt` and streams `reply` back as one finished answer.
    pub fn exchange(&mut self, prompt: &str, reply: &str) {
        self.type_text(prompt);
        let fx = self.enter();
        self.answer(&fx, reply);
    }

    /// Streams `text` into the reply `fx` asked for and ends it; returns the contents of the
    /// request's history.
    pub fn answer(&mut self, fx: &[Effect], text: &str) -> Vec<String> {
        self.answer_ending(fx, text, ReplyEnd::default())
    }

    /// Like `answer`, with the reply ending as `end` says (its usage, say).
    pub fn answer_ending(&mut self, fx: &[Effect], text: &str, end: ReplyEnd) -> Vec<String> {
        let Some(Effect::StartReply {
            reply_id, history, ..
        }) = fx.iter().find(|e| matches!(e, Effect::StartReply { .. }))
        else {
            panic!("expected StartReply, got {fx:?}");
        };
        let id = *reply_id;
        let sent = history.iter().map(|m| m.content.clone()).collect();
        self.act(Action::Stream {
            id,
            msg: StreamMsg::Event(StreamEvent::Content(text.into())),
        });
        self.act(Action::Stream {
            id,
            msg: StreamMsg::End(Ok(end)),
        });
        sent
    }

    /// Turns saving on (to a database that is never opened: the store commands are the
    /// effects to look at), with the built-in config for reopened sessions' models.
    pub fn saving(&mut self) {
        self.app.sessions = crate::app::sessions::Sessions::new(
            Some(std::path::PathBuf::from("/nonexistent/ecochat.db")),
            None,
            Some(crate::config::Config::builtin(&|_| None)),
        );
    }

    /// The notice in the status bar.
    pub fn notice(&self) -> String {
        self.app
            .notice
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_default()
    }

    /// True when the status bar shows an error.
    pub fn notice_is_error(&self) -> bool {
        self.app.notice.as_ref().is_some_and(|n| n.is_error)
    }
}

/// A test's own driver wrapping `Harness`, reaching its methods and `app` through `Deref`.
macro_rules! harness_wrapper {
    ($name:ident) => {
        struct $name($crate::app::test_harness::Harness);

        impl std::ops::Deref for $name {
            type Target = $crate::app::test_harness::Harness;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        impl std::ops::DerefMut for $name {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.0
            }
        }
    };
}
pub(crate) use harness_wrapper;

/// A reply driven through `update`: sent, streamed, ended.
pub(crate) trait Replies {
    /// Types and sends a prompt; returns the id of the reply it started.
    fn send(&mut self, s: &str) -> u64;
    fn chunk(&mut self, id: u64, ev: StreamEvent);
    fn end(&mut self, id: u64, end: Result<ReplyEnd, ApiError>);
    fn last(&self) -> &crate::chat::Message;

    /// `n` finished exchanges, each reply two lines (one of them Chinese).
    fn long_conversation(&mut self, n: usize) {
        for i in 0..n {
            let id = self.send(&format!("question {i}"));
            self.chunk(
                id,
                StreamEvent::Content(format!("answer {i}\nsecond line 第二行")),
            );
            self.end(id, Ok(ReplyEnd::default()));
        }
    }
}

impl Replies for Harness {
    fn send(&mut self, s: &str) -> u64 {
        self.type_text(s);
        let effects = self.key(KeyCode::Enter, KeyModifiers::NONE);
        match effects.as_slice() {
            [Effect::StartReply { reply_id, .. }] => *reply_id,
            other => panic!("expected StartReply, got {other:?}"),
        }
    }

    fn chunk(&mut self, id: u64, ev: StreamEvent) {
        let fx = self.act(Action::Stream {
            id,
            msg: StreamMsg::Event(ev),
        });
        assert!(fx.is_empty());
    }

    fn end(&mut self, id: u64, end: Result<ReplyEnd, ApiError>) {
        self.act(Action::Stream {
            id,
            msg: StreamMsg::End(end),
        });
    }

    fn last(&self) -> &crate::chat::Message {
        self.app.conv.messages().last().unwrap()
    }
}
