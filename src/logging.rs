//! Logs go to a file in the state dir: never to the terminal, which the TUI owns.

use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The log's file name in the state dir.
pub const FILE: &str = "ecochat.log";

/// Starts logging to `<dir>/ecochat.log`; the level comes from `ECOCHAT_LOG` (default `info`).
/// The log is owner-only (0600) in an owner-only (0700) directory: it names sessions, models and
/// files. Returns `None` (and logs nowhere) when the directory or file cannot be made so.
///
/// Each line is written to the file as it is logged, by the thread that logs it. ecochat logs a
/// few lines a minute: a writer thread (tracing-appender) cost a thread, a 32 KB queue and its
/// code's pages at idle, and lost the lines still queued when the process died.
pub fn init(dir: &Path) -> Option<()> {
    crate::files::ensure_private_dir(dir).ok()?;
    let file = crate::files::open_private_append(&dir.join(FILE)).ok()?;
    let filter = std::env::var("ECOCHAT_LOG")
        .ok()
        .and_then(|v| filter(&v))
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(Mutex::new(file))
        .with_ansi(false);
    tracing_subscriber::registry()
        .with(lines)
        .with(filter)
        .try_init()
        .ok()
}

/// The levels `ECOCHAT_LOG` asks for: a level (`debug`), or levels by module
/// (`warn,ecochat::api=trace`); `None` when it says nothing usable.
///
/// `Targets` rather than `EnvFilter`: ecochat's log is not filtered by span or field, and
/// leaving out that machinery (and its regex matcher) leaves its code out of memory.
fn filter(value: &str) -> Option<Targets> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    value.parse().ok()
}

#[cfg(test)]
mod tests {
    use tracing::Level;
    use tracing_subscriber::filter::LevelFilter;

    use super::*;

    #[test]
    fn the_log_level_comes_from_a_level_or_levels_by_module() {
        let debug = filter("debug").expect("a level");
        assert!(debug.would_enable("ecochat::api", &Level::DEBUG));
        assert!(!debug.would_enable("ecochat::api", &Level::TRACE));

        let by_module = filter(" warn,ecochat::api=trace ").expect("levels by module");
        assert!(by_module.would_enable("ecochat::api::client", &Level::TRACE));
        assert!(!by_module.would_enable("ecochat::store", &Level::INFO));
        assert!(by_module.would_enable("hyper", &Level::WARN));

        assert_eq!(
            filter("off").map(|t| t.default_level()),
            Some(Some(LevelFilter::OFF))
        );
        assert!(filter("").is_none());
        assert!(filter("ecochat=loud").is_none(), "an unknown level");
    }
}
