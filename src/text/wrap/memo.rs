//! Wrapping a paragraph that grows: the lines before the first change are kept.
//!
//! A streaming reply's last paragraph is wrapped again at every frame, and splitting it into
//! grapheme clusters was most of a paced reply's layout cost: a paragraph of 20 KB took the
//! same work 30 times a second to add a few characters at its end.

use std::borrow::Cow;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{Restart, wrap};

/// The last wrap of one paragraph, to wrap its next version from where it changed.
#[derive(Debug, Clone, Default)]
pub struct WrapMemo {
    width: usize,
    /// The spans last wrapped.
    spans: Vec<Span<'static>>,
    lines: Vec<Line<'static>>,
    /// Where lines of `lines` may be wrapped again from, in order.
    restarts: Vec<Restart>,
}

impl WrapMemo {
    /// The lines of `spans` wrapped to `width`, as [`super::wrap_line`] gives them.
    pub fn wrap(&mut self, spans: &[Span<'_>], width: usize) -> Vec<Line<'static>> {
        self.rewrap(spans, width);
        self.lines.clone()
    }

    /// `wrap`, but only the lines after the first `kept`, which are the same as the first
    /// `kept` lines of the last call's.
    pub fn wrap_after_kept(
        &mut self,
        spans: &[Span<'_>],
        width: usize,
    ) -> (usize, Vec<Line<'static>>) {
        let kept = self.rewrap(spans, width);
        (kept, self.lines[kept..].to_vec())
    }

    /// The lines after the first `kept` once `text` in `style` is added at the end of the last
    /// call's spans, without comparing them: what a streaming paragraph costs per piece.
    pub fn append(&mut self, text: &str, style: Style) -> (usize, Vec<Line<'static>>) {
        let same = self.spans.iter().map(|s| s.content.len()).sum();
        let mut spans = std::mem::take(&mut self.spans);
        match spans.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push_str(text),
            _ => spans.push(Span::styled(text.to_owned(), style)),
        }
        let kept = self.wrap_from(&spans, self.width, same);
        self.spans = spans;
        (kept, self.lines[kept..].to_vec())
    }

    /// Brings `lines` up to date; returns how many of them were kept from the last call.
    fn rewrap(&mut self, spans: &[Span<'_>], width: usize) -> usize {
        let same = if width == self.width {
            common_prefix(&self.spans, spans)
        } else {
            0
        };
        let total: usize = spans.iter().map(|s| s.content.len()).sum();
        let old_total: usize = self.spans.iter().map(|s| s.content.len()).sum();
        if width == self.width && same == total && total == old_total {
            return self.lines.len();
        }
        let kept = self.wrap_from(spans, width, same);
        self.spans.clear();
        self.spans.extend(
            spans
                .iter()
                .map(|s| Span::styled(s.content.clone().into_owned(), s.style)),
        );
        kept
    }

    /// Wraps `spans` again from the last line whose start was decided within their first
    /// `same` bytes, which are those of the last call; returns the lines kept.
    fn wrap_from(&mut self, spans: &[Span<'_>], width: usize, same: usize) -> usize {
        // The byte after `decided_by` must be the same too: it could join the last grapheme read.
        let from = self.restarts.iter().rposition(|r| r.decided_by < same);
        let (kept, restart) = match from {
            Some(k) => {
                let r = self.restarts[k];
                self.restarts.truncate(k + 1);
                (r.line, Some(r))
            }
            None => {
                self.restarts.clear();
                (0, None)
            }
        };
        self.lines.truncate(kept);
        let (span, byte) = restart.map_or((0, 0), |r| (r.span, r.byte));
        let rest = suffix(spans, span, byte);
        let base: usize = spans[..span.min(spans.len())]
            .iter()
            .map(|s| s.content.len())
            .sum::<usize>()
            + byte;
        let mut fresh = Vec::new();
        let lines = wrap(&rest, width, Some(&mut fresh));
        self.restarts.extend(fresh.into_iter().map(|r| Restart {
            line: r.line + kept,
            span: r.span + span,
            byte: if r.span == 0 { r.byte + byte } else { r.byte },
            decided_by: r.decided_by.saturating_add(base),
        }));
        self.lines.extend(lines);
        self.width = width;
        kept
    }
}

/// `spans` from byte `byte` of span `span` on, borrowed.
fn suffix<'a>(spans: &'a [Span<'_>], span: usize, byte: usize) -> Vec<Span<'a>> {
    spans
        .iter()
        .enumerate()
        .skip(span)
        .map(|(i, s)| {
            let text: &str = &s.content;
            let text = if i == span {
                text.get(byte..).unwrap_or_default()
            } else {
                text
            };
            Span {
                content: Cow::Borrowed(text),
                style: s.style,
            }
        })
        .collect()
}

/// Bytes at the start of `new` (its spans end to end) that `old` has too, in the same styles,
/// ending on a character boundary.
fn common_prefix(old: &[Span<'_>], new: &[Span<'_>]) -> usize {
    let mut same = 0;
    for (a, b) in old.iter().zip(new) {
        if a.style != b.style {
            return same;
        }
        if a.content == b.content {
            same += b.content.len();
            continue;
        }
        let n = a
            .content
            .bytes()
            .zip(b.content.bytes())
            .take_while(|(x, y)| x == y)
            .count();
        return same + crate::text::floor_char_boundary(&b.content, n);
    }
    same
}

#[cfg(test)]
mod tests;
