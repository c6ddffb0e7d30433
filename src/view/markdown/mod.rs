//! Markdown replies as styled lines, laid out incrementally while they stream.
//!
//! A text is cut into chunks at top-level block boundaries that no later text can move (see
//! [`boundaries`]) and each chunk is rendered on its own. While a reply streams, the chunks
//! before the last boundary are kept and only the tail is rendered again, so a frame costs the
//! text after the last finished block, not the whole reply. A fresh render and an incremental
//! one cut the text at the same places, so they give the same lines. Within the tail, an open
//! code block is laid out line by line (`open_code`), a paragraph growing by plain text from
//! the added text alone (`open_paragraph`), and other blocks are wrapped again only from
//! where they changed (`WrapMemo`).

mod code;
mod highlight;
mod inline;
mod open_code;
mod open_paragraph;
mod paint;
mod render;
mod table;
mod warm;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use pulldown_cmark::{Event, Parser, TagEnd};
use ratatui::text::{Line, Span};

use crate::sanitize::sanitize;
use crate::text::{WrapMemo, ceil_char_boundary};
use crate::view::packed::PackedLines;
use crate::view::theme::Theme;
pub use code::CUT_MARKER;
use highlight::HighlightMemo;
use open_code::Outcome;
pub use warm::{Ready, Syntax};

/// The rendered lines of a markdown text that may still be growing.
#[derive(Debug, Clone, Default)]
pub struct MarkdownLines {
    /// The lines without the gutter, which is put back when a line is read.
    lines: PackedLines,
    gutter: Span<'static>,
    /// Bytes of the text drawn in `lines[..stable_lines]`: whole chunks no later text can change.
    /// The text itself is not kept (a long reply would be held twice); `stable_end`, its last
    /// bytes, tells a text that went on from one that was replaced.
    stable_len: usize,
    stable_end: String,
    stable_lines: usize,
    width: usize,
    /// Highlighting of the code block in the tail, continued from frame to frame.
    memo: HighlightMemo,
    /// The tail's wrapped blocks, continued from frame to frame.
    wraps: Vec<WrapMemo>,
    /// `lines` end with the tail as last rendered, after `stable_lines`, and its first lines
    /// can be kept: the lines' count then.
    tail_end: Option<usize>,
    /// The tail, when plain text may be added to it without a parse.
    open: Option<open_paragraph::OpenParagraph>,
    /// The open code block the tail starts with, laid out line by line.
    code: Option<open_code::OpenCode>,
    /// The stable length at which the tail was found to need the full render each frame.
    no_code_at: Option<usize>,
    /// Code lines drawn plain while a spare thread colours them.
    painting: Vec<paint::Segment>,
    /// The text is a reply still streaming: its code lines may be coloured on a spare thread.
    live: bool,
}

/// Bytes of text searched for chunk boundaries at once.
const WINDOW: usize = 64 * 1024;

/// Bytes of the stable text kept to recognise it.
const STABLE_END: usize = 64;

impl MarkdownLines {
    /// Renders `text` from scratch `width` columns wide, each line then prefixed with `gutter`.
    pub fn new(
        text: &str,
        width: usize,
        gutter: &Span<'static>,
        theme: &Theme,
        syntax: &Syntax,
    ) -> Self {
        let mut out = Self::default();
        out.update(text, width, gutter, theme, syntax);
        out
    }

    /// Brings the lines up to date with `text`. When `text` extends the text of the last call,
    /// only what follows the last stable boundary is rendered again.
    pub fn update(
        &mut self,
        text: &str,
        width: usize,
        gutter: &Span<'static>,
        theme: &Theme,
        syntax: &Syntax,
    ) {
        self.update_in_windows(text, width, gutter, theme, syntax, WINDOW);
    }

    /// `update`, searching for boundaries `window` bytes at a time.
    fn update_in_windows(
        &mut self,
        text: &str,
        width: usize,
        gutter: &Span<'static>,
        theme: &Theme,
        syntax: &Syntax,
        first_window: usize,
    ) {
        if width != self.width || *gutter != self.gutter || !self.continues(text) {
            *self = Self {
                width,
                gutter: gutter.clone(),
                live: self.live,
                ..Self::default()
            };
        }
        loop {
            match self.open_code(text, theme, syntax) {
                Outcome::Open => {
                    self.tail_end = None;
                    self.open = None;
                    return;
                }
                Outcome::Closed => {
                    self.tail_end = None;
                    self.open = None;
                    continue;
                }
                Outcome::Other => {}
            }
            let tail = &text[self.stable_len..];
            if self.append_to_paragraph(tail, theme) {
                return;
            }
            let ends = chunk_ends(tail, first_window);
            let mut start = 0;
            if !ends.is_empty() {
                self.tail_end = None;
                self.open = None;
                self.cut_lines(self.stable_lines);
                for end in ends {
                    self.push_chunk(&tail[start..end], theme, syntax);
                    start = end;
                }
                self.stable_lines = self.lines.len();
                self.set_stable_len(text, self.stable_len + start);
            }
            // Only a fence can be laid out other than in full (see `open_code`).
            let rest = &tail[start..];
            if start == 0 || !rest.starts_with(['`', '~']) {
                self.push_tail(rest, theme, syntax);
                return;
            }
        }
    }

    /// Lays out the unfinished tail after the stable lines, keeping the lines of its first
    /// paragraph that did not change since the last frame.
    fn push_tail(&mut self, raw: &str, theme: &Theme, syntax: &Syntax) {
        let src = sanitize(raw);
        let keep = self.tail_end == Some(self.lines.len());
        let tail = render::render_tail(
            &src,
            self.width,
            (theme.body, &theme.markdown),
            syntax,
            &mut self.memo,
            &mut self.wraps,
            keep,
        );
        // Stable lines are followed by a blank line before the tail.
        let gap = usize::from(self.stable_lines > 0);
        if tail.kept > 0 {
            self.cut_lines(self.stable_lines + gap + tail.kept);
            self.lines.extend(tail.lines);
        } else {
            self.cut_lines(self.stable_lines);
            if !tail.lines.is_empty() {
                if !self.lines.is_empty() {
                    self.lines.push(&Line::default());
                }
                self.lines.extend(tail.lines);
            }
        }
        self.tail_end = tail.keepable.then_some(self.lines.len());
        self.open = if tail.only_paragraph {
            open_paragraph::OpenParagraph::after_render(raw)
        } else {
            None
        };
    }

    /// Marks `text[..len]` as rendered for good.
    fn set_stable_len(&mut self, text: &str, len: usize) {
        self.stable_len = len;
        let from = ceil_char_boundary(text, len.saturating_sub(STABLE_END));
        self.stable_end = text[from..len].to_string();
    }

    /// True when `text` goes on from the stable text of the last call.
    fn continues(&self, text: &str) -> bool {
        text.len() >= self.stable_len
            && text.is_char_boundary(self.stable_len)
            && text[..self.stable_len].ends_with(self.stable_end.as_str())
    }

    /// Marks the text as a reply still streaming (or not): only then are complete code lines
    /// drawn plain and coloured on a spare thread (see `paint`), so a frame does not wait for
    /// them. A text laid out whole is coloured at once.
    pub fn set_live(&mut self, live: bool) {
        self.live = live;
    }

    /// Forgets what is needed to continue a stream; the lines stay, and so do the colours
    /// still to be put in.
    pub fn finish(&mut self) {
        self.stable_len = 0;
        self.stable_end = String::new();
        self.stable_lines = 0;
        self.memo = HighlightMemo::default();
        self.wraps = Vec::new();
        self.tail_end = None;
        self.open = None;
        self.code = None;
        self.no_code_at = None;
        self.live = false;
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when nothing was rendered.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Line `i`, gutter included.
    pub fn line(&self, i: usize) -> Option<Line<'_>> {
        self.lines.get(i, &self.gutter)
    }

    /// Every line, gutter included.
    pub fn lines(&self) -> Vec<Line<'_>> {
        (0..self.len()).filter_map(|i| self.line(i)).collect()
    }

    fn push_chunk(&mut self, src: &str, theme: &Theme, syntax: &Syntax) {
        let src = sanitize(src);
        let lines = render::render(
            &src,
            self.width,
            theme.body,
            &theme.markdown,
            syntax,
            Some(&mut self.memo),
        );
        if lines.is_empty() {
            return;
        }
        if !self.lines.is_empty() {
            self.lines.push(&Line::default());
        }
        self.lines.extend(lines);
    }
}

/// The ends of the stable chunks of `text` (the last chunk, after them, may still change).
/// Boundaries found in a prefix are boundaries of the whole text (see `boundaries`), so a long
/// text is searched a window at a time: the parser's tree for a 10 MB reply laid out at once
/// took 10 MB.
fn chunk_ends(text: &str, first_window: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut start = 0;
    let mut window = first_window.max(1);
    while start < text.len() {
        let end = ceil_char_boundary(text, start.saturating_add(window));
        let found = boundaries(&text[start..end]);
        let from = start;
        for b in &found {
            start = from + b;
            ends.push(start);
        }
        if end == text.len() {
            break;
        }
        // A block longer than the window (a long code block): look further.
        window = if found.is_empty() {
            window.saturating_mul(2)
        } else {
            first_window.max(1)
        };
    }
    ends
}

/// The markdown source of `text` exactly as the screen shows it: sanitized chunk by chunk, as
/// it is drawn, so that an escape sequence is cut where the drawing cuts it. What a copy takes.
pub fn shown_source(text: &str) -> Cow<'_, str> {
    let whole = sanitize(text);
    if matches!(whole, Cow::Borrowed(_)) {
        // Nothing to remove anywhere, so no chunk changes either.
        return whole;
    }
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    for end in chunk_ends(text, WINDOW) {
        // Chunks are drawn apart even when a sequence swallows the blank line ending one, so
        // that line is kept (it is plain whitespace).
        let chunk = &text[start..end];
        let body = chunk.trim_end_matches(['\n', ' ', '\t']);
        out.push_str(&sanitize(body));
        out.push_str(&chunk[body.len()..]);
        start = end;
    }
    out.push_str(&sanitize(&text[start..]));
    Cow::Owned(out)
}

/// Renders a whole markdown text `width` columns wide.
pub fn render_markdown(
    text: &str,
    width: usize,
    theme: &Theme,
    syntax: &Syntax,
) -> Vec<Line<'static>> {
    let md = MarkdownLines::new(text, width, &Span::raw(""), theme, syntax);
    md.lines().into_iter().map(owned).collect()
}

/// `line` with its text copied out of whatever it borrowed.
pub fn owned(line: Line<'_>) -> Line<'static> {
    Line::from(
        line.spans
            .into_iter()
            .map(|s| Span::styled(s.content.into_owned(), s.style))
            .collect::<Vec<_>>(),
    )
}

/// Offsets in `text` where a chunk may end: the start of a top-level block that follows a blank
/// line and whose first line is complete.
///
/// Such a boundary stays one however the text goes on (block structure is decided line by line,
/// and a blank line closes every container but a fence, inside which no block starts), and the
/// boundaries after it are the same whether the text is parsed from the start or from it.
/// A line starting with `[` is never a boundary: the next line may turn it into a link
/// reference definition, which starts no block. A closed fence that starts a chunk also ends
/// one (see `open_code::cut_after`).
fn boundaries(text: &str) -> Vec<usize> {
    // The tail of a streaming reply is searched at every frame; mostly it is one paragraph.
    if cannot_hold_boundary(text) {
        return Vec::new();
    }
    parsed_boundaries(text)
}

/// True when `text` has no boundary without parsing it: every boundary follows a blank line
/// but a fence's end, and a fence's end is a boundary only in a chunk that starts with one.
fn cannot_hold_boundary(text: &str) -> bool {
    let starts_fenced = text.trim_start_matches(' ').starts_with(['`', '~']);
    let mut lines = text.split('\n');
    // The piece after the last line break is not a line yet.
    lines.next_back();
    !starts_fenced && !lines.any(|l| l.trim().is_empty())
}

/// `boundaries`, found by parsing.
fn parsed_boundaries(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(text, render::OPTIONS).into_offset_iter() {
        let top_level_start = match event {
            Event::Start(_) => {
                depth += 1;
                depth == 1
            }
            Event::End(TagEnd::CodeBlock) if depth == 1 => {
                depth = 0;
                let at_chunk_start = range.start == 0 || out.last() == Some(&range.start);
                if let Some(cut) =
                    open_code::cut_after(text, range.clone()).filter(|_| at_chunk_start)
                {
                    out.push(cut);
                }
                false
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                false
            }
            Event::Rule => depth == 0,
            _ => false,
        };
        if top_level_start && out.last() != Some(&range.start) && is_boundary(text, range.start) {
            out.push(range.start);
        }
    }
    out
}

fn is_boundary(text: &str, at: usize) -> bool {
    let (before, after) = text.split_at(at);
    let Some(before) = before.strip_suffix('\n') else {
        return false;
    };
    let previous_line = before.rsplit('\n').next().unwrap_or(before);
    previous_line.trim().is_empty()
        && !before.trim().is_empty()
        && after.contains('\n')
        && !after.starts_with('[')
}
