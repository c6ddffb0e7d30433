//! A fenced code block still being written, laid out one line at a time.
//!
//! No block boundary falls inside an open fence, so without this the whole block would be
//! parsed, highlighted and laid out again every frame: 3.6 ms a frame for 100 KB, growing with
//! the block. Inside a fence that opens a chunk at the left margin every line is code taken as
//! it is, until a closing fence, so each complete line is laid out once and kept; a frame
//! costs the line being written. The lines are the ones the chunk's full render gives (the
//! streaming tests compare them at every cut); anything this does not model exactly (an
//! indented fence, an unusual info string, text that `sanitize` would change) goes the full
//! way instead.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, Parser};
use ratatui::text::{Line, Span};

use super::MarkdownLines;
use super::code;
use super::highlight::{LinePainter, LineState};
use super::paint::PaintJob;
use super::render::{OPTIONS, fence_language, finish_line};
use crate::sanitize::sanitize;
use crate::text::ceil_char_boundary;
use crate::view::theme::Theme;

/// What is kept of the open code block at the start of the tail.
#[derive(Debug, Clone, Default)]
pub(super) struct OpenCode {
    fence: u8,
    fence_len: usize,
    lang: String,
    /// Bytes of the tail laid out for good: the fence line and the complete code lines.
    pub(super) done: usize,
    /// The last bytes of those, to tell a text that went on from one that was replaced.
    done_end: String,
    /// Lines after the stable ones that hold them (a gap line, the frame's top, code lines).
    pub(super) lines: usize,
    /// The syntax theme the lines were coloured with (`None`: plain).
    colours: Option<&'static str>,
    state: LineState,
    /// Paints the lines on a spare thread, when the handle does that (else they are coloured
    /// here, with `state`).
    pub(super) job: Option<PaintJob>,
    /// The job's count of painted unfinished lines when the last line was drawn.
    peek_version: u64,
}

/// What [`MarkdownLines::open_code`] did with the tail.
pub(super) enum Outcome {
    /// The tail is an open code block, laid out.
    Open,
    /// A code block was closed and became stable: the rest of the tail is still to lay out.
    Closed,
    /// The tail is not a code block this can lay out.
    Other,
}

impl MarkdownLines {
    /// Lays out the tail if it is an open fenced code block, from where the last call stopped.
    pub(super) fn open_code(
        &mut self,
        text: &str,
        theme: &Theme,
        syntax: &super::Syntax,
    ) -> Outcome {
        let tail = &text[self.stable_len..];
        if self.no_code_at == Some(self.stable_len) {
            return Outcome::Other;
        }
        let md = &theme.markdown;
        let mut open = match self.code.take().filter(|open| open.goes_on(tail)) {
            Some(open) => open,
            None => match OpenCode::start(tail) {
                Some(open) => open,
                None => return Outcome::Other,
            },
        };
        let first_line = tail.find('\n').map_or(tail.len(), |i| i + 1);
        let painter = LinePainter::new(
            syntax,
            &open.lang,
            &tail[first_line..],
            md.syntax,
            md.code_text,
        );
        if open.lines > 0 && painter.name != open.colours {
            // Colours became ready (or went): lay the block out again once.
            open = OpenCode {
                done: 0,
                lines: 0,
                state: None,
                ..open
            };
        }
        open.colours = painter.name;
        self.cut_lines(self.stable_lines + open.lines);
        if open.done == 0 {
            let Some(fence_line) = tail.get(..first_line).filter(|l| l.ends_with('\n')) else {
                return self.give_up();
            };
            if !self.lines.is_empty() {
                self.lines.push(&Line::default());
            }
            self.lines
                .push(&finish_line(code::header(&open.lang, self.width, md)));
            open.done = fence_line.len();
            open.job = if self.live {
                syntax.paint_job(&open.lang, painter.name, md.code_text)
            } else {
                None
            };
        }
        let mut rest = &tail[open.done..];
        while let Some(nl) = rest.find('\n') {
            let line = &rest[..nl];
            if !is_clean(line) {
                return self.give_up();
            }
            if open.closes(line) {
                open.keep(tail, self.lines.len() - self.stable_lines);
                self.lines.push(&finish_line(code::footer(md)));
                let closed = open.done + nl + 1;
                // The block is a stable chunk once the next block has begun (see `cut_after`).
                if let Some(next) = next_block(tail, closed) {
                    self.stable_lines = self.lines.len();
                    self.set_stable_len(text, self.stable_len + next);
                    return Outcome::Closed;
                }
                self.code = Some(open);
                return Outcome::Open;
            }
            let spans = match &open.job {
                Some(job) => {
                    let index = job.send(syntax, line);
                    self.paint_later(job, self.lines.len(), index);
                    vec![Span::styled(line.to_owned(), md.code_text)]
                }
                None => painter.line(&mut open.state, line),
            };
            self.lines
                .push(&finish_line(code::body_line(spans, self.width, md)));
            open.done += nl + 1;
            rest = &rest[nl + 1..];
        }
        open.keep(tail, self.lines.len() - self.stable_lines);
        if !rest.is_empty() {
            if !is_clean(rest) {
                return self.give_up();
            }
            // What the parser makes of a last line without its newline has quirks (one to
            // three spaces are no line, a fence closes): ask it, about this line alone.
            let fence_line = &tail[..first_line];
            if let Some(line) = last_line(fence_line, rest) {
                let spans = match open.job.take() {
                    // The reply ended inside the block: its last line is final, and is painted
                    // as the others are (the job goes: nothing follows it).
                    Some(job) if !self.live => {
                        let index = job.send(syntax, &line);
                        self.paint_later(&job, self.lines.len(), index);
                        vec![Span::styled(line, md.code_text)]
                    }
                    Some(job) => {
                        open.peek_version = job.peek_version();
                        let spans = job.peek(syntax, &line);
                        open.job = Some(job);
                        spans
                    }
                    None => painter.peek(&open.state, &line),
                };
                self.lines
                    .push(&finish_line(code::body_line(spans, self.width, md)));
            }
        }
        self.lines.push(&finish_line(code::footer(md)));
        self.code = Some(open);
        Outcome::Open
    }

    /// Leaves this tail to the full render until the stable text moves on.
    fn give_up(&mut self) -> Outcome {
        self.cut_lines(self.stable_lines);
        self.code = None;
        self.no_code_at = Some(self.stable_len);
        Outcome::Other
    }
}

impl OpenCode {
    /// The block opened by the first line of `tail`, if it is a fence this can follow.
    fn start(tail: &str) -> Option<Self> {
        let fence = *tail.as_bytes().first()?;
        if fence != b'`' && fence != b'~' {
            return None;
        }
        let line = &tail[..tail.find('\n')?];
        let fence_len = line.bytes().take_while(|&b| b == fence).count();
        let info = &line[fence_len..];
        // Escapes and entities in the info string are decoded by the parser: leave those to it.
        let plain_info = info
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '`' | '\\' | '&') || c == ' ');
        if fence_len < 3 || !plain_info || !is_clean(line) {
            return None;
        }
        Some(Self {
            fence,
            fence_len,
            lang: fence_language(info.trim()).to_owned(),
            ..Self::default()
        })
    }

    /// Notes that `tail[..self.done]` is laid out in `lines` lines after the stable ones.
    fn keep(&mut self, tail: &str, lines: usize) {
        self.lines = lines;
        let from = ceil_char_boundary(tail, self.done.saturating_sub(super::STABLE_END));
        self.done_end = tail[from..self.done].to_owned();
    }

    /// True when the line being written was drawn before its latest painting.
    pub(super) fn newer_peek(&self) -> bool {
        self.job
            .as_ref()
            .is_some_and(|job| job.peek_version() != self.peek_version)
    }

    /// True when `tail` goes on from the text laid out so far.
    fn goes_on(&self, tail: &str) -> bool {
        tail.len() >= self.done
            && tail.is_char_boundary(self.done)
            && tail[..self.done].ends_with(self.done_end.as_str())
    }

    /// True when `line` (without its newline) closes the block: up to three spaces, at least
    /// as many fence characters as opened it, then only blanks.
    fn closes(&self, line: &str) -> bool {
        let body = line.trim_start_matches(' ');
        if line.len() - body.len() > 3 {
            return false;
        }
        let n = body.bytes().take_while(|&b| b == self.fence).count();
        n >= self.fence_len && body[n..].bytes().all(|b| b == b' ' || b == b'\t')
    }
}

/// Where a chunk ends after the top-level code block `block` of `text`, if it is a fence at
/// the start of its chunk that is closed, and the next block has begun: the start of the first
/// line after it that is not blank.
///
/// Such a cut stays one however the text goes on (a closed fence is closed for good, blank
/// lines never become text), and what follows it is parsed as a fresh text would be: nothing
/// is open after a closed top-level fence. While the fence is open the chunk's lines are kept
/// line by line ([`MarkdownLines::open_code`]), so this lets them go to the stable part when
/// it closes, instead of the whole block being rendered again until a later boundary.
pub(super) fn cut_after(text: &str, block: Range<usize>) -> Option<usize> {
    let open = OpenCode::start(&text[block.start..])?;
    let inside = &text[block.clone()];
    let last = &inside[inside.rfind('\n')? + 1..];
    if !open.closes(last) || !text[block.end..].starts_with('\n') {
        return None;
    }
    next_block(text, block.end + 1)
}

/// The start of the first line from `from` (a line start) with more than blanks on it.
fn next_block(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let rest = &text[at..];
        let end = rest.find('\n');
        let line = &rest[..end.unwrap_or(rest.len())];
        if line.bytes().any(|b| b != b' ' && b != b'\t') {
            return Some(at);
        }
        at += end? + 1;
    }
}

/// The code the parser finds in `line`, the last line of a block opened by `fence_line`.
fn last_line(fence_line: &str, line: &str) -> Option<String> {
    let block = format!("{fence_line}{line}");
    let mut code = String::new();
    for event in Parser::new_ext(&block, OPTIONS) {
        if let Event::Text(t) = event {
            code.push_str(&t);
        }
    }
    (!code.is_empty()).then_some(code)
}

/// True when `sanitize` leaves `s` as it is (and so the parser sees it as written).
fn is_clean(s: &str) -> bool {
    matches!(sanitize(s), Cow::Borrowed(_))
}
