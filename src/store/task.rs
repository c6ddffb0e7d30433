//! The store's own thread: it owns the connection, takes commands over a channel and reports
//! back through a callback (the app turns reports into actions). Nothing here blocks the caller.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;

use chrono::{DateTime, Local};

use super::{NewSession, SearchHit, SessionId, Store, StoredSession, transcript};
use crate::chat::Message;

/// Sessions the store should list in the browser.
pub const LIST_LIMIT: usize = 200;

/// Which session a write belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionRef {
    /// Not stored yet: the thread creates it on the first write and reports its id.
    New(u64),
    /// Already in the database.
    Id(SessionId),
}

/// What a session is created with, sent along with every write so a failed create is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionMeta {
    pub title: String,
    /// `provider:model` in use now.
    pub model: String,
    pub created: DateTime<Local>,
}

/// Work for the store thread.
#[derive(Debug, Clone)]
pub enum StoreCmd {
    /// Insert or update these messages (whole, keyed by id) in one transaction.
    Save {
        session: SessionRef,
        meta: SessionMeta,
        messages: Vec<Message>,
    },
    /// Append text to a long message already saved, and with `finish` write its final state
    /// (the message's text is not read: it is in the store already) and media links as JSON.
    Append {
        session: SessionRef,
        meta: SessionMeta,
        seq: u64,
        content: String,
        reasoning: String,
        finish: Option<Box<(Message, String)>>,
    },
    /// Remove messages the conversation no longer has.
    DeleteMessages {
        session: SessionRef,
        seqs: Vec<u64>,
    },
    /// Give a session written before it had a prompt the title of its first prompt.
    Retitle {
        session: SessionRef,
        title: String,
    },
    /// Record the branch on screen (`Store::set_shown`).
    Shown {
        session: SessionRef,
        shown: Option<u64>,
    },
    /// List (empty query) or search sessions; the answer carries `generation` back.
    Search {
        query: String,
        generation: u64,
    },
    /// Read a whole session.
    Load {
        id: SessionId,
    },
    Rename {
        id: SessionId,
        title: String,
    },
    Delete {
        id: SessionId,
    },
    /// Write a Markdown transcript (works without a database too).
    WriteTranscript {
        dir: PathBuf,
        stem: String,
        text: String,
        previous: Option<PathBuf>,
        /// Images the text links to, written beside it (`transcript_attach::files`).
        files: Vec<(String, std::sync::Arc<[u8]>)>,
    },
}

/// What the store thread reports.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreEvent {
    /// The database could not be opened: nothing will be saved this run.
    Unavailable(String),
    /// A `SessionRef::New` was stored under this id.
    Created { local: u64, id: SessionId },
    /// A write failed; the app keeps the conversation in memory.
    WriteFailed(String),
    /// A write succeeded after earlier ones failed.
    Saved,
    /// Answer to `Search`.
    Found {
        generation: u64,
        hits: Result<Vec<SearchHit>, String>,
    },
    /// Answer to `Load`.
    Loaded(Result<StoredSession, String>),
    /// Answer to `Rename` or `Delete`.
    Changed(Result<String, String>),
    /// Answer to `WriteTranscript`: the path written.
    TranscriptSaved(Result<PathBuf, String>),
}

/// The handle the app keeps; dropping it (or `shutdown`) lets the thread finish its queue.
pub struct StoreHandle {
    tx: Option<mpsc::Sender<StoreCmd>>,
    thread: Option<JoinHandle<()>>,
}

impl StoreHandle {
    /// Starts the thread. It opens `db` (none: transcripts only) and reports to `sink`.
    pub fn spawn(db: Option<PathBuf>, sink: impl Fn(StoreEvent) + Send + 'static) -> StoreHandle {
        let (tx, rx) = mpsc::channel::<StoreCmd>();
        let thread = std::thread::Builder::new()
            .name("ecochat-store".into())
            .spawn(move || run(db, &rx, &sink));
        match thread {
            Ok(thread) => StoreHandle {
                tx: Some(tx),
                thread: Some(thread),
            },
            Err(e) => {
                tracing::error!("cannot start the store thread: {e}");
                StoreHandle {
                    tx: None,
                    thread: None,
                }
            }
        }
    }

    /// Queues a command; never blocks.
    pub fn send(&self, cmd: StoreCmd) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(cmd);
        }
    }

    /// Waits until every queued command has run.
    pub fn shutdown(mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(db: Option<PathBuf>, rx: &mpsc::Receiver<StoreCmd>, sink: &dyn Fn(StoreEvent)) {
    let unavailable = |e: super::StoreError| {
        tracing::warn!("session store unavailable: {e}");
        sink(StoreEvent::Unavailable(e.to_string()));
    };
    // The database is opened at the first command, not at start: SQLite's code (over a
    // megabyte) and caches stay out of memory in a session that never saves. A directory that
    // cannot be made is still reported at once, before the user types.
    let mut db = db.filter(|path| Store::make_dir(path).map_err(unavailable).is_ok());
    let mut store = None;
    let mut created: HashMap<u64, SessionId> = HashMap::new();
    let mut failing = false;
    while let Ok(cmd) = rx.recv() {
        if let Some(path) = db.take() {
            store = Store::open(&path).map_err(unavailable).ok();
        }
        let write = matches!(
            cmd,
            StoreCmd::Save { .. }
                | StoreCmd::Append { .. }
                | StoreCmd::DeleteMessages { .. }
                | StoreCmd::Retitle { .. }
                | StoreCmd::Shown { .. }
        );
        let event = handle(store.as_mut(), &mut created, cmd);
        let failed = matches!(event, Some(StoreEvent::WriteFailed(_)));
        if let Some(event) = event {
            sink(event);
        }
        if write && store.is_some() {
            if failed {
                failing = true;
            } else if std::mem::take(&mut failing) {
                sink(StoreEvent::Saved);
            }
        }
    }
}

const NO_DB: &str = "the session database is not available";

fn handle(
    store: Option<&mut Store>,
    created: &mut HashMap<u64, SessionId>,
    cmd: StoreCmd,
) -> Option<StoreEvent> {
    if let StoreCmd::WriteTranscript {
        dir,
        stem,
        text,
        previous,
        files,
    } = cmd
    {
        let saved = super::transcript_attach::write_files(&dir, &files)
            .and_then(|()| transcript::save(&dir, &stem, &text, previous.as_deref()))
            .map_err(|e| format!("cannot save the transcript in {}: {e}", dir.display()));
        return Some(StoreEvent::TranscriptSaved(saved));
    }
    let Some(store) = store else {
        return match cmd {
            StoreCmd::Search { generation, .. } => Some(StoreEvent::Found {
                generation,
                hits: Err(NO_DB.into()),
            }),
            StoreCmd::Load { .. } => Some(StoreEvent::Loaded(Err(NO_DB.into()))),
            StoreCmd::Rename { .. } | StoreCmd::Delete { .. } => {
                Some(StoreEvent::Changed(Err(NO_DB.into())))
            }
            _ => None,
        };
    };
    match cmd {
        StoreCmd::Save {
            session,
            meta,
            messages,
        } => {
            let (id, fresh) = match resolve(store, created, session, &meta) {
                Ok(found) => found,
                Err(e) => return Some(StoreEvent::WriteFailed(e)),
            };
            if let Err(e) = store.save_messages(id, &meta.model, &messages) {
                return Some(StoreEvent::WriteFailed(e.to_string()));
            }
            match (session, fresh) {
                (SessionRef::New(local), true) => Some(StoreEvent::Created { local, id }),
                _ => None,
            }
        }
        StoreCmd::Append {
            session,
            meta,
            seq,
            content,
            reasoning,
            finish,
        } => {
            let (id, _) = match resolve(store, created, session, &meta) {
                Ok(found) => found,
                Err(e) => return Some(StoreEvent::WriteFailed(e)),
            };
            let finish = finish.as_deref().map(|(m, media)| (m, media.as_str()));
            let result =
                store.append_to_message(id, &meta.model, seq, (&content, &reasoning), finish);
            result.err().map(|e| StoreEvent::WriteFailed(e.to_string()))
        }
        StoreCmd::DeleteMessages { session, seqs } => {
            let id = match session {
                SessionRef::Id(id) => id,
                SessionRef::New(local) => *created.get(&local)?,
            };
            let result = store.delete_messages(id, &seqs);
            result.err().map(|e| StoreEvent::WriteFailed(e.to_string()))
        }
        StoreCmd::Retitle { session, title } => {
            let id = match session {
                SessionRef::Id(id) => id,
                // Not created: the write that creates it carries the title already.
                SessionRef::New(local) => *created.get(&local)?,
            };
            let result = store.rename(id, &title);
            result.err().map(|e| StoreEvent::WriteFailed(e.to_string()))
        }
        StoreCmd::Shown { session, shown } => {
            let id = match session {
                SessionRef::Id(id) => id,
                SessionRef::New(local) => *created.get(&local)?,
            };
            let result = store.set_shown(id, shown);
            result.err().map(|e| StoreEvent::WriteFailed(e.to_string()))
        }
        StoreCmd::Search { query, generation } => Some(StoreEvent::Found {
            generation,
            hits: store.search(&query, LIST_LIMIT).map_err(|e| e.to_string()),
        }),
        StoreCmd::Load { id } => Some(StoreEvent::Loaded(
            store.load(id).map_err(|e| e.to_string()),
        )),
        StoreCmd::Rename { id, title } => Some(StoreEvent::Changed(
            store
                .rename(id, &title)
                .map(|()| format!("renamed session {id}"))
                .map_err(|e| e.to_string()),
        )),
        StoreCmd::Delete { id } => Some(StoreEvent::Changed(
            store
                .delete_session(id)
                .map(|()| format!("deleted session {id}"))
                .map_err(|e| e.to_string()),
        )),
        StoreCmd::WriteTranscript { .. } => None,
    }
}

/// The database id for a write, creating the session the first time; `true` when created now.
fn resolve(
    store: &mut Store,
    created: &mut HashMap<u64, SessionId>,
    session: SessionRef,
    meta: &SessionMeta,
) -> Result<(SessionId, bool), String> {
    match session {
        SessionRef::Id(id) => Ok((id, false)),
        SessionRef::New(local) => {
            if let Some(id) = created.get(&local) {
                return Ok((*id, false));
            }
            let id = store
                .create_session(&NewSession {
                    title: meta.title.clone(),
                    model: meta.model.clone(),
                    created: meta.created,
                })
                .map_err(|e| e.to_string())?;
            created.insert(local, id);
            Ok((id, true))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::Role;
    use std::sync::{Arc, Mutex};

    fn meta() -> SessionMeta {
        SessionMeta {
            title: "天气".into(),
            model: "demo:demo".into(),
            created: Local::now(),
        }
    }

    /// Runs the store loop on this thread over `cmds`, returning what it reported.
    fn run_over(db: PathBuf, cmds: Vec<StoreCmd>) -> Vec<StoreEvent> {
        let (tx, rx) = mpsc::channel();
        for cmd in cmds {
            tx.send(cmd).unwrap();
        }
        drop(tx);
        let events = Mutex::new(Vec::new());
        run(Some(db), &rx, &|e| events.lock().unwrap().push(e));
        events.into_inner().unwrap()
    }

    #[test]
    fn the_database_is_opened_at_the_first_command_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data/ecochat.db");
        assert!(run_over(db.clone(), Vec::new()).is_empty());
        assert!(dir.path().join("data").is_dir(), "its directory is made");
        assert!(!db.exists(), "no command, no database");
        let search = StoreCmd::Search {
            query: String::new(),
            generation: 1,
        };
        let events = run_over(db.clone(), vec![search]);
        assert!(
            matches!(&events[..], [StoreEvent::Found { hits: Ok(_), .. }]),
            "{events:?}"
        );
        assert!(db.exists());
    }

    #[test]
    fn a_directory_that_cannot_be_made_is_reported_before_any_command() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("data");
        std::fs::write(&blocker, "a file").unwrap();
        let events = run_over(blocker.join("ecochat.db"), Vec::new());
        assert!(
            matches!(&events[..], [StoreEvent::Unavailable(_)]),
            "{events:?}"
        );
    }

    #[test]
    fn writes_on_its_thread_and_reports_the_new_id_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data/ecochat.db");
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let handle = StoreHandle::spawn(Some(db.clone()), move |e| sink.lock().unwrap().push(e));
        let user = Message::new(
            0,
            Role::User,
            "明天北京天气怎么样",
            crate::chat::test_time(),
        );
        let mut reply = Message::new(1, Role::Assistant, "晴", crate::chat::test_time());
        reply.edit(|f| f.status = crate::chat::Status::Streaming);
        for messages in [vec![user.clone()], vec![reply.clone()]] {
            handle.send(StoreCmd::Save {
                session: SessionRef::New(0),
                meta: meta(),
                messages,
            });
        }
        handle.send(StoreCmd::Search {
            query: "北京天".into(),
            generation: 3,
        });
        handle.shutdown();
        let events = events.lock().unwrap();
        let created: Vec<_> = events
            .iter()
            .filter(|e| matches!(e, StoreEvent::Created { local: 0, .. }))
            .collect();
        assert_eq!(created.len(), 1, "{events:?}");
        let Some(StoreEvent::Found {
            generation: 3,
            hits: Ok(hits),
        }) = events.last()
        else {
            panic!("{events:?}")
        };
        assert_eq!(hits.len(), 1);
        let stored = Store::open(&db).unwrap().load(hits[0].session.id).unwrap();
        assert_eq!(stored.messages.len(), 2);
    }

    #[test]
    fn without_a_database_transcripts_still_work_and_queries_say_why() {
        let dir = tempfile::tempdir().unwrap();
        // A regular file where the data directory should be: nothing can be created under it.
        let blocker = dir.path().join("data");
        std::fs::write(&blocker, "x").unwrap();
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let handle = StoreHandle::spawn(Some(blocker.join("ecochat.db")), move |e| {
            sink.lock().unwrap().push(e)
        });
        handle.send(StoreCmd::Save {
            session: SessionRef::New(0),
            meta: meta(),
            messages: vec![Message::new(0, Role::User, "hi", crate::chat::test_time())],
        });
        handle.send(StoreCmd::Load { id: 1 });
        handle.send(StoreCmd::WriteTranscript {
            dir: dir.path().join("t"),
            stem: "x".into(),
            text: "# x\n".into(),
            previous: None,
            files: Vec::new(),
        });
        handle.shutdown();
        let events = events.lock().unwrap();
        assert!(
            matches!(events[0], StoreEvent::Unavailable(_)),
            "{events:?}"
        );
        assert!(
            matches!(events[1], StoreEvent::Loaded(Err(_))),
            "{events:?}"
        );
        assert!(matches!(&events[2], StoreEvent::TranscriptSaved(Ok(p)) if p.exists()));
        assert_eq!(events.len(), 3);
        assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "x");
    }
}
