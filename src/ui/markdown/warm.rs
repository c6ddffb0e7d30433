//! Syntax data prepared off the thread that draws.
//!
//! Decoding syntect's data takes tens of milliseconds, and each language's patterns are
//! compiled the first time they are tried: over 30 ms and several megabytes for Rust. In the
//! TUI both happen on a spare thread: code is drawn plain until its language is ready, and the
//! conversation is laid out again when it is (`generation` changes). Only languages that
//! appear are compiled. Without `warm_up` (tests, pipe mode) everything happens on first use.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use syntect::easy::HighlightLines;
use syntect::parsing::SyntaxReference;
use syntect::util::LinesWithEndings;

use super::highlight::{syntaxes, themes};

/// Lines of a code block used to compile its language's patterns.
const SAMPLE_LINES: usize = 200;

/// Set from `hold` until the data is decoded: code is drawn plain meanwhile.
static HOLD: AtomicBool = AtomicBool::new(false);
/// Set by `warm_up`: languages are compiled on a spare thread.
static BACKGROUND: AtomicBool = AtomicBool::new(false);
/// Bumped whenever more code can be coloured.
static GENERATION: AtomicU64 = AtomicU64::new(0);
/// Syntaxes whose patterns are compiled, or being compiled (`false`), by name.
static LANGUAGES: Mutex<Vec<(&'static str, bool)>> = Mutex::new(Vec::new());
/// Asks the UI for a frame.
static ON_READY: OnceLock<Box<dyn Fn() + Send + Sync>> = OnceLock::new();

/// Draws code plain from now until a `warm_up` called later has decoded the data.
pub fn hold() {
    HOLD.store(true, Ordering::SeqCst);
}

/// Decodes the data on a new thread; from now on languages are compiled on spare threads too.
/// `ready` is called each time more code can be coloured.
pub fn warm_up(ready: impl Fn() + Send + Sync + 'static) {
    HOLD.store(true, Ordering::SeqCst);
    BACKGROUND.store(true, Ordering::SeqCst);
    let _ = ON_READY.set(Box::new(ready));
    let spawned = std::thread::Builder::new()
        .name("syntax-warm-up".into())
        .spawn(|| {
            themes();
            syntaxes();
            became_ready();
        });
    if spawned.is_err() {
        BACKGROUND.store(false, Ordering::SeqCst);
        became_ready();
    }
}

/// Changes whenever code laid out before may now get (more) colours.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// False while the data is being decoded.
pub fn data_ready() -> bool {
    !HOLD.load(Ordering::SeqCst)
}

/// True when `syntax` can be used now without compiling on this thread; otherwise its
/// compilation is started (once) on a spare thread, with `code` as the sample.
pub fn language_ready(syntax: &'static SyntaxReference, code: &str) -> bool {
    if !BACKGROUND.load(Ordering::SeqCst) {
        return true;
    }
    let name = syntax.name.as_str();
    let mut languages = LANGUAGES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(&(_, ready)) = languages.iter().find(|(n, _)| *n == name) {
        return ready;
    }
    let sample: String = LinesWithEndings::from(code).take(SAMPLE_LINES).collect();
    let spawned = std::thread::Builder::new()
        .name("syntax-compile".into())
        .spawn(move || {
            compile(syntax, &sample);
            let mut languages = LANGUAGES.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(entry) = languages.iter_mut().find(|(n, _)| *n == name) {
                entry.1 = true;
            }
            drop(languages);
            became_ready();
        });
    // Without a thread, compile here rather than never.
    let ready = spawned.is_err();
    languages.push((name, ready));
    ready
}

/// Highlights `sample`, which compiles the patterns it meets (syntect compiles lazily).
pub(super) fn compile(syntax: &SyntaxReference, sample: &str) {
    let Some(theme) = themes().themes.values().next() else {
        return;
    };
    let mut hl = HighlightLines::new(syntax, theme);
    for line in LinesWithEndings::from(sample) {
        let _ = hl.highlight_line(line, syntaxes());
    }
}

fn became_ready() {
    HOLD.store(false, Ordering::SeqCst);
    GENERATION.fetch_add(1, Ordering::SeqCst);
    if let Some(ready) = ON_READY.get() {
        ready();
    }
}
