//! The app with its runtime pieces (chat client, media fetcher, images API), driven like
//! `runtime::run` does minus the terminal, for the media tests against the mock server.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui_image::picker::Picker;
use serde_json::json;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use ecochat::api::client::Client;
use ecochat::app::media::{Load, MediaSettings};
use ecochat::app::{Action, App, Effect, StreamMsg, update};
use ecochat::config::{ModelSpec, Provider};
use ecochat::media::ImageProtocol;
use ecochat::providers::{self, Target};
use ecochat::runtime::media::MediaRunner;
use ecochat::ui;
use ecochat::view::theme::Theme;

use crate::support::{MockServer, Reply};

pub const KEY: &str = "sk-media-test-key";

/// One SSE reply whose whole content is `text`.
pub fn reply_with(text: &str) -> Reply {
    let chunk = json!({"id":"c1","object":"chat.completion.chunk","model":"m",
        "choices":[{"index":0,"delta":{"content":text},"finish_reason":null}]});
    let stop = json!({"id":"c1","object":"chat.completion.chunk","model":"m",
        "choices":[{"index":0,"delta":{},"finish_reason":"stop"}]});
    Reply::sse(format!("data: {chunk}\n\ndata: {stop}\n\ndata: [DONE]\n\n").as_bytes())
}

/// The app with its runtime pieces, driven like `runtime::run` does, minus the terminal.
pub struct Rig {
    pub app: App,
    client: Client,
    media: MediaRunner,
    tx: mpsc::UnboundedSender<Action>,
    rx: mpsc::UnboundedReceiver<Action>,
    _cache: tempfile::TempDir,
}

impl Rig {
    pub fn new(server: &MockServer) -> Self {
        Self::with(server, |_| {})
    }

    /// A rig whose media settings `tweak` changes before the runner is built.
    pub fn with(server: &MockServer, tweak: impl FnOnce(&mut MediaSettings)) -> Self {
        let provider = Provider::new("mock", Some(server.base_url())).with_api_key(KEY);
        let target = Target {
            provider,
            model: ModelSpec::new("gpt-4o-all"),
        };
        let mut app = App::new(
            target,
            Theme::default(),
            Rect::new(0, 0, 120, 40),
            Instant::now(),
        );
        let cache = tempfile::tempdir().unwrap();
        app.media.settings = MediaSettings {
            cache_dir: Some(cache.path().join("media")),
            downloads_dir: cache.path().join("downloads"),
            protocol: ImageProtocol::Halfblocks,
            auto_open: true,
            ..MediaSettings::default()
        };
        tweak(&mut app.media.settings);
        app.media.picker = Some(Picker::halfblocks());
        let media = MediaRunner::new(&app.media.settings, Default::default());
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            app,
            client: Client::new().unwrap(),
            media,
            tx,
            rx,
            _cache: cache,
        }
    }

    pub fn apply(&mut self, action: Action) {
        for effect in update(&mut self.app, action, Instant::now()) {
            match effect {
                Effect::StartReply {
                    reply_id,
                    target,
                    history,
                } => {
                    let (tx, client) = (self.tx.clone(), self.client.clone());
                    tokio::spawn(async move {
                        let events = tx.clone();
                        let mut on_event = move |ev| {
                            let _ = events.send(Action::Stream {
                                id: reply_id,
                                msg: StreamMsg::Event(ev),
                            });
                        };
                        let token = CancellationToken::new();
                        let end = providers::chat(
                            &client,
                            &target,
                            history,
                            false,
                            &mut on_event,
                            &token,
                        )
                        .await;
                        let _ = tx.send(Action::Stream {
                            id: reply_id,
                            msg: StreamMsg::End(end),
                        });
                    });
                }
                Effect::Media(e) => self.media.run(e, &self.tx),
                _ => {}
            }
        }
    }

    pub fn type_and_send(&mut self, text: &str) {
        for c in text.chars() {
            self.apply(Action::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
        self.apply(Action::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        )));
    }

    /// Applies what the background tasks report until `done` holds; panics after 15 s.
    pub async fn run_until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while !done(&self.app) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(action)) => self.apply(action),
                _ => panic!("timed out waiting for {what}"),
            }
        }
    }

    pub fn load(&self, url: &str) -> Option<&Load> {
        self.app.media.load(url)
    }

    pub fn screen(&self) -> String {
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        terminal.draw(|f| ui::render(&self.app, f)).unwrap();
        terminal.backend().to_string()
    }
}
