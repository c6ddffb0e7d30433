//! Session persistence as pure state: which session the conversation is, what has been written,
//! and the store commands that keep the database in step with the conversation.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};

use super::browser::SessionBrowser;
use super::{App, Effect, Notice, Overlay};
use crate::chat::{Changes, Conversation, Role};
use crate::config::Config;
use crate::providers::Target;
use crate::store::plan::{self, Scope, StoreHas};
use crate::store::slug::{file_stem, title_from_prompt};
use crate::store::task::{SessionMeta, SessionRef, StoreCmd, StoreEvent};
use crate::store::transcript::{self, TranscriptMeta};
use crate::store::{SessionId, StoredSession};

/// A streaming reply is written at least this often, so a crash loses at most this much.
pub const CHECKPOINT: Duration = Duration::from_secs(1);
pub use crate::store::plan::{CHECKPOINT_BYTES, LONG_BYTES};
/// After a failed write, wait this long before trying again (a full disk does not heal at once).
pub const RETRY: Duration = Duration::from_secs(30);

/// Where the current conversation stands with the store.
#[derive(Debug, Clone)]
pub struct Sessions {
    /// The database file; `None` when saving is off.
    pub db_path: Option<PathBuf>,
    /// Where Ctrl+S writes transcripts.
    pub transcripts_dir: Option<PathBuf>,
    /// To find the provider of a reopened session's model.
    pub config: Option<Config>,
    /// The session the conversation is written to.
    pub current: SessionRef,
    next_local: u64,
    /// What the store has of each message.
    has: StoreHas,
    last_checkpoint: Option<Instant>,
    retry_after: Option<Instant>,
    /// The database could not be opened: nothing is written this run.
    unavailable: bool,
    /// Why conversations are not being saved, for the status bar.
    pub warning: Option<String>,
    /// The session's title, once it has one.
    pub title: Option<String>,
    /// Written before it had a prompt to be titled from (a chat begun with `/system`).
    untitled_written: bool,
    /// Where Ctrl+S last wrote this conversation (later saves replace it).
    pub transcript_path: Option<PathBuf>,
    /// The Ctrl+O popup.
    pub browser: SessionBrowser,
    /// A search hit being opened: its session opens on the branch of this message.
    pub open_at: Option<(crate::store::SessionId, u64)>,
    /// The branch on screen as last written (`StoredSession::shown`).
    shown_written: Option<u64>,
    /// The store has every message as it is (the last full plan left nothing waiting), so
    /// an update that touched no message has nothing to plan: a key typed into the prompt
    /// no longer checks every message of a long session against the store.
    settled: bool,
    /// Plans that looked at every message (tests count them).
    pub(crate) full_plans: u64,
    /// The live replies the last plans left waiting for their checkpoint: while nothing else
    /// changes, only they can have anything to write.
    waiting: Vec<u64>,
}

impl Default for Sessions {
    fn default() -> Self {
        Self {
            db_path: None,
            transcripts_dir: None,
            config: None,
            current: SessionRef::New(0),
            next_local: 1,
            has: StoreHas::default(),
            last_checkpoint: None,
            retry_after: None,
            unavailable: false,
            warning: None,
            title: None,
            untitled_written: false,
            transcript_path: None,
            browser: SessionBrowser::default(),
            open_at: None,
            shown_written: None,
            settled: false,
            full_plans: 0,
            waiting: Vec::new(),
        }
    }
}

impl Sessions {
    /// Saving to `db_path` (none: off), transcripts to `transcripts_dir`, models from `config`.
    pub fn new(
        db_path: Option<PathBuf>,
        transcripts_dir: Option<PathBuf>,
        config: Option<Config>,
    ) -> Self {
        Self {
            db_path,
            transcripts_dir,
            config,
            ..Self::default()
        }
    }

    /// The database id of the current session, once it has one.
    pub fn stored_id(&self) -> Option<SessionId> {
        match self.current {
            SessionRef::Id(id) => Some(id),
            SessionRef::New(_) => None,
        }
    }

    /// True when conversations are written to a database.
    pub fn saving(&self) -> bool {
        self.db_path.is_some() && !self.unavailable
    }

    /// The next update plans every message, whatever it changed.
    fn unsettle(&mut self) {
        self.settled = false;
        self.waiting.clear();
    }

    /// Detaches from the current session: what follows goes to a new one.
    fn start_new(&mut self) {
        self.current = SessionRef::New(self.next_local);
        self.next_local += 1;
        self.has.clear();
        self.unsettle();
        self.last_checkpoint = None;
        self.title = None;
        self.untitled_written = false;
        self.transcript_path = None;
        self.shown_written = None;
    }
}

/// Store commands for whatever changed in the conversation since the last call: finished
/// messages at once, a live reply at most every `CHECKPOINT`, removed messages deleted (the
/// policy is `store::plan`'s). `piece_of`: only this message changed (`Changes::only`).
pub fn persist(app: &mut App, now: Instant, changes: Changes, effects: &mut Vec<Effect>) {
    let s = &app.sessions;
    if changes == Changes::None && s.retry_after.is_none() {
        // No message changed since a plan that left the store with all of them, so there is
        // nothing to write, and no branch switch to record (switching changes the messages).
        if s.settled {
            return;
        }
        // Nor since one that left a streaming reply waiting for its checkpoint: only that
        // reply is looked at (each tick of a long session's reply checked every message).
        if let [id] = s.waiting[..] {
            sync(app, now, false, Some(id), effects);
            return;
        }
    }
    let piece_of = changes.only();
    sync(app, now, false, piece_of, effects);
    if piece_of.is_none() {
        sync_shown(app, effects);
    }
}

/// Records which branch is on screen when `<`, `>` or a search hit changed it, so the
/// session opens on it again.
fn sync_shown(app: &mut App, effects: &mut Vec<Effect>) {
    let s = &mut app.sessions;
    if !s.saving() || app.conv.is_empty() {
        return;
    }
    let shown = shown_branch(&app.conv);
    if shown != s.shown_written {
        s.shown_written = shown;
        effects.push(Effect::Store(StoreCmd::Shown {
            session: s.current,
            shown,
        }));
    }
}

/// The last message of the branch on screen, unless it is the newest message (the branch a
/// session opens on anyway).
fn shown_branch(conv: &Conversation) -> Option<u64> {
    let tail = conv
        .messages()
        .iter()
        .rev()
        .find(|m| m.role != Role::System)?
        .id;
    let newest = conv
        .all()
        .filter(|m| m.role != Role::System)
        .map(|m| m.id)
        .max();
    (Some(tail) != newest).then_some(tail)
}

fn sync(app: &mut App, now: Instant, force: bool, only: Option<u64>, effects: &mut Vec<Effect>) {
    let s = &mut app.sessions;
    if !s.saving() || app.conv.is_empty() {
        return;
    }
    if let Some(t) = s.retry_after {
        if now < t {
            return;
        }
        s.retry_after = None;
    }
    let due = force
        || s.last_checkpoint
            .is_none_or(|t| now.duration_since(t) >= CHECKPOINT);
    let media = &app.media;
    let plan = plan::plan(
        app.conv.messages(),
        app.conv.hidden(),
        &s.has,
        Scope { only, due },
        |m| media.text_links(m),
    );
    if plan.checkpoint {
        s.last_checkpoint = Some(now);
    }
    if let Some(id) = only {
        s.waiting.retain(|w| *w != id);
        if !plan.waiting.is_empty() {
            s.settled = false;
        }
    } else {
        s.full_plans += 1;
        s.settled = plan.waiting.is_empty();
        s.waiting.clear();
    }
    s.waiting.extend(&plan.waiting);
    s.has.record(&plan);
    if !plan.deleted.is_empty() {
        effects.push(Effect::Store(StoreCmd::DeleteMessages {
            session: s.current,
            seqs: plan.deleted,
        }));
    }
    let (changed, appends) = (plan.rows, plan.appends);
    if changed.is_empty() && appends.is_empty() {
        return;
    }
    // The title comes from the first prompt, which may come after a `/system` line: until
    // then the session is written untitled, and retitled once the prompt is there.
    let title = match (&s.title, first_prompt(&app.conv)) {
        (Some(title), _) => title.clone(),
        (None, Some(prompt)) => {
            let title = title_from_prompt(prompt);
            s.title = Some(title.clone());
            if std::mem::take(&mut s.untitled_written) {
                effects.push(Effect::Store(StoreCmd::Retitle {
                    session: s.current,
                    title: title.clone(),
                }));
            }
            title
        }
        (None, None) => {
            s.untitled_written = true;
            title_from_prompt("")
        }
    };
    let meta = SessionMeta {
        title,
        model: app.target.label(),
        created: started(&app.conv),
    };
    if !changed.is_empty() {
        effects.push(Effect::Store(StoreCmd::Save {
            session: s.current,
            meta: meta.clone(),
            messages: changed,
        }));
    }
    // After the Save: an append needs its message's row.
    for a in appends {
        effects.push(Effect::Store(StoreCmd::Append {
            session: s.current,
            meta: meta.clone(),
            seq: a.seq,
            content: a.content,
            reasoning: a.reasoning,
            finish: a.finish,
        }));
    }
}

/// Writes everything pending (live reply included), then detaches: the next message starts a
/// new session. For New chat and for opening another session.
pub(super) fn leave(app: &mut App, effects: &mut Vec<Effect>) {
    sync(app, app.now, true, None, effects);
    app.sessions.start_new();
}

fn first_prompt(conv: &Conversation) -> Option<&str> {
    conv.messages()
        .iter()
        .find(|m| m.role == Role::User)
        .map(|m| m.content.as_str())
}

fn started(conv: &Conversation) -> DateTime<Local> {
    conv.messages()
        .first()
        .map_or_else(Local::now, |m| m.created)
}

/// Replaces the conversation with a stored session, continuing with the model it used.
pub fn restore(app: &mut App, stored: StoredSession) -> Vec<Effect> {
    let mut effects: Vec<Effect> = super::update::cancel_reply(app).into_iter().collect();
    leave(app, &mut effects);
    let summary = stored.summary;
    let focus = app
        .sessions
        .open_at
        .take()
        .filter(|(id, _)| *id == summary.id)
        .map(|(_, seq)| seq);
    app.conv
        .load_showing(stored.messages, focus.or(stored.shown));
    app.editing = None;
    app.selected = None;
    let s = &mut app.sessions;
    s.current = SessionRef::Id(summary.id);
    s.title = Some(summary.title.clone());
    s.has = StoreHas::all(app.conv.all());
    s.unsettle();
    s.shown_written = stored.shown;
    app.scroll.follow = true;
    app.last_error = None;
    let mut text = format!("session {}: {}", summary.id, summary.title);
    match target_for(app, &summary.model) {
        Some(target) => app.target = target,
        None if summary.model != app.target.label() => text.push_str(&format!(
            " ({} is not configured; using {})",
            summary.model,
            app.target.label()
        )),
        None => {}
    }
    app.notice = Some(Notice {
        text,
        is_error: false,
    });
    effects.extend(super::tasks::resume_cards(app));
    effects
}

fn target_for(app: &App, label: &str) -> Option<Target> {
    let config = app.sessions.config.as_ref()?;
    let (provider, model) = config.resolve(label).ok()?;
    Some(Target {
        provider: provider.clone(),
        model,
    })
}

/// Ctrl+S: the conversation as a Markdown transcript, written by the store thread.
pub fn save_transcript(app: &mut App) -> Vec<Effect> {
    let notice = |text: &str| Notice {
        text: text.into(),
        is_error: true,
    };
    if app.conv.is_empty() {
        app.notice = Some(notice("nothing to save yet"));
        return Vec::new();
    }
    let Some(dir) = app.sessions.transcripts_dir.clone() else {
        app.notice = Some(notice("no transcripts directory"));
        return Vec::new();
    };
    let prompt = first_prompt(&app.conv).unwrap_or("");
    let created = started(&app.conv);
    let meta = TranscriptMeta {
        title: app
            .sessions
            .title
            .clone()
            .unwrap_or_else(|| title_from_prompt(prompt)),
        session: app.sessions.stored_id(),
        created,
    };
    vec![Effect::Store(StoreCmd::WriteTranscript {
        dir,
        stem: file_stem(created, prompt),
        text: transcript::markdown(&meta, app.conv.messages()),
        previous: app.sessions.transcript_path.clone(),
        files: crate::store::transcript_attach::files(app.conv.messages()),
    })]
}

/// Ctrl+O: opens the session browser listing the newest sessions.
pub fn open_browser(app: &mut App) -> Vec<Effect> {
    if !app.sessions.saving() {
        let why = app
            .sessions
            .warning
            .clone()
            .unwrap_or_else(|| "saving is off".into());
        app.notice = Some(Notice {
            text: format!("no session list: {why}"),
            is_error: true,
        });
        return Vec::new();
    }
    app.overlay = Some(Overlay::Sessions);
    app.sessions.browser = SessionBrowser::default();
    vec![super::browser::search(&mut app.sessions.browser)]
}

/// A report from the store thread.
pub fn on_store(app: &mut App, event: StoreEvent, now: Instant) -> Vec<Effect> {
    let s = &mut app.sessions;
    let error = |text: String| {
        Some(Notice {
            text,
            is_error: true,
        })
    };
    match event {
        StoreEvent::Unavailable(why) => {
            s.unavailable = true;
            s.warning = Some("not saving".into());
            app.notice = error(format!("conversations are not saved: {why}"));
        }
        StoreEvent::Created { local, id } => {
            if s.current == SessionRef::New(local) {
                s.current = SessionRef::Id(id);
            }
        }
        StoreEvent::WriteFailed(why) => {
            // Everything is re-sent on the retry, whole: the store upserts, so nothing doubles.
            s.has.clear();
            s.unsettle();
            s.retry_after = Some(now + RETRY);
            s.warning = Some("not saving".into());
            app.notice = error(format!("not saved (kept in memory, retrying): {why}"));
        }
        StoreEvent::Saved => {
            if s.warning.take().is_some() {
                app.notice = Some(Notice {
                    text: "saving again".into(),
                    is_error: false,
                });
            }
        }
        StoreEvent::Found { generation, hits } => {
            super::browser::on_found(&mut s.browser, generation, hits);
        }
        StoreEvent::Loaded(Ok(stored)) => return restore(app, stored),
        StoreEvent::Loaded(Err(why)) => app.notice = error(why),
        StoreEvent::Changed(Ok(text)) => {
            app.notice = Some(Notice {
                text,
                is_error: false,
            });
            if app.overlay == Some(Overlay::Sessions) {
                return vec![super::browser::search(&mut s.browser)];
            }
        }
        StoreEvent::Changed(Err(why)) => app.notice = error(why),
        StoreEvent::TranscriptSaved(Ok(path)) => {
            app.notice = Some(Notice {
                text: format!("saved {}", path.display()),
                is_error: false,
            });
            s.transcript_path = Some(path);
        }
        StoreEvent::TranscriptSaved(Err(why)) => app.notice = error(why),
    }
    Vec::new()
}

/// Forgets the current session after it was deleted: the screen is cleared and what follows
/// starts a new session (writing on would bring the deleted one back).
pub(super) fn forget_current(app: &mut App, effects: &mut Vec<Effect>) {
    effects.extend(super::update::cancel_reply(app));
    app.conv.clear();
    app.editing = None;
    app.sessions.start_new();
}

#[cfg(test)]
#[path = "sessions_tests.rs"]
mod tests;
