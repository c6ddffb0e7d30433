//! Greedy line wrapping over styled spans, in one linear pass.

use std::ops::Range;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

use super::classify::{is_break_space, is_cjk, is_closing, is_opening};
use super::grapheme_width;

/// Columns between tab stops.
const TAB_STOP: usize = 4;

/// Wrap one logical line of styled spans to `width` columns.
///
/// Breaks at whitespace, and on either side of CJK characters except before closing or after
/// opening punctuation (kinsoku: the previous character moves down with the punctuation).
/// Whitespace at a break is dropped; a word wider than `width` is cut between grapheme clusters.
/// Tabs expand to the next multiple of 4 columns. Each piece keeps its span's style.
/// No returned line is wider than `width`, except that with width 1 a wide character still gets a
/// line of its own. Width 0 means "do not wrap": one line per logical line, tabs expanded.
/// A '\n' inside the spans starts a new line; an empty input gives one empty line.
pub fn wrap_line(spans: &[Span<'_>], width: usize) -> Vec<Line<'static>> {
    wrap(spans, width, None)
}

/// A line of a wrap that can be wrapped again on its own: greedy wrapping starts every line
/// afresh, so the lines from here on depend only on the text from `span`/`byte` on, once the
/// text up to `decided_by` is the same (see [`WrapMemo`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Restart {
    /// The line that starts here.
    line: usize,
    /// Its first byte: a span and a byte offset in that span.
    span: usize,
    byte: usize,
    /// Bytes of the input (the spans end to end) read to put the line's start here: the word
    /// it starts with and the grapheme after that word, or the forced break before it.
    decided_by: usize,
}

/// `wrap_line`, noting in `restarts` where each line after the first may be wrapped from.
fn wrap(
    spans: &[Span<'_>],
    width: usize,
    restarts: Option<&mut Vec<Restart>>,
) -> Vec<Line<'static>> {
    let units = units(spans);
    let width = if width == 0 { usize::MAX } else { width };
    // Where each span starts in the input, to say `decided_by` in the input's bytes.
    let span_starts: Vec<usize> = match restarts {
        Some(_) => spans
            .iter()
            .scan(0, |at, s| {
                let start = *at;
                *at += s.content.len();
                Some(start)
            })
            .collect(),
        None => Vec::new(),
    };
    let end_of = |u: &Unit| span_starts.get(u.span).map_or(0, |s| s + u.end);
    let mut out = LineBuilder::new(spans, width);
    out.restarts = restarts;
    let mut pending: Option<Range<usize>> = None; // whitespace run waiting for the next word
    let mut i = 0;
    while i < units.len() {
        match units[i].kind {
            Kind::Space | Kind::Tab => {
                let start = pending.map_or(i, |p| p.start);
                pending = Some(start..i + 1);
                i += 1;
            }
            Kind::Newline => {
                out.place_whitespace_clipped(&units[pending.take().unwrap_or(i..i)]);
                out.decided_by = end_of(&units[i]);
                out.break_before(units.get(i + 1));
                i += 1;
            }
            Kind::Glyph => {
                let mut end = i + 1;
                let mut word_width = units[i].width;
                while let Some(next) = units
                    .get(end)
                    .filter(|u| u.kind == Kind::Glyph && u.joins_prev)
                {
                    word_width += next.width;
                    end += 1;
                }
                let gap = &units[pending.take().unwrap_or(i..i)];
                // Where the word ends is known once the grapheme after it is read.
                out.decided_by = units.get(end).map_or(usize::MAX, end_of);
                out.place_word(gap, &units[i..end], word_width);
                i = end;
            }
        }
    }
    out.place_whitespace_clipped(&units[pending.unwrap_or(0..0)]);
    out.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A breakable space (dropped at a break).
    Space,
    /// A tab: expands to the next tab stop, breakable like a space.
    Tab,
    /// A forced break.
    Newline,
    /// Anything visible (or zero-width) that belongs to a word.
    Glyph,
}

/// One grapheme cluster of the input.
#[derive(Debug, Clone, Copy)]
struct Unit {
    span: usize,
    start: usize,
    end: usize,
    width: usize,
    kind: Kind,
    /// No break opportunity between this glyph and the glyph before it.
    joins_prev: bool,
}

/// Split the spans into grapheme clusters, deciding the break opportunities between glyphs.
fn units(spans: &[Span<'_>]) -> Vec<Unit> {
    let mut units = Vec::new();
    // Classes of the previous glyph, used to decide whether a break may precede the next one.
    let (mut prev_cjk, mut prev_opening) = (false, false);
    for (span, s) in spans.iter().enumerate() {
        for (start, g) in s.content.grapheme_indices(true) {
            let first = g.chars().next().unwrap_or(' ');
            let single = g.len() == first.len_utf8();
            let kind = if g.ends_with('\n') {
                Kind::Newline
            } else if g == "\t" {
                Kind::Tab
            } else if single && is_break_space(first) {
                Kind::Space
            } else {
                Kind::Glyph
            };
            // A tab's width depends on its column and is found when it is placed.
            let width = match kind {
                Kind::Glyph | Kind::Space => grapheme_width(g),
                Kind::Tab | Kind::Newline => 0,
            };
            let (cjk, opening, closing) = (is_cjk(first), is_opening(first), is_closing(first));
            let breakable = (prev_cjk || cjk) && !closing && !prev_opening && width > 0;
            units.push(Unit {
                span,
                start,
                end: start + g.len(),
                width,
                kind,
                joins_prev: !breakable,
            });
            if kind == Kind::Glyph {
                (prev_cjk, prev_opening) = (cjk, opening);
            }
        }
    }
    units
}

/// Accumulates placed text into lines, merging neighbouring pieces of the same span.
struct LineBuilder<'s, 'a> {
    spans: &'s [Span<'a>],
    width: usize,
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    /// Text of the piece being built and the span it came from.
    piece: String,
    piece_span: usize,
    /// Columns used on the current line.
    col: usize,
    /// Whether anything, even zero-width, is on the current line.
    placed: bool,
    /// Where lines may be wrapped again from, when asked for.
    restarts: Option<&'s mut Vec<Restart>>,
    /// `Restart::decided_by` of a line started now.
    decided_by: usize,
}

impl<'s, 'a> LineBuilder<'s, 'a> {
    fn new(spans: &'s [Span<'a>], width: usize) -> Self {
        Self {
            spans,
            width,
            lines: Vec::new(),
            current: Vec::new(),
            piece: String::new(),
            piece_span: 0,
            col: 0,
            placed: false,
            restarts: None,
            decided_by: usize::MAX,
        }
    }

    fn fits(&self, extra: usize) -> bool {
        self.col.saturating_add(extra) <= self.width
    }

    /// Columns a whitespace unit takes at column `col`.
    fn space_width(unit: &Unit, col: usize) -> usize {
        match unit.kind {
            Kind::Tab => TAB_STOP - col % TAB_STOP,
            _ => unit.width,
        }
    }

    fn place_word(&mut self, gap: &[Unit], word: &[Unit], word_width: usize) {
        let mut col = self.col;
        for u in gap {
            col = col.saturating_add(Self::space_width(u, col));
        }
        if col.saturating_add(word_width) <= self.width {
            self.place_whitespace_clipped(gap);
            self.place_glyphs(word);
            return;
        }
        if self.placed {
            // A break: the gap is dropped and the word starts the next line.
            self.break_before(word.first());
        } else {
            // Indentation at the start of a logical line is kept as far as it fits; a word that
            // fits a whole line is not cut just because the indentation leaves too little room.
            self.place_whitespace_clipped(gap);
            if self.placed && !self.fits(word_width) && word_width <= self.width {
                self.break_before(word.first());
            }
        }
        self.place_glyphs_breaking(word, word_width);
    }

    /// Place whitespace that is not followed by a break, dropping what does not fit.
    fn place_whitespace_clipped(&mut self, gap: &[Unit]) {
        for u in gap {
            let room = self.width.saturating_sub(self.col);
            let w = Self::space_width(u, self.col);
            match u.kind {
                Kind::Tab => self.push_spaces(u.span, w.min(room)),
                _ if w <= room => self.push(u),
                _ => {}
            }
            if w >= room {
                return;
            }
        }
    }

    fn place_glyphs(&mut self, word: &[Unit]) {
        for u in word {
            self.push(u);
        }
    }

    /// Place a word, cutting it between grapheme clusters wherever the line is full.
    fn place_glyphs_breaking(&mut self, word: &[Unit], word_width: usize) {
        if self.fits(word_width) {
            return self.place_glyphs(word);
        }
        for u in word {
            if !self.fits(u.width) && self.col > 0 {
                self.break_before(Some(u));
            }
            self.push(u);
        }
    }

    fn push(&mut self, u: &Unit) {
        let text = &self.spans[u.span].content[u.start..u.end];
        self.switch_span(u.span);
        self.piece.push_str(text);
        self.col += u.width;
        self.placed = true;
    }

    fn push_spaces(&mut self, span: usize, n: usize) {
        if n == 0 {
            return;
        }
        self.switch_span(span);
        self.piece.extend(std::iter::repeat_n(' ', n));
        self.col += n;
        self.placed = true;
    }

    fn switch_span(&mut self, span: usize) {
        if span != self.piece_span {
            self.flush_piece();
            self.piece_span = span;
        }
    }

    fn flush_piece(&mut self) {
        if !self.piece.is_empty() {
            let style: Style = self.spans[self.piece_span].style;
            self.current
                .push(Span::styled(std::mem::take(&mut self.piece), style));
        }
    }

    fn new_line(&mut self) {
        self.flush_piece();
        self.lines
            .push(Line::from(std::mem::take(&mut self.current)));
        self.col = 0;
        self.placed = false;
    }

    /// Ends the line; the next starts with `next`, noted as a restart when asked for.
    fn break_before(&mut self, next: Option<&Unit>) {
        self.new_line();
        if let (Some(restarts), Some(next)) = (self.restarts.as_deref_mut(), next) {
            restarts.push(Restart {
                line: self.lines.len(),
                span: next.span,
                byte: next.start,
                decided_by: self.decided_by,
            });
        }
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        self.new_line();
        self.lines
    }
}

mod memo;
pub use memo::WrapMemo;

#[cfg(test)]
mod tests;
