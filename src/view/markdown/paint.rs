//! Streamed code lines coloured on a spare thread.
//!
//! syntect takes tens of microseconds for a line of code (its patterns run in a backtracking
//! regex engine): four compare columns writing code spent most of each frame on it. With a
//! handle made by `Syntax::in_background` (the TUI), each complete line of a streamed code
//! block is drawn plain and handed to one painting thread, in order; the layout puts its
//! colours in when told (`Ready::Lines`). The line still being written is drawn with the
//! colours of the longest start of it already painted, plain after that. A block rendered
//! whole (a resumed conversation) is still coloured where it is laid out: that happens once,
//! not every frame. A handle made by `Syntax::default` paints nothing here: tests and pipe
//! mode colour every line where it is laid out.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use ratatui::style::Style;
use ratatui::text::Span;

use super::MarkdownLines;
use super::code;
use super::highlight::{LinePainter, LineState};
use super::render::finish_line;
use super::warm::{Ready, Syntax, lock};
use crate::view::theme::Theme;

/// How long the painting thread waits for more lines before it ends.
const IDLE: Duration = Duration::from_secs(2);

/// The painting thread's work, shared with the layout; held by the syntax handle.
#[derive(Default)]
pub(super) struct Queue {
    work: Mutex<Work>,
    wake: Condvar,
    /// Set once the layout was told of painted lines, until it comes for them: one message
    /// stands for any number of lines.
    told: AtomicBool,
}

#[derive(Default)]
struct Work {
    items: VecDeque<Item>,
    /// True while a painting thread runs.
    running: bool,
    /// True while an item taken from `items` is being painted (tests wait for it to clear).
    busy: bool,
}

enum Item {
    /// The next complete line of a block (without its newline).
    Line(Weak<Job>, String),
    /// The block's line still being written, as last asked for.
    Peek(Weak<Job>),
}

/// The painting of one streamed code block; clones share it.
#[derive(Clone)]
pub(super) struct PaintJob(Arc<Job>);

impl std::fmt::Debug for PaintJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaintJob")
            .field("lang", &self.0.lang)
            .finish_non_exhaustive()
    }
}

struct Job {
    lang: String,
    theme: &'static str,
    plain: Style,
    state: Mutex<JobState>,
}

#[derive(Default)]
struct JobState {
    /// The highlighter's state after the lines painted so far.
    line_state: LineState,
    /// Lines sent so far.
    sent: usize,
    /// Lines painted so far.
    painted: usize,
    /// Painted lines not taken yet: the last `ready.len()` of the `painted`.
    ready: VecDeque<Vec<Span<'static>>>,
    /// The unfinished line to paint next, after how many lines it comes.
    peek_wanted: Option<(usize, String)>,
    /// True while an `Item::Peek` of this job is queued.
    peek_queued: bool,
    /// The unfinished line painted last: after how many lines, its text and its spans.
    peeked: Option<(usize, String, Vec<Span<'static>>)>,
    /// Counts the unfinished lines painted, so the layout can tell a newer one.
    peek_version: u64,
}

impl Syntax {
    /// A painting job for a streamed block in `lang`, when this handle paints lines on a spare
    /// thread and `theme` (the syntax theme a line painter found) colours them.
    pub(super) fn paint_job(
        &self,
        lang: &str,
        theme: Option<&'static str>,
        plain: Style,
    ) -> Option<PaintJob> {
        let theme = theme.filter(|_| self.paints_in_background())?;
        Some(PaintJob(Arc::new(Job {
            lang: lang.to_owned(),
            theme,
            plain,
            state: Mutex::new(JobState::default()),
        })))
    }

    /// True when every line handed over is painted.
    #[cfg(test)]
    pub(super) fn paint_settled(&self) -> bool {
        let work = lock(&self.paint_queue().work);
        work.items.is_empty() && !work.busy
    }

    /// The layout comes for painted lines: the next painted line tells it again.
    pub fn painted_lines_seen(&self) {
        self.paint_queue().told.store(false, Ordering::SeqCst);
    }

    fn queue(&self, item: Item) {
        let queue = self.paint_queue();
        let mut work = lock(&queue.work);
        work.items.push_back(item);
        if work.running {
            queue.wake.notify_one();
            return;
        }
        work.running = true;
        drop(work);
        let this = self.clone();
        let spawned = std::thread::Builder::new()
            .name("syntax-paint".into())
            .spawn(move || this.paint_until_idle());
        // Without a thread, paint here rather than never.
        if spawned.is_err() {
            lock(&queue.work).running = false;
            while let Some(item) = self.next_item(None) {
                self.paint(item);
            }
        }
    }

    /// The painting thread: paints what is queued, waiting up to `IDLE` for more.
    fn paint_until_idle(&self) {
        // Should painting ever panic, the next line starts a new thread instead of queueing
        // behind one that is gone.
        struct Ended<'a>(&'a Queue);
        impl Drop for Ended<'_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    lock(&self.0.work).running = false;
                }
            }
        }
        let _ended = Ended(self.paint_queue());
        // Colours can come a moment later; a frame cannot. When the other cores are busy this
        // thread shares the drawing thread's, and at nice 10 it takes about a tenth of it.
        // (On Linux the nice value is the calling thread's; elsewhere it is the process's.)
        #[cfg(target_os = "linux")]
        let _ = rustix::process::setpriority_process(None, 10);
        while let Some(item) = self.next_item(Some(IDLE)) {
            self.paint(item);
        }
    }

    /// The next item, waiting up to `wait` for one; `None` ends the thread.
    fn next_item(&self, wait: Option<Duration>) -> Option<Item> {
        let queue = self.paint_queue();
        let mut work = lock(&queue.work);
        work.busy = false;
        loop {
            if let Some(item) = work.items.pop_front() {
                work.busy = true;
                return Some(item);
            }
            let wait = wait?;
            let (guard, timeout) = queue
                .wake
                .wait_timeout(work, wait)
                .unwrap_or_else(|p| p.into_inner());
            work = guard;
            if timeout.timed_out() && work.items.is_empty() {
                work.running = false;
                return None;
            }
        }
    }

    fn paint(&self, item: Item) {
        let (job, line) = match item {
            Item::Line(job, line) => (job, Some(line)),
            Item::Peek(job) => (job, None),
        };
        // A block no longer laid out (replaced, or its message gone) is not painted.
        let Some(job) = job.upgrade() else {
            return;
        };
        let painter = LinePainter::new(self, &job.lang, "", Some(job.theme), job.plain);
        let mut state = lock(&job.state);
        match line {
            Some(line) => {
                let mut line_state = state.line_state.take();
                drop(state);
                let spans = painter.line(&mut line_state, &line);
                let mut state = lock(&job.state);
                state.line_state = line_state;
                state.painted += 1;
                state.ready.push_back(spans);
            }
            None => {
                state.peek_queued = false;
                let Some((after, text)) = state.peek_wanted.take() else {
                    return;
                };
                if state.painted < after {
                    // Lines sent since are still to paint (they are queued ahead of this).
                    state.peek_wanted = Some((after, text));
                    state.peek_queued = true;
                    drop(state);
                    lock(&self.paint_queue().work)
                        .items
                        .push_back(Item::Peek(Arc::downgrade(&job)));
                    return;
                }
                let line_state = state.line_state.clone();
                drop(state);
                let spans = painter.peek(&line_state, &text);
                let mut state = lock(&job.state);
                state.peeked = Some((after, text, spans));
                state.peek_version += 1;
            }
        }
        if !self.paint_queue().told.swap(true, Ordering::SeqCst) {
            self.tell(Ready::Lines);
        }
    }
}

impl PaintJob {
    /// Hands the block's next complete line (without its newline) to the painting thread;
    /// its number in the block.
    pub(super) fn send(&self, syntax: &Syntax, line: &str) -> usize {
        let index = {
            let mut state = lock(&self.0.state);
            state.sent += 1;
            state.sent - 1
        };
        syntax.queue(Item::Line(Arc::downgrade(&self.0), line.to_owned()));
        index
    }

    /// Spans for `line`, the block's unfinished last line: coloured as far as an earlier paint
    /// of it reaches, plain after. Asks for `line` to be painted.
    pub(super) fn peek(&self, syntax: &Syntax, line: &str) -> Vec<Span<'static>> {
        let mut state = lock(&self.0.state);
        let after = state.sent;
        let mut spans = Vec::new();
        let mut coloured = 0;
        if let Some((at, text, painted)) = &state.peeked
            && *at == after
            && line.starts_with(text.as_str())
        {
            spans.clone_from(painted);
            coloured = text.len();
        }
        if coloured < line.len() {
            spans.push(Span::styled(line[coloured..].to_owned(), self.0.plain));
        }
        let already = state
            .peek_wanted
            .as_ref()
            .is_some_and(|(at, wanted)| *at == after && wanted == line);
        if coloured < line.len() && !already {
            state.peek_wanted = Some((after, line.to_owned()));
            if !state.peek_queued {
                state.peek_queued = true;
                drop(state);
                syntax.queue(Item::Peek(Arc::downgrade(&self.0)));
            }
        }
        spans
    }

    /// How many unfinished lines were painted: the layout draws the line again when it grows.
    pub(super) fn peek_version(&self) -> u64 {
        lock(&self.0.state).peek_version
    }

    /// The painted lines numbered `from..to` not taken yet, with their numbers; painted lines
    /// before `from` are dropped.
    pub(super) fn take(&self, from: usize, to: usize) -> Vec<(usize, Vec<Span<'static>>)> {
        let mut state = lock(&self.0.state);
        let mut first = state.painted - state.ready.len();
        while first < from && state.ready.pop_front().is_some() {
            first += 1;
        }
        let n = to.saturating_sub(first).min(state.ready.len());
        state
            .ready
            .drain(..n)
            .enumerate()
            .map(|(i, spans)| (first + i, spans))
            .collect()
    }

    /// True when both are the same block's painting.
    pub(super) fn same(&self, other: &PaintJob) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Lines of `MarkdownLines` drawn plain that a job paints: rows `first_row..` hold its lines
/// `first_index..`, `count` of them, the first `applied` coloured already.
#[derive(Debug, Clone)]
pub(super) struct Segment {
    job: PaintJob,
    first_row: usize,
    first_index: usize,
    count: usize,
    applied: usize,
}

impl MarkdownLines {
    /// Notes that row `row`, drawn plain, is line `index` of `job`.
    pub(super) fn paint_later(&mut self, job: &PaintJob, row: usize, index: usize) {
        if let Some(last) = self.painting.last_mut()
            && last.job.same(job)
            && last.first_row + last.count == row
            && last.first_index + last.count == index
        {
            last.count += 1;
            return;
        }
        self.painting.push(Segment {
            job: job.clone(),
            first_row: row,
            first_index: index,
            count: 1,
            applied: 0,
        });
    }

    /// Keeps the first `n` lines, and the paintings of those.
    pub(super) fn cut_lines(&mut self, n: usize) {
        self.lines.truncate(n);
        self.painting.retain_mut(|seg| {
            seg.count = seg.count.min(n.saturating_sub(seg.first_row));
            seg.applied = seg.applied.min(seg.count);
            seg.count > 0
        });
    }

    /// True while code lines drawn plain may still get colours.
    pub fn awaits_paint(&self) -> bool {
        !self.painting.is_empty() || self.code.as_ref().is_some_and(|c| c.job.is_some())
    }

    /// Puts in the colours painted since the last call. When the line being written can be
    /// drawn with more of its colours, `text` (what was laid out) is laid out again for it.
    pub fn apply_painted(&mut self, text: &str, theme: &Theme, syntax: &Syntax) {
        let md = &theme.markdown;
        for seg in &mut self.painting {
            let from = seg.first_index + seg.applied;
            for (index, spans) in seg.job.take(from, seg.first_index + seg.count) {
                let line = finish_line(code::body_line(spans, self.width, md));
                self.lines
                    .replace(seg.first_row + index - seg.first_index, &line);
                seg.applied = index - seg.first_index + 1;
            }
        }
        let open_job = self.code.as_ref().and_then(|c| c.job.clone());
        self.painting.retain(|seg| {
            seg.applied < seg.count || open_job.as_ref().is_some_and(|j| j.same(&seg.job))
        });
        let newer_peek = self.code.as_ref().is_some_and(|c| c.newer_peek());
        if newer_peek {
            let (width, gutter) = (self.width, self.gutter.clone());
            self.update(text, width, &gutter, theme, syntax);
        }
    }
}
