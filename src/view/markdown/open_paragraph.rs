//! A streaming reply whose unfinished tail is one paragraph, growing by plain text: laid out
//! from the added text alone, without parsing the paragraph again.
//!
//! A paragraph has no block boundary inside, so until a blank line comes, every piece of a
//! long one re-parsed and re-sanitized all of it: 1.5 ms a piece at 1 MB. Text without ASCII
//! punctuation, line breaks or control characters cannot open, close or escape any inline
//! markup, so when the paragraph did not end in markup or whitespace either, it renders as
//! the same spans with the text added in the paragraph's own style.

use ratatui::text::Line;

use super::MarkdownLines;
use super::render::finish_line;
use crate::sanitize::sanitize;
use crate::text::ceil_char_boundary;
use crate::view::theme::Theme;

/// Bytes of the tail kept to recognise it.
const END: usize = 64;

/// The tail as last laid out, when plain text may be added to it without a parse.
#[derive(Debug, Clone, Default)]
pub(super) struct OpenParagraph {
    /// Bytes of the tail laid out.
    len: usize,
    /// Its last bytes.
    end: String,
}

impl OpenParagraph {
    /// The tail `src`, just laid out in full as one paragraph alone, if text can be added to it
    /// without a parse.
    pub(super) fn after_render(src: &str) -> Option<Self> {
        accepts_more(src).then(|| Self::of(src))
    }

    fn of(src: &str) -> Self {
        let from = ceil_char_boundary(src, src.len().saturating_sub(END));
        Self {
            len: src.len(),
            end: src[from..].to_owned(),
        }
    }
}

impl MarkdownLines {
    /// Lays out `tail` when it is the last tail laid out with plain text added; false when it
    /// is not, and nothing was changed.
    pub(super) fn append_to_paragraph(&mut self, tail: &str, theme: &Theme) -> bool {
        let Some(open) = &self.open else {
            return false;
        };
        let same_tail = tail.len() > open.len
            && tail.is_char_boundary(open.len)
            && tail[..open.len].ends_with(open.end.as_str());
        if !same_tail || self.tail_end != Some(self.lines.len()) {
            return false;
        }
        let added = &tail[open.len..];
        if !is_plain(added) {
            return false;
        }
        let Some(memo) = self.wraps.first_mut() else {
            return false;
        };
        let (kept, lines) = memo.append(added, theme.body);
        // The stable lines are followed by a blank line before the tail.
        let gap = usize::from(self.stable_lines > 0);
        self.cut_lines(self.stable_lines + gap + kept);
        self.lines.extend(
            lines
                .into_iter()
                .map(|l: Line<'static>| finish_line(l.spans)),
        );
        self.tail_end = Some(self.lines.len());
        self.open = Some(OpenParagraph::of(tail));
        true
    }
}

/// True when plain text added to the paragraph `src` renders as its spans plus that text:
/// nothing in it can turn into markup or change the block, however it goes on.
fn accepts_more(src: &str) -> bool {
    let Some(last) = src.chars().next_back() else {
        return false;
    };
    // A delimiter or entity at the end reads differently with a character after it.
    if last.is_ascii_punctuation() || last.is_whitespace() {
        return false;
    }
    // A line `<di` becomes an HTML block with a `v`, which ends the paragraph.
    let starts_markup = |line: &str| {
        line.trim_start()
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_punctuation())
    };
    let last_line = src.rsplit('\n').next().unwrap_or(src);
    if starts_markup(src) || starts_markup(last_line) {
        return false;
    }
    // An unfinished escape sequence would take the added text in; leftover `**` are made
    // bold only in text with CJK, which the added text may bring.
    matches!(sanitize(src), std::borrow::Cow::Borrowed(_)) && !src.contains("**")
}

/// Text that cannot open, close or escape markup or start a line. It must not end in
/// whitespace either, which a paragraph drops at its end: the memo would keep it.
fn is_plain(added: &str) -> bool {
    !added.is_empty()
        && !added
            .chars()
            .any(|c| c.is_ascii_punctuation() || c.is_control())
        && !added.ends_with(char::is_whitespace)
        && matches!(sanitize(added), std::borrow::Cow::Borrowed(_))
}
