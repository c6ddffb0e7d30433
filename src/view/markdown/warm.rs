//! The syntax handle: syntect's data and compiled languages, prepared off the thread that draws.
//!
//! Decoding syntect's data takes tens of milliseconds, and each language's patterns are
//! compiled the first time they are tried: over 30 ms and several megabytes for Rust. In the
//! TUI both happen on a spare thread: code is drawn plain until its language is ready, and the
//! handle's `ready` callback asks for the conversation to be laid out again when it is. Only
//! languages that appear are compiled, and the data is decoded only once code is to be
//! coloured: a session without code blocks never holds it (over half a megabyte of heap, and
//! the decoder's code pages). A handle made with `Syntax::default` (tests, pipe mode) does
//! everything on first use, on the caller's thread.
//!
//! Everything lives inside the handle, none of it in statics: each handle (each test) has its
//! own data and readiness, and clones share them.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use syntect::easy::HighlightLines;
use syntect::highlighting::ThemeSet;
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Lines of a code block used to compile its language's patterns.
const SAMPLE_LINES: usize = 200;

/// What a handle made by `Syntax::in_background` tells its callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// More code can be coloured: lay out again what was drawn plain.
    Language,
    /// Code lines drawn plain while they streamed have their colours (see `paint`).
    Lines,
}

/// Called each time more code can be coloured.
type Notify = Box<dyn Fn(Ready) + Send + Sync>;

/// Shared syntax data for everything that draws code; cheap to clone.
#[derive(Clone, Default)]
pub struct Syntax(Arc<Shared>);

#[derive(Default)]
struct Shared {
    syntaxes: OnceLock<SyntaxSet>,
    themes: OnceLock<ThemeSet>,
    /// Set until the data is decoded: code is drawn plain meanwhile.
    hold: AtomicBool,
    /// Set by `warm_up`: the data may be decoded from then on (not before the first frame).
    allowed: AtomicBool,
    /// Set once code asked for colours: the data is decoded as soon as that is allowed.
    wanted: AtomicBool,
    /// Set when the decoding thread was started (once per handle).
    started: AtomicBool,
    /// Present when languages are compiled on spare threads; told when more can be coloured.
    background: Option<Notify>,
    /// Syntaxes whose patterns are compiled, or being compiled (`false`), by name.
    languages: Mutex<Vec<(String, bool)>>,
    /// Streamed code lines waiting for the painting thread.
    paint: super::paint::Queue,
}

impl fmt::Debug for Syntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Syntax")
            .field("data_ready", &!self.0.hold.load(Ordering::SeqCst))
            .field("background", &self.0.background.is_some())
            .finish_non_exhaustive()
    }
}

impl Syntax {
    /// A handle that draws code plain until its data is decoded on a spare thread (once
    /// `warm_up` allowed it and code asked for colours), and then compiles each language on a
    /// spare thread the first time it appears; streamed code lines are coloured on a spare
    /// thread too. `ready` is called each time more code can be coloured (from another thread).
    pub fn in_background(ready: impl Fn(Ready) + Send + Sync + 'static) -> Self {
        Self(Arc::new(Shared {
            hold: AtomicBool::new(true),
            background: Some(Box::new(ready)),
            ..Shared::default()
        }))
    }

    /// Lets the data be decoded on a new thread (for a handle made by `in_background`): at
    /// once if code already asked for colours, else when it first does.
    pub fn warm_up(&self) {
        if self.0.background.is_none() {
            return;
        }
        self.0.allowed.store(true, Ordering::SeqCst);
        if self.0.wanted.load(Ordering::SeqCst) {
            self.start_decoding();
        }
    }

    /// True once the data is being decoded or is decoded.
    pub fn decoding_started(&self) -> bool {
        self.0.started.load(Ordering::SeqCst) || self.0.syntaxes.get().is_some()
    }

    /// Code wants colours: the data is decoded now if allowed, else as soon as it is.
    fn want(&self) {
        if self.0.wanted.swap(true, Ordering::SeqCst) {
            return;
        }
        if self.0.allowed.load(Ordering::SeqCst) {
            self.start_decoding();
        }
    }

    /// Starts the decoding thread, once.
    fn start_decoding(&self) {
        if self.0.started.swap(true, Ordering::SeqCst) {
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

    /// False until the data is decoded; asking starts the decoding (once allowed).
    pub fn data_ready(&self) -> bool {
        let ready = !self.0.hold.load(Ordering::SeqCst);
        if !ready {
            self.want();
        }
        ready
    }

    /// True when `syntax` can be used now without compiling on this thread; otherwise its
    /// compilation is started (once) on a spare thread, with `code` as the sample.
    pub(super) fn language_ready(&self, syntax: &SyntaxReference, code: &str) -> bool {
        if self.0.background.is_none() {
            return true;
        }
        let mut languages = lock(&self.0.languages);
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
                let mut languages = lock(&this.0.languages);
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
        self.tell(Ready::Language);
    }

    /// True when streamed code lines are coloured on a spare thread.
    pub(super) fn paints_in_background(&self) -> bool {
        self.0.background.is_some()
    }

    /// The shared state of the painting thread.
    pub(super) fn paint_queue(&self) -> &super::paint::Queue {
        &self.0.paint
    }

    /// Calls the handle's callback, if it has one.
    pub(super) fn tell(&self, ready: Ready) {
        if let Some(notify) = &self.0.background {
            notify(ready);
        }
    }
}

/// Locks `m`; a thread that panicked while compiling or painting leaves code plain, not a
/// poisoned lock.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
