//! Fenced and indented code blocks: a frame with the language name, highlighted lines that are
//! never wrapped but cut at the pane edge with a marker.

use ratatui::text::Span;
use unicode_segmentation::UnicodeSegmentation;

use super::highlight::{HighlightMemo, highlight};
use super::warm::Syntax;
use crate::text::grapheme_width;
use crate::view::theme::MarkdownTheme;

/// Shown in the last column of a code line that is wider than the pane.
pub const CUT_MARKER: &str = "→";
/// Columns between tab stops inside code.
const TAB_STOP: usize = 4;

/// The lines of a code block `width` columns wide, frame included.
pub fn render(
    lang: &str,
    code: &str,
    width: usize,
    md: &MarkdownTheme,
    syntax: &Syntax,
    memo: Option<&mut HighlightMemo>,
) -> Vec<Vec<Span<'static>>> {
    let mut out = vec![header(lang, width, md)];
    for line in highlight(syntax, lang, code, md.syntax, md.code_text, memo) {
        out.push(body_line(line, width, md));
    }
    out.push(footer(md));
    out
}

/// The top of a code block's frame, with its language.
pub(super) fn header(lang: &str, width: usize, md: &MarkdownTheme) -> Vec<Span<'static>> {
    let label = if lang.is_empty() {
        "╭─".to_owned()
    } else {
        format!("╭─ {lang}")
    };
    // A long info string is cut like a long code line, so the frame never overflows the pane.
    fit(vec![Span::styled(label, md.code_frame)], width.max(1), md)
}

/// One highlighted code line inside the frame, cut to `width`.
pub(super) fn body_line(
    line: Vec<Span<'static>>,
    width: usize,
    md: &MarkdownTheme,
) -> Vec<Span<'static>> {
    // The bar and its space take two columns; the code gets the rest, at least one.
    let room = width.saturating_sub(2).max(1);
    let mut spans = vec![Span::styled("│ ", md.code_frame)];
    spans.extend(fit(line, room, md));
    spans
}

/// The bottom of a code block's frame.
pub(super) fn footer(md: &MarkdownTheme) -> Vec<Span<'static>> {
    vec![Span::styled("╰─", md.code_frame)]
}

/// Expands tabs and cuts the line to `room` columns, ending a cut line in [`CUT_MARKER`].
fn fit(line: Vec<Span<'static>>, room: usize, md: &MarkdownTheme) -> Vec<Span<'static>> {
    let expanded = expand_tabs(line);
    let total: usize = expanded
        .iter()
        .map(|s| crate::text::display_width(&s.content))
        .sum();
    if total <= room {
        return expanded;
    }
    let budget = room - 1; // the marker takes the last column
    let mut out = Vec::new();
    let mut used = 0;
    'spans: for span in expanded {
        let mut kept = String::new();
        for g in span.content.graphemes(true) {
            let w = grapheme_width(g);
            if used + w > budget {
                if !kept.is_empty() {
                    out.push(Span::styled(kept, span.style));
                }
                break 'spans;
            }
            used += w;
            kept.push_str(g);
        }
        out.push(Span::styled(kept, span.style));
    }
    // A wide character that did not fit leaves a gap; pad so the marker sits at the edge.
    if used < budget {
        out.push(Span::raw(" ".repeat(budget - used)));
    }
    out.push(Span::styled(CUT_MARKER, md.code_frame));
    out
}

/// Tabs become spaces up to the next tab stop, counted from the start of the code line.
fn expand_tabs(line: Vec<Span<'static>>) -> Vec<Span<'static>> {
    if !line.iter().any(|s| s.content.contains('\t')) {
        return line;
    }
    let mut col = 0;
    line.into_iter()
        .map(|span| {
            let mut text = String::with_capacity(span.content.len());
            for g in span.content.graphemes(true) {
                if g == "\t" {
                    let n = TAB_STOP - col % TAB_STOP;
                    text.extend(std::iter::repeat_n(' ', n));
                    col += n;
                } else {
                    col += grapheme_width(g);
                    text.push_str(g);
                }
            }
            Span::styled(text, span.style)
        })
        .collect()
}
