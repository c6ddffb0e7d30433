//! The renderer's bookkeeping: containers and their prefixes, blank lines between blocks,
//! inline text and styles, and putting out wrapped lines.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{Container, Leaf, Renderer};
use crate::text::{WrapMemo, display_width, wrap_line};
use crate::view::markdown::inline::rescue_strong;

const BULLETS: [&str; 3] = ["•", "◦", "▪"];
const QUOTE_BAR: &str = "│ ";

impl Renderer<'_> {
    pub(super) fn start_item(&mut self) {
        self.end_implicit();
        let depth = self
            .containers
            .iter()
            .filter(|c| matches!(c, Container::List { .. }))
            .count()
            .saturating_sub(1);
        let (text, loose) = match self.containers.last_mut() {
            Some(Container::List { next_number, loose }) => {
                let text = match next_number {
                    Some(n) => {
                        let text = format!("{n}. ");
                        *n += 1;
                        text
                    }
                    None => format!("{} ", BULLETS[depth % BULLETS.len()]),
                };
                (text, *loose)
            }
            _ => ("• ".to_owned(), false),
        };
        if !loose {
            self.gap = false;
        }
        let width = display_width(&text);
        self.containers.push(Container::Item {
            marker: Some(Span::styled(text, self.md.list_marker)),
            width,
        });
    }

    /// A paragraph directly inside a list item makes the list loose: its items get blank lines
    /// between them.
    pub(super) fn mark_list_loose(&mut self) {
        let n = self.containers.len();
        if n >= 2
            && matches!(self.containers[n - 1], Container::Item { .. })
            && let Container::List { loose, .. } = &mut self.containers[n - 2]
        {
            *loose = true;
        }
    }

    pub(super) fn end_link(&mut self, image: bool) {
        self.styles.pop();
        let Some((url, start)) = self.links.pop() else {
            return;
        };
        if image {
            self.text("]", self.style().patch(self.md.link));
        }
        let text: String = self.inline[start.min(self.inline.len())..]
            .iter()
            .map(|(s, _)| s.content.as_ref())
            .collect();
        let same = text == url || url.strip_prefix("mailto:") == Some(text.as_str());
        if !url.is_empty() && !same {
            self.text(&format!(" ({url})"), self.md.url);
        }
    }

    /// Text from the source, in the current style.
    pub(super) fn source_text(&mut self, text: &str) {
        self.push_inline(text, self.style(), true);
    }

    /// Text the renderer adds (markers, URLs) or that is code.
    pub(super) fn text(&mut self, text: &str, style: Style) {
        self.push_inline(text, style, false);
    }

    /// Outside any block (a tight list item) inline content starts an implicit paragraph.
    pub(super) fn push_inline(&mut self, text: &str, style: Style, source: bool) {
        if matches!(self.leaf, Leaf::None) {
            self.open_leaf(Leaf::Paragraph { implicit: true }, self.base());
        }
        match self.inline.last_mut() {
            Some((last, lit)) if last.style == style && *lit == source => {
                last.content.to_mut().push_str(text)
            }
            _ => self
                .inline
                .push((Span::styled(text.to_owned(), style), source)),
        }
    }

    pub(super) fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or(self.body)
    }

    pub(super) fn push_style(&mut self, patch: Style) {
        self.styles.push(self.style().patch(patch));
    }

    /// The text style of a block here: quotes set their own.
    pub(super) fn base(&self) -> Style {
        let quoted = self
            .containers
            .iter()
            .any(|c| matches!(c, Container::Quote));
        if quoted {
            self.body.patch(self.md.quote_text)
        } else {
            self.body
        }
    }

    pub(super) fn open_leaf(&mut self, leaf: Leaf, style: Style) {
        self.leaf = leaf;
        self.inline.clear();
        self.styles = vec![style];
        self.links.clear();
    }

    /// Ends the paragraph or heading being read and lays it out.
    pub(super) fn close_leaf(&mut self) {
        let implicit = matches!(self.leaf, Leaf::Paragraph { implicit: true });
        let paragraph = matches!(self.leaf, Leaf::Paragraph { implicit: false });
        self.leaf = Leaf::None;
        let inline = rescue_strong(std::mem::take(&mut self.inline), self.md.strong);
        if !inline.is_empty() {
            self.emit_wrapped(&inline);
            if paragraph && self.wrapped == 1 && self.keepable {
                self.paragraph_end = Some(self.out.len());
            }
        }
        // Text directly in a tight list item is followed by its nested blocks without a gap.
        self.gap = !implicit;
    }

    pub(super) fn end_implicit(&mut self) {
        if matches!(self.leaf, Leaf::Paragraph { implicit: true }) {
            self.close_leaf();
        }
    }

    /// Called before every block: closes implicit text and puts the due blank line.
    pub(super) fn begin_block(&mut self) {
        self.end_implicit();
        if self.gap && self.drawn() {
            let line = self.prefix(false);
            self.push_line(line);
        }
        self.gap = false;
    }

    /// The quote bars and list indentation of the open containers; `consume` draws (and uses
    /// up) the marker of an item's first line.
    pub(super) fn prefix(&mut self, consume: bool) -> Vec<Span<'static>> {
        let mut prefix = Vec::with_capacity(self.containers.len());
        for c in &mut self.containers {
            match c {
                Container::Quote => prefix.push(Span::styled(QUOTE_BAR, self.md.quote_bar)),
                Container::Item { marker, width } => match marker.take_if(|_| consume) {
                    Some(m) => prefix.push(m),
                    None => prefix.push(Span::raw(" ".repeat(*width))),
                },
                Container::List { .. } => {}
            }
        }
        prefix
    }

    /// Columns left for content inside the open containers.
    pub(super) fn avail(&self) -> usize {
        let used: usize = self
            .containers
            .iter()
            .map(|c| match c {
                Container::Quote => display_width(QUOTE_BAR),
                Container::Item { width, .. } => *width,
                Container::List { .. } => 0,
            })
            .sum();
        self.width.saturating_sub(used).max(1)
    }

    pub(super) fn emit_wrapped(&mut self, spans: &[Span<'static>]) {
        let width = self.avail();
        let first = self.wrapped == 0 && !self.drawn() && self.containers.is_empty();
        let lines = match self.wraps.as_deref_mut() {
            Some(wraps) => {
                if wraps.len() <= self.wrapped {
                    wraps.resize_with(self.wrapped + 1, WrapMemo::default);
                }
                let memo = &mut wraps[self.wrapped];
                if first {
                    self.keepable = true;
                }
                if first && self.keep {
                    let (kept, lines) = memo.wrap_after_kept(spans, width);
                    self.kept = kept;
                    lines
                } else {
                    memo.wrap(spans, width)
                }
            }
            None => wrap_line(spans, width),
        };
        self.wrapped += 1;
        for line in lines {
            self.emit(line.spans);
        }
    }

    /// True once a line is out, counting lines kept from the last render.
    fn drawn(&self) -> bool {
        !self.out.is_empty() || self.kept > 0
    }

    /// Puts one line, preceded by the quote bars and list indentation of the open containers.
    pub(super) fn emit(&mut self, spans: Vec<Span<'static>>) {
        let mut line = self.prefix(true);
        line.extend(spans);
        self.push_line(line);
    }

    /// Pushes a line, dropping trailing blanks so no line ends in invisible padding.
    pub(super) fn push_line(&mut self, spans: Vec<Span<'static>>) {
        self.out.push(finish_line(spans));
    }
}

/// A line from its spans, without trailing blanks.
pub(in crate::view::markdown) fn finish_line(mut spans: Vec<Span<'static>>) -> Line<'static> {
    while let Some(last) = spans.last_mut() {
        let trimmed = last.content.trim_end();
        if trimmed.is_empty() {
            spans.pop();
        } else {
            if trimmed.len() < last.content.len() {
                last.content = trimmed.to_owned().into();
            }
            break;
        }
    }
    Line::from(spans)
}
