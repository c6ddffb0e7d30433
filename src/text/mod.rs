//! Display width and line wrapping that are correct for CJK, emoji and combining marks.
//!
//! Widths are measured per grapheme cluster, as ratatui draws them: a cluster is one unit that is
//! never split, and a cluster holding a control character draws nothing.

mod classify;
mod wrap;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

pub use wrap::{WrapMemo, wrap_line};

/// Columns that `s` occupies on a terminal (each grapheme cluster counts at most 2).
///
/// Control characters (including tab and newline) count 0, since ratatui does not draw them.
pub fn display_width(s: &str) -> usize {
    if s.is_ascii() {
        // Fast path: one column per printable byte.
        return s.bytes().filter(|b| !b.is_ascii_control()).count();
    }
    s.graphemes(true).map(grapheme_width).sum()
}

/// Width of one grapheme cluster: 0 for controls, otherwise unicode-width capped at 2.
///
/// The cap matters for emoji ZWJ sequences that unicode-width does not recognise as one glyph:
/// terminals that join them draw one wide glyph.
pub(crate) fn grapheme_width(g: &str) -> usize {
    if g.contains(char::is_control) {
        0
    } else {
        g.width().min(2)
    }
}

/// `s` cut to at most `max` columns, ending in '…' when anything was cut.
///
/// Never splits a grapheme cluster; with `max == 0` the result is empty.
pub fn truncate_to_width(s: &str, max: usize) -> String {
    // No cluster is wider than its bytes: text of at most `max` bytes fits whatever it holds.
    if s.len() <= max {
        return s.to_owned();
    }
    if s.is_ascii() {
        // Every byte is a cluster of one column or a control of none ("\r\n" is one cluster,
        // but both halves count nothing, so no cut falls between them).
        let bytes = s.bytes().enumerate();
        return cut_clusters(
            s,
            max,
            bytes.map(|(at, b)| (at, usize::from(!b.is_ascii_control()))),
        );
    }
    let clusters = s
        .grapheme_indices(true)
        .map(|(at, g)| (at, grapheme_width(g)));
    cut_clusters(s, max, clusters)
}

/// `s` cut to `max` columns given its clusters as (byte offset, width).
fn cut_clusters(s: &str, max: usize, clusters: impl Iterator<Item = (usize, usize)>) -> String {
    const ELLIPSIS: char = '…';
    let budget = max.saturating_sub(1); // room left once the ellipsis is placed
    let mut used = 0;
    let mut cut = None; // byte offset where the text must end if it is too wide
    for (offset, w) in clusters {
        if cut.is_none() && used + w > budget {
            cut = Some(offset);
        }
        used += w;
        if used > max {
            if max == 0 {
                return String::new();
            }
            // `cut` is set by now: exceeding `max` means exceeding `budget` first.
            let end = cut.unwrap_or(offset);
            let mut out = String::with_capacity(end + ELLIPSIS.len_utf8());
            out.push_str(&s[..end]);
            out.push(ELLIPSIS);
            return out;
        }
    }
    s.to_owned()
}

/// The largest char boundary of `s` at or before byte `at` (clamped to the length).
pub fn floor_char_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary of `s` at or after byte `at` (clamped to the length).
pub fn ceil_char_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Wrap multi-line text to `width` columns, one style for all of it.
///
/// Each '\n' starts a new line, so an empty input line stays an empty [`Line`] and
/// `"a\n"` gives two lines. See [`wrap_line`] for the wrapping rules.
pub fn wrap_text(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    wrap_line(&[Span::styled(text, style)], width)
}

#[cfg(test)]
mod tests;
