//! Markdown replies as styled lines, laid out incrementally while they stream.
//!
//! A text is cut into chunks at top-level block boundaries that no later text can move (see
//! [`boundaries`]) and each chunk is rendered on its own. While a reply streams, the chunks
//! before the last boundary are kept and only the tail is rendered again, so a frame costs the
//! text after the last finished block, not the whole reply. A fresh render and an incremental
//! one cut the text at the same places, so they give the same lines.

mod code;
mod highlight;
mod inline;
mod render;
mod table;

#[cfg(test)]
mod tests;

use pulldown_cmark::{Event, Parser};
use ratatui::text::{Line, Span};

use crate::sanitize::sanitize;
use crate::ui::theme::Theme;
pub use code::CUT_MARKER;
use highlight::HighlightMemo;
pub use highlight::{highlighting_ready, is_known_language, preload, warm_up};

/// The rendered lines of a markdown text that may still be growing.
#[derive(Debug, Clone, Default)]
pub struct MarkdownLines {
    lines: Vec<Line<'static>>,
    /// The source of the chunks drawn in `lines[..stable_lines]`.
    stable_src: String,
    stable_lines: usize,
    width: usize,
    /// Highlighting of the code block in the tail, continued from frame to frame.
    memo: HighlightMemo,
}

impl MarkdownLines {
    /// Renders `text` from scratch `width` columns wide, each line then prefixed with `gutter`.
    pub fn new(text: &str, width: usize, gutter: &Span<'static>, theme: &Theme) -> Self {
        let mut out = Self::default();
        out.update(text, width, gutter, theme);
        out
    }

    /// Brings the lines up to date with `text`. When `text` extends the text of the last call,
    /// only what follows the last stable boundary is rendered again.
    pub fn update(&mut self, text: &str, width: usize, gutter: &Span<'static>, theme: &Theme) {
        if width != self.width || !text.starts_with(self.stable_src.as_str()) {
            *self = Self {
                width,
                ..Self::default()
            };
        }
        let tail = &text[self.stable_src.len()..];
        self.lines.truncate(self.stable_lines);
        let mut start = 0;
        for b in boundaries(tail) {
            self.push_chunk(&tail[start..b], gutter, theme);
            start = b;
        }
        self.stable_lines = self.lines.len();
        self.stable_src.push_str(&tail[..start]);
        self.push_chunk(&tail[start..], gutter, theme);
    }

    /// Forgets what is needed to continue a stream; the lines stay.
    pub fn finish(&mut self) {
        self.stable_src = String::new();
        self.stable_lines = 0;
        self.memo = HighlightMemo::default();
    }

    /// The lines, gutter included.
    pub fn lines(&self) -> &[Line<'static>] {
        &self.lines
    }

    fn push_chunk(&mut self, src: &str, gutter: &Span<'static>, theme: &Theme) {
        let src = sanitize(src);
        let lines = render::render(
            &src,
            self.width,
            theme.body,
            &theme.markdown,
            Some(&mut self.memo),
        );
        if lines.is_empty() {
            return;
        }
        if !self.lines.is_empty() {
            self.lines.push(Line::from(gutter.clone()));
        }
        if gutter.content.is_empty() {
            self.lines.extend(lines);
            return;
        }
        for line in lines {
            let mut spans = Vec::with_capacity(line.spans.len() + 1);
            spans.push(gutter.clone());
            spans.extend(line.spans);
            self.lines.push(Line::from(spans));
        }
    }
}

/// Renders a whole markdown text `width` columns wide.
pub fn render_markdown(text: &str, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    MarkdownLines::new(text, width, &Span::raw(""), theme).lines
}

/// Offsets in `text` where a chunk may end: the start of a top-level block that follows a blank
/// line and whose first line is complete.
///
/// Such a boundary stays one however the text goes on (block structure is decided line by line,
/// and a blank line closes every container but a fence, inside which no block starts), and the
/// boundaries after it are the same whether the text is parsed from the start or from it.
/// A line starting with `[` is never a boundary: the next line may turn it into a link
/// reference definition, which starts no block.
fn boundaries(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(text, render::OPTIONS).into_offset_iter() {
        let top_level_start = match event {
            Event::Start(_) => {
                depth += 1;
                depth == 1
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
