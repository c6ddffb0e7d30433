//! The syntax handle: syntect's data and compiled languages, prepared off the thread that draws.
//!
//! Decoding syntect's data takes tens of milliseconds, and each language's patterns are
//! compiled the first time they are tried: over 30 ms and several megabytes for Rust. In the
//! TUI both happen on a spare thread: code is drawn plain until its language is ready, and the
//! handle's `ready` callback asks for the conversation to be laid out again when it is. Only
//! languages that appear are compiled. A handle made with `Syntax::default` (tests, pipe mode)
//! does everything on first use, on the caller's thread.
//!
//! Everything lives inside the handle, none of it in statics: each handle (each test) has its
//! own data and readiness, and clones share them.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use syntect::easy::HighlightLines;
use syntect::highlighting::ThemeSet;
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Lines of a code block used to compile its language's patterns.
const SAMPLE_LINES: usize = 200;

/// Called each time more code can be coloured.
type Ready = Box<dyn Fn() + Send + Sync>;

/// Shared syntax data for everything that draws code; cheap to clone.
#[derive(Clone, Default)]
pub struct Syntax(Arc<Shared>);

#[derive(Default)]
struct Shared {
    syntaxes: OnceLock<SyntaxSet>,
    themes: OnceLock<ThemeSet>,
    /// Set until `warm_up` has decoded the data: code is drawn plain meanwhile.
    hold: AtomicBool,
    /// Present when languages are compiled on spare threads; told when more can be coloured.
    background: Option<Ready>,
    /// Syntaxes whose patterns are compiled, or being compiled (`false`), by name.
    languages: Mutex<Vec<(String, bool)>>,
}

impl fmt::Debug for Syntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Syntax")
            .field("data_ready", &self.data_ready())
            .field("background", &self.0.background.is_some())
            .finish_non_exhaustive()
    }
}

impl Syntax {
    /// A handle that draws code plain until `warm_up` has decoded the data, and then compiles
    /// each language on a spare thread the first time it appears. `ready` is called each time
    /// more code can be coloured (from another thread).
    pub fn in_background(ready: impl Fn() + Send + Sync + 'static) -> Self {
        Self(Arc::new(Shared {
            hold: AtomicBool::new(true),
            background: Some(Box::new(ready)),
            ..Shared::default()
        }))
    }

    /// Decodes the data on a new thread (for a handle made by `in_background`).
    pub fn warm_up(&self) {
        if self.0.background.is_none() {
            return;
        }
        let this = self.clone();
        let spawned = std::thread::Builder::new()
            .name("syntax-warm-up".into())
            .spawn(move || {
                this.themes();
                this.syntaxes();
                this.became_ready();
            });
        // Without a thread the data is decoded on first use rather than never.
        if spawned.is_err() {
            self.became_ready();
        }
    }

    /// The syntax definitions, decoded on first use.
    pub(super) fn syntaxes(&self) -> &SyntaxSet {
        self.0
            .syntaxes
            .get_or_init(SyntaxSet::load_defaults_newlines)
    }

    /// The colour themes, decoded on first use.
    pub(super) fn themes(&self) -> &ThemeSet {
        self.0.themes.get_or_init(ThemeSet::load_defaults)
    }

    /// False while the data is being decoded.
    pub fn data_ready(&self) -> bool {
        !self.0.hold.load(Ordering::SeqCst)
    }

    /// True when `syntax` can be used now without compiling on this thread; otherwise its
    /// compilation is started (once) on a spare thread, with `code` as the sample.
    pub(super) fn language_ready(&self, syntax: &SyntaxReference, code: &str) -> bool {
        if self.0.background.is_none() {
            return true;
        }
        let mut languages = self.0.languages.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(&(_, ready)) = languages.iter().find(|(n, _)| *n == syntax.name) {
            return ready;
        }
        let name = syntax.name.clone();
        let sample: String = LinesWithEndings::from(code).take(SAMPLE_LINES).collect();
        let this = self.clone();
        let thread_name = name.clone();
        let spawned = std::thread::Builder::new()
            .name("syntax-compile".into())
            .spawn(move || {
                let name = thread_name;
                if let Some(syntax) = this.syntaxes().find_syntax_by_name(&name) {
                    this.compile(syntax, &sample);
                }
                let mut languages = this.0.languages.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(entry) = languages.iter_mut().find(|(n, _)| *n == name) {
                    entry.1 = true;
                }
                drop(languages);
                this.became_ready();
            });
        // Without a thread, compile here rather than never.
        let ready = spawned.is_err();
        languages.push((name, ready));
        ready
    }

    /// Highlights `sample`, which compiles the patterns it meets (syntect compiles lazily).
    fn compile(&self, syntax: &SyntaxReference, sample: &str) {
        let Some(theme) = self.themes().themes.values().next() else {
            return;
        };
        let mut hl = HighlightLines::new(syntax, theme);
        for line in LinesWithEndings::from(sample) {
            let _ = hl.highlight_line(line, self.syntaxes());
        }
    }

    fn became_ready(&self) {
        self.0.hold.store(false, Ordering::SeqCst);
        if let Some(ready) = &self.0.background {
            ready();
        }
    }
}
