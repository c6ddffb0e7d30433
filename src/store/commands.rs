//! The `sessions` and `export` subcommands.

use std::io::Write;
use std::path::Path;

use super::transcript::{self, TranscriptMeta};
use super::{SessionId, Store, StoreError};
use crate::files::{self, Access};
use crate::sanitize::sanitize;

/// Sessions printed by `ecochat sessions`.
const LIST_LIMIT: usize = 100;

/// Transcript formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Md,
    Json,
}

/// Prints the newest sessions, or those matching `query`, one per line:
/// `ID  DATE  MESSAGES  MODEL  TITLE`, with the matching line indented below.
pub fn list(db: &Path, query: &str, out: &mut dyn Write) -> Result<usize, CommandError> {
    let store = Store::open_existing(db)?;
    let hits = store.search(query, LIST_LIMIT)?;
    for hit in &hits {
        let s = &hit.session;
        writeln!(
            out,
            "{:>5}  {}  {:>3} msgs  {}  {}",
            s.id,
            s.updated.format("%Y-%m-%d %H:%M"),
            s.message_count,
            sanitize(&s.model),
            sanitize(&s.title)
        )?;
        if let Some(snippet) = &hit.snippet {
            writeln!(out, "       {snippet}")?;
        }
    }
    Ok(hits.len())
}

/// Writes session `id` as Markdown or JSON to `to` (atomically) or to `out`.
pub fn export(
    db: &Path,
    id: SessionId,
    format: ExportFormat,
    to: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let store = Store::open_existing(db)?;
    let session = store.load(id)?;
    // Markdown is the conversation as read: the branch shown. JSON keeps the whole tree.
    let shown = crate::chat::Conversation::from_messages(session.messages.clone());
    let text = match format {
        ExportFormat::Json => transcript::json(&session),
        ExportFormat::Md => transcript::markdown(
            &TranscriptMeta {
                title: session.summary.title.clone(),
                session: Some(id),
                created: session.summary.created,
            },
            shown.messages(),
        ),
    };
    match to {
        // A file the user named: it follows the umask, as any other tool's output would.
        Some(path) => {
            if format == ExportFormat::Md {
                let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
                let images = super::transcript_attach::files(shown.messages());
                super::transcript_attach::write_files(dir.unwrap_or(Path::new(".")), &images)?;
            }
            files::write_atomic(path, text.as_bytes(), Access::Umask)?
        }
        None => out.write_all(text.as_bytes())?,
    }
    Ok(())
}

/// The id `--resume` means: the given one, or the newest session.
pub fn resume_id(store: &Store, wanted: Option<SessionId>) -> Result<SessionId, StoreError> {
    match wanted {
        Some(id) => Ok(id),
        None => store.latest()?.ok_or(StoreError::NoSessions),
    }
}

/// Why a subcommand failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
    #[error("`{0}` is not a session id (a number, as `ecochat sessions` shows)")]
    BadId(String),
}

/// The session `--resume [ID]` names (`latest` for the newest), read in full.
pub fn resume(db: &Path, which: &str) -> Result<super::StoredSession, CommandError> {
    let wanted = match which {
        "latest" => None,
        id => Some(
            id.parse::<SessionId>()
                .map_err(|_| CommandError::BadId(id.to_string()))?,
        ),
    };
    let store = Store::open_existing(db)?;
    let id = resume_id(&store, wanted)?;
    Ok(store.load(id)?)
}
