//! Logs go to a file in the state dir: never to the terminal, which the TUI owns.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The log's file name in the state dir.
pub const FILE: &str = "ecochat.log";

/// Starts logging to `<dir>/ecochat.log`; the level comes from `ECOCHAT_LOG` (default `info`).
/// The log is owner-only (0600) in an owner-only (0700) directory: it names sessions, models and
/// files. Returns `None` (and logs nowhere) when the directory or file cannot be made so.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    crate::files::ensure_private_dir(dir).ok()?;
    // The appender creates its file with the default mode (0644 under the usual umask).
    crate::files::ensure_private_file(&dir.join(FILE)).ok()?;
    let appender = tracing_appender::rolling::never(dir, FILE);
    // The default queue holds 128,000 lines, allocated and zeroed up front: 3 ms of every
    // start-up. ecochat logs a few lines a minute; when the queue is full, lines are dropped.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(1024)
        .lossy(true)
        .finish(appender);
    let filter = EnvFilter::try_from_env("ECOCHAT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
