//! Logs go to a file in the state dir: never to the terminal, which the TUI owns.

use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// The log's file name in the state dir.
pub const FILE: &str = "ecochat.log";

/// Starts logging to `<dir>/ecochat.log`; the level comes from `ECOCHAT_LOG` (default `info`).
/// The log is owner-only (0600) in an owner-only (0700) directory: it names sessions, models and
/// files. Returns `None` (and logs nowhere) when the directory or file cannot be made so.
///
/// Each line is written to the file as it is logged, by the thread that logs it. ecochat logs a
/// few lines a minute: a writer thread with its queue (tracing-appender) cost a thread, 64 KB of
/// queue and its code's pages at idle, and lost the lines still queued when the process died.
pub fn init(dir: &Path) -> Option<()> {
    crate::files::ensure_private_dir(dir).ok()?;
    let path = dir.join(FILE);
    // Creates the file owner-only and refuses a symlink in its place.
    crate::files::ensure_private_file(&path).ok()?;
    let file = std::fs::OpenOptions::new().append(true).open(&path).ok()?;
    let filter = EnvFilter::try_from_env("ECOCHAT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()
}
