//! The session store: every conversation in SQLite (WAL), searchable with FTS5, plus Markdown
//! and JSON transcripts. `Store` is the synchronous API; `task` runs it on its own thread so the
//! UI never waits on the disk.

mod attachments;
pub mod commands;
pub mod cost;
pub mod gen_tasks;
pub mod history_file;
pub mod links;
pub mod plan;
pub mod record;
mod rows;
pub mod schema;
mod search;
pub mod slug;
pub mod state_file;
pub mod task;
pub mod transcript;
pub mod transcript_attach;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Local};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::chat::Message;
use schema::Migration;

pub use search::SearchHit;

/// A session's id in the database; what `--resume ID` and `export ID` take.
pub type SessionId = i64;

/// Name of the database file in the data dir.
pub const DB_FILE: &str = "ecochat.db";

/// How long a write waits for another ecochat holding the lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);
/// The most KiB of database pages SQLite keeps in memory.
const CACHE_KIB: u32 = 128;

/// Why the store cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{} was written by a newer ecochat (schema {found}, this one knows {known})", path.display())]
    NewerSchema {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("no saved sessions yet ({} does not exist)", path.display())]
    Missing { path: PathBuf },
    #[error("no saved sessions yet")]
    NoSessions,
    #[error("no session {0} (`ecochat sessions` lists them)")]
    NotFound(SessionId),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// One row of the session list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: SessionId,
    pub title: String,
    /// `provider:model` used last.
    pub model: String,
    pub created: DateTime<Local>,
    pub updated: DateTime<Local>,
    pub message_count: u64,
    /// What its replies cost, one amount per currency (empty when none was priced).
    pub spend: Vec<crate::cost::Money>,
    /// Files and images sent with its prompts.
    pub attachments: u64,
}

/// A session with all its messages, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSession {
    pub summary: SessionSummary,
    /// Every message, the alternatives off the branch shown included.
    pub messages: Vec<Message>,
    /// The last message of the branch that was on screen, when it is not the newest.
    pub shown: Option<u64>,
}

/// What a new session starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub title: String,
    pub model: String,
    pub created: DateTime<Local>,
}

/// An open database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// A file that is not a database, or one from a newer ecochat, is an error and left as is.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::make_dir(path)?;
        create_private(path);
        // The session store and the task recorder open the database on their own threads at
        // the first prompt. Two connections that both switch a new file to WAL and migrate it
        // get "locked" from SQLite at once, without its busy wait (which could deadlock), so
        // the one that lost tries again.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        let mut pause = Duration::from_millis(2);
        loop {
            match Store::connect(path) {
                Err(StoreError::Open { source, .. })
                    if is_busy(&source) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                other => return other,
            }
        }
    }

    fn connect(path: &Path) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Store::prepare(conn, path)
    }

    /// Creates the (private) directory the database at `path` goes in: what `open` does first,
    /// without loading SQLite.
    pub fn make_dir(path: &Path) -> Result<(), StoreError> {
        match path.parent() {
            Some(dir) => {
                crate::files::create_private_dir(dir).map_err(|source| StoreError::CreateDir {
                    path: dir.to_path_buf(),
                    source,
                })
            }
            None => Ok(()),
        }
    }

    /// Opens the database only if it already exists (the command line must not create one
    /// just to report that there is nothing in it).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::open(path)
    }

    /// A private database in memory, for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::prepare(Connection::open_in_memory()?, Path::new(":memory:"))
    }

    fn prepare(mut conn: Connection, path: &Path) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // The first statement that reads the file: a non-database fails here, before any write.
        let version = schema::version(&conn).map_err(open_err)?;
        if version > schema::LATEST {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                known: schema::LATEST,
            });
        }
        // WAL: readers never block the writer, and a killed process loses at most the
        // transaction it was in. NORMAL sync is durable across a crash of the program.
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .map_err(open_err)?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(open_err)?;
        // SQLite's page cache (2 MiB by default) grows with the database as a session goes on
        // and stays in memory; a write touches a few pages, and the system's file cache keeps
        // the rest a read away.
        conn.execute_batch(&format!("PRAGMA cache_size = -{CACHE_KIB};"))
            .map_err(open_err)?;
        if let Migration::Newer { found } = schema::migrate(&mut conn).map_err(open_err)? {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found,
                known: schema::LATEST,
            });
        }
        Ok(Store { conn })
    }

    /// A store over an open connection (tests of migrated databases).
    #[cfg(test)]
    pub(crate) fn from_connection(conn: Connection) -> Result<Store, StoreError> {
        Store::prepare(conn, Path::new(":memory:"))
    }

    /// Adds a session and returns its id.
    pub fn create_session(&mut self, s: &NewSession) -> Result<SessionId, StoreError> {
        let created = s.created.timestamp_millis();
        self.conn.execute(
            // Past every id ever given out (see migration 4), never a deleted one.
            "INSERT INTO sessions (id, title, model, created, updated)
             VALUES ((SELECT last + 1 FROM session_ids), ?1, ?2, ?3, ?3)",
            params![s.title, s.model, created],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Inserts or replaces `messages` (keyed by their id within the session) in one transaction,
    /// and records `model` as the session's current model.
    pub fn save_messages(
        &mut self,
        session: SessionId,
        model: &str,
        messages: &[Message],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        touch_session(&tx, session, model)?;
        for m in messages {
            rows::upsert(&tx, session, m)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Appends text to message `seq` (whose row exists) as parts, and with `finish` writes its
    /// final state except the text (and its media links as JSON): a long reply is never copied
    /// whole to the store.
    pub fn append_to_message(
        &mut self,
        session: SessionId,
        model: &str,
        seq: u64,
        text: (&str, &str),
        finish: Option<(&Message, &str)>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        touch_session(&tx, session, model)?;
        rows::append_parts(&tx, session, seq, text.0, text.1)?;
        if let Some((m, media)) = finish {
            rows::finish_parted(&tx, session, m, media)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes messages (a regenerated reply replaces the old one).
    pub fn delete_messages(&mut self, session: SessionId, seqs: &[u64]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for seq in seqs {
            tx.execute(
                "DELETE FROM messages WHERE session_id = ?1 AND seq = ?2",
                params![session, *seq as i64],
            )?;
            rows::delete_parts(&tx, session, *seq)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The newest sessions first.
    pub fn sessions(&self, limit: usize) -> Result<Vec<SessionSummary>, StoreError> {
        search::recent(&self.conn, limit)
    }

    /// Sessions whose title or any message contains every word of `query`, newest first, each
    /// with the line that matched. An empty query lists the newest sessions.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        search::search(&self.conn, query, limit)
    }

    /// The newest session, if any.
    pub fn latest(&self) -> Result<Option<SessionId>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM sessions ORDER BY updated DESC, id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// A session with its messages.
    pub fn load(&self, id: SessionId) -> Result<StoredSession, StoreError> {
        let summary = search::summary(&self.conn, id)?.ok_or(StoreError::NotFound(id))?;
        let messages = rows::messages(&self.conn, id)?;
        let shown: Option<i64> =
            self.conn
                .query_row("SELECT shown FROM sessions WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
        Ok(StoredSession {
            summary,
            messages,
            shown: shown.map(|seq| seq as u64),
        })
    }

    /// Records the branch on screen: the seq of its last message, `None` for the newest.
    pub fn set_shown(&mut self, id: SessionId, shown: Option<u64>) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sessions SET shown = ?2 WHERE id = ?1",
            params![id, shown.map(|seq| seq as i64)],
        )?;
        Ok(())
    }

    /// Gives a session a new title.
    pub fn rename(&mut self, id: SessionId, title: &str) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE sessions SET title = ?2 WHERE id = ?1",
            params![id, title],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(id));
        }
        Ok(())
    }

    /// Deletes a session and its messages.
    pub fn delete_session(&mut self, id: SessionId) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        // Explicitly, so the index triggers see every message go.
        tx.execute("DELETE FROM messages WHERE session_id = ?1", [id])?;
        tx.execute("DELETE FROM message_parts WHERE session_id = ?1", [id])?;
        let n = tx.execute("DELETE FROM sessions WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::NotFound(id));
        }
        tx.commit()?;
        Ok(())
    }

    /// `PRAGMA integrity_check`: `"ok"` for a sound database.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// Marks `session` as written now by `model`; fails for a session that is gone.
fn touch_session(conn: &Connection, session: SessionId, model: &str) -> Result<(), StoreError> {
    let changed = conn.execute(
        "UPDATE sessions SET model = ?2, updated = max(updated, ?3) WHERE id = ?1",
        params![session, model, Local::now().timestamp_millis()],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound(session));
    }
    Ok(())
}

/// Creates the database file readable by its owner only (chats are private); SQLite gives its
/// WAL and shared-memory files the same mode. Failure is left for `open` to report.
fn create_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests;

/// True for SQLite's "busy" and "locked": another connection holds the lock for now.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}
