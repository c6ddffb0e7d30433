//! The event loop: terminal events, reply pieces and timers become actions; effects run here.

pub mod media;
pub mod terminal;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, MouseEventKind};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::api::client::Client;
use crate::app::{Action, App, Effect, StreamMsg, update};
use crate::backend;
use crate::config::{Paths, Provider};
use crate::state_file::{CachedModels, ModelCache, RememberedState};
use crate::ui;
use terminal::TerminalGuard;

/// Frames are drawn at most this often; a burst of reply pieces costs one frame.
const FRAME: Duration = Duration::from_millis(16);
/// Longest stretch spent applying queued reply pieces before the loop looks at the keyboard again.
const DRAIN_BUDGET: Duration = Duration::from_millis(8);
/// Spinner and rate refresh while a reply is in flight.
const TICK: Duration = Duration::from_millis(100);

/// Runs the TUI until the user quits or a terminating signal arrives.
pub async fn run(mut app: App, client: Client, paths: Paths) -> anyhow::Result<()> {
    let mut guard = TerminalGuard::enter()?;
    media::install_picker(&mut app);
    let size = guard.terminal.size()?;
    update(
        &mut app,
        Action::Resize {
            width: size.width,
            height: size.height,
        },
        Instant::now(),
    );

    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    // Syntax colours take tens of milliseconds to decode: on another thread, with a frame when
    // they are ready (code on screen before that is drawn plain).
    let ready = tx.clone();
    ui::markdown::warm_up(move || {
        let _ = ready.send(Action::Tick);
    });
    let mut events = EventStream::new();
    let mut replies: HashMap<u64, CancellationToken> = HashMap::new();
    let mut signals = Signals::new()?;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    guard.terminal.draw(|f| ui::render(&app, f))?;
    let mut last_draw = Instant::now();
    let mut dirty = false;
    // Its HTTP clients read the system's root certificates (tens of milliseconds): built on a
    // blocking thread once the first frame is out; an effect that needs it sooner waits for it.
    let media = Arc::new(OnceLock::<media::MediaRunner>::new());
    {
        let media = media.clone();
        let settings = app.media.settings.clone();
        tokio::task::spawn_blocking(move || {
            media.get_or_init(|| media::MediaRunner::new(&settings));
        });
    }

    while !app.quit {
        let next_frame = tokio::time::Instant::from_std(last_draw + FRAME);
        let action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => translate(ev),
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(a) = rx.recv() => Some(a),
            _ = tick.tick(), if app.in_flight.is_some() || app.media.is_busy() => Some(Action::Tick),
            () = tokio::time::sleep_until(next_frame), if dirty => None,
            () = signals.recv() => {
                tracing::info!("terminating signal: leaving");
                break;
            }
        };
        let mut reply_ended = false;
        if let Some(action) = action {
            reply_ended |= ends_reply(&action);
            apply(&mut app, action, &tx, &client, &paths, &media, &mut replies);
            dirty = true;
            // What is already queued is applied before the next frame, but only for a slice of
            // a frame: a server sending faster than we apply must not starve the keyboard.
            let budget = Instant::now() + DRAIN_BUDGET;
            while Instant::now() < budget {
                let Ok(a) = rx.try_recv() else { break };
                reply_ended |= ends_reply(&a);
                apply(&mut app, a, &tx, &client, &paths, &media, &mut replies);
            }
        }
        // The end of a reply is drawn at once: nothing more is coming to share its frame.
        if dirty && (reply_ended || last_draw.elapsed() >= FRAME) {
            guard.terminal.draw(|f| ui::render(&app, f))?;
            last_draw = Instant::now();
            dirty = false;
        }
    }
    for token in replies.values() {
        token.cancel();
    }
    drop(guard);
    Ok(())
}

/// Fetches a provider's `/models` and caches the ids with the time of the fetch.
async fn discover(
    client: &Client,
    provider: &Provider,
    cache_dir: &std::path::Path,
) -> Result<Vec<String>, String> {
    let endpoint = provider
        .endpoint(&backend::process_env)
        .map_err(|e| e.to_string())?;
    let ids = client
        .list_models(&endpoint)
        .await
        .map_err(|e| e.to_string())?;
    let dir = cache_dir.to_path_buf();
    let name = provider.name.clone();
    let cached = ids.clone();
    let saved = tokio::task::spawn_blocking(move || {
        let mut cache = ModelCache::load(&dir);
        let fetched_at = chrono::Utc::now().timestamp();
        cache.providers.insert(
            name,
            CachedModels {
                fetched_at,
                ids: cached,
            },
        );
        cache.save(&dir)
    })
    .await;
    if let Ok(Err(e)) = saved {
        tracing::warn!(%e, "cannot cache the model list");
    }
    Ok(ids)
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

fn translate(ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) => Some(Action::Key(k)),
        Event::Paste(p) => Some(Action::Paste(p)),
        // Mouse capture reports every pointer move; those change nothing, so they must not
        // cost a frame.
        Event::Mouse(m) if matches!(m.kind, MouseEventKind::Moved) => None,
        Event::Mouse(m) => Some(Action::Mouse(m)),
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        Event::FocusGained | Event::FocusLost => None,
    }
}

fn apply(
    app: &mut App,
    action: Action,
    tx: &mpsc::UnboundedSender<Action>,
    client: &Client,
    paths: &Paths,
    media: &OnceLock<media::MediaRunner>,
    replies: &mut HashMap<u64, CancellationToken>,
) {
    for effect in update(app, action, Instant::now()) {
        match effect {
            Effect::StartReply {
                reply_id,
                target,
                history,
            } => {
                let token = CancellationToken::new();
                replies.insert(reply_id, token.clone());
                let tx = tx.clone();
                let client = client.clone();
                tokio::spawn(async move {
                    let events_tx = tx.clone();
                    let mut on_event = move |ev| {
                        let _ = events_tx.send(Action::Stream {
                            id: reply_id,
                            msg: StreamMsg::Event(ev),
                        });
                    };
                    let end =
                        backend::chat(&client, &target, &history, false, &mut on_event, &token)
                            .await;
                    let _ = tx.send(Action::Stream {
                        id: reply_id,
                        msg: StreamMsg::End(end),
                    });
                });
            }
            Effect::CancelReply { reply_id } => {
                if let Some(token) = replies.remove(&reply_id) {
                    token.cancel();
                }
            }
            Effect::SaveLastModel(label) => {
                let dir = paths.state_dir.clone();
                tokio::task::spawn_blocking(move || {
                    let mut state = RememberedState::load(&dir);
                    state.last_model = Some(label);
                    if let Err(e) = state.save(&dir) {
                        tracing::warn!(%e, "cannot save the last used model");
                    }
                });
            }
            Effect::DiscoverModels(provider) => {
                let tx = tx.clone();
                let client = client.clone();
                let cache_dir = paths.cache_dir.clone();
                tokio::spawn(async move {
                    let result = discover(&client, &provider, &cache_dir).await;
                    let _ = tx.send(Action::ModelsDiscovered {
                        provider: provider.name.clone(),
                        result,
                    });
                });
            }
            Effect::Media(effect) => media
                .get_or_init(|| media::MediaRunner::new(&app.media.settings))
                .run(effect, tx),
            Effect::Quit => {}
        }
    }
    // Finished replies no longer need their token.
    if app.in_flight.is_none() {
        replies.clear();
    }
}

/// SIGTERM, SIGHUP and SIGINT: each ends the loop so the terminal is restored.
struct Signals {
    #[cfg(unix)]
    inner: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let kinds = [
                SignalKind::terminate(),
                SignalKind::hangup(),
                SignalKind::interrupt(),
            ];
            let inner = kinds
                .into_iter()
                .map(signal)
                .collect::<std::io::Result<Vec<_>>>()?;
            Ok(Self { inner })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let futures = self.inner.iter_mut().map(|s| Box::pin(s.recv()));
            futures_util::future::select_all(futures).await;
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
