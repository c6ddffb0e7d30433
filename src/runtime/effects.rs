//! Running effects: replies, model discovery, the state file, media and store work.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::media;
use super::pieces::PieceSink;
use crate::api::client::Client;
use crate::app::media::MediaMsg;
use crate::app::{Action, App, Effect, StreamMsg, update};
use crate::config::{Paths, Provider};
use crate::providers;
use crate::store::state_file::{CachedModels, ModelCache, RememberedState};
use crate::store::task::StoreHandle;

/// Everything effects need: the app channel, the HTTP client, the dirs, the media and store
/// workers, and the cancellation tokens of replies in flight.
pub(super) struct Edge {
    pub(super) tx: mpsc::UnboundedSender<Action>,
    /// Where reply pieces go: bounded, so a fast server waits for the loop.
    pub(super) pieces: mpsc::Sender<Action>,
    pub(super) client: Client,
    pub(super) paths: Paths,
    /// Built off the main thread after the first frame (see `run`).
    pub(super) media: Arc<OnceLock<media::MediaRunner>>,
    pub(super) store: StoreHandle,
    pub(super) replies: HashMap<u64, CancellationToken>,
    /// A prompt to edit in the external editor; the loop runs it, since it owns the terminal.
    pub(super) edit: Option<String>,
    /// The history revision last written, and the last one done: writes run on blocking
    /// threads, and an older list must never overwrite a newer one.
    pub(super) history_writes: (u64, Arc<std::sync::Mutex<u64>>),
    /// Ctrl+Z was pressed: the loop stops the process (it owns the terminal).
    pub(super) suspend: bool,
    /// Mouse capture to switch to; the loop does it.
    pub(super) mouse: Option<bool>,
    /// Task bells rung so far (see `TaskBoard::bells`).
    pub(super) bells_rung: u64,
}

pub(super) fn apply(app: &mut App, action: Action, edge: &mut Edge) {
    for effect in update(app, action, Instant::now()) {
        match effect {
            Effect::StartReply {
                reply_id,
                target,
                history,
            } => {
                let token = CancellationToken::new();
                edge.replies.insert(reply_id, token.clone());
                let mut sink =
                    PieceSink::new(reply_id, edge.pieces.clone()).waking(edge.tx.clone());
                let client = edge.client.clone();
                tokio::spawn(async move {
                    let end =
                        providers::chat(&client, &target, history, false, &mut sink, &token).await;
                    sink.end(StreamMsg::End(end)).await;
                });
            }
            Effect::CancelReply { reply_id } => {
                if let Some(token) = edge.replies.remove(&reply_id) {
                    token.cancel();
                }
            }
            Effect::SaveLastModel(label) => {
                let dir = edge.paths.state_dir.clone();
                tokio::task::spawn_blocking(move || {
                    let mut state = RememberedState::load(&dir);
                    state.last_model = Some(label);
                    if let Err(e) = state.save(&dir) {
                        tracing::warn!(%e, "cannot save the last used model");
                    }
                });
            }
            Effect::DiscoverModels(provider) => {
                let tx = edge.tx.clone();
                let client = edge.client.clone();
                let cache_dir = edge.paths.cache_dir.clone();
                tokio::spawn(async move {
                    let result = discover(&client, &provider, &cache_dir).await;
                    let _ = tx.send(Action::ModelsDiscovered {
                        provider: provider.name.clone(),
                        result,
                    });
                });
            }
            Effect::Copy { text } => copy_to_clipboard(text, &edge.tx),
            Effect::Media(effect) => edge
                .media
                .get_or_init(|| media::MediaRunner::new(&app.media.settings, edge.client.tls()))
                .run(effect, &edge.tx),
            Effect::Store(cmd) => edge.store.send(cmd),
            Effect::EditPrompt { text } => edge.edit = Some(text),
            Effect::Suspend => edge.suspend = true,
            Effect::SetMouse(on) => edge.mouse = Some(on),
            Effect::Billing(effect) => super::billing::run(
                effect,
                &edge.tx,
                edge.paths.cache_dir.clone(),
                edge.client.tls(),
            ),
            Effect::Attach(effect) => super::attach::run(effect, &edge.tx),
            Effect::Task(effect) => super::tasks::run(effect, &edge.tx, edge.client.tls()),
        }
    }
    // A prompt sent or cleared joined the history: the file follows, unless this chat is not
    // to be saved at all (`--no-save` leaves the store without a path).
    if app.prompt.history_rev() != edge.history_writes.0 && app.sessions.db_path.is_some() {
        edge.history_writes.0 = app.prompt.history_rev();
        save_history(app, edge);
    }
    // A task ended with `task_bell` on: BEL between frames moves nothing on the screen.
    if app.tasks.bells != edge.bells_rung {
        edge.bells_rung = app.tasks.bells;
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x07").and_then(|()| out.flush());
    }
    // Finished replies no longer need their token.
    if !app.replying() {
        edge.replies.clear();
    }
}

/// Writes OSC 52 for `text` to the terminal; a failure comes back as a status-bar error. Not
/// a media job: it needs no downloads and works when the media fetcher could not start.
fn copy_to_clipboard(text: String, tx: &mpsc::UnboundedSender<Action>) {
    let copy = crossterm::clipboard::CopyToClipboard::to_clipboard_from(text);
    if let Err(e) = crossterm::execute!(std::io::stdout(), copy) {
        let _ = tx.send(Action::Media(MediaMsg::Failed(format!("copy failed: {e}"))));
    }
}

/// At exit: the last history write is done before the process ends (a prompt cleared with
/// Ctrl+C just before quitting must not be lost to a write still queued).
pub(super) fn flush_history(app: &App, edge: &Edge) {
    let Ok(mut last) = edge.history_writes.1.lock() else {
        return;
    };
    // Holding the lock, no queued writer can start; one that already wrote recorded its number.
    if *last >= edge.history_writes.0 {
        return;
    }
    *last = edge.history_writes.0;
    let keys = known_keys(&app.providers);
    if let Err(e) =
        crate::store::history_file::save(&edge.paths.state_dir, app.prompt.history(), &keys)
    {
        tracing::warn!(%e, "cannot save the prompt history");
    }
}

/// The API keys of the providers that are known without running a command.
fn known_keys(providers: &[Provider]) -> Vec<String> {
    providers
        .iter()
        .filter(|p| !p.needs_key_command())
        .filter_map(|p| p.endpoint(&providers::process_env).ok()?.api_key)
        .collect()
}

/// Writes the prompt history off the UI thread, leaving out anything holding a key of the
/// configured providers (keys a command prints are known only once it has run).
fn save_history(app: &App, edge: &mut Edge) {
    let entries = app.prompt.history().to_vec();
    let seq = edge.history_writes.0;
    let done = edge.history_writes.1.clone();
    let providers = app.providers.clone();
    let dir = edge.paths.state_dir.clone();
    tokio::task::spawn_blocking(move || {
        let keys = known_keys(&providers);
        let Ok(mut last) = done.lock() else { return };
        if *last >= seq {
            return;
        }
        *last = seq;
        if let Err(e) = crate::store::history_file::save(&dir, &entries, &keys) {
            tracing::warn!(%e, "cannot save the prompt history");
        }
    });
}

/// Fetches a provider's `/models` and caches the ids with the time of the fetch.
async fn discover(
    client: &Client,
    provider: &Provider,
    cache_dir: &std::path::Path,
) -> Result<Vec<String>, String> {
    let endpoint = providers::endpoint(provider)
        .await
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
