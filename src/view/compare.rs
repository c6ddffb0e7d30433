//! A comparison's columns (`/compare`): where each goes in the conversation pane, and the
//! laid-out lines of each reply at its column's width.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;

use crate::chat::Message;
use crate::view::conversation::{LayoutOptions, MessageLines};
use crate::view::layout::GUTTER;
use crate::view::markdown::Syntax;
use crate::view::theme::Theme;

/// Below this many columns the replies are tabs, one shown at a time: four columns of 20
/// cells wrap a paragraph into a ribbon.
pub const TABS_BELOW: u16 = 100;
/// Rows of a column's heading: the model, then its numbers.
pub const HEAD_ROWS: u16 = 2;

/// The rectangles of a comparison inside the conversation pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareAreas {
    /// The prompt's line, at the top.
    pub prompt: Rect,
    /// The tab bar, on narrow terminals (then only the focused column is drawn).
    pub tabs: Option<Rect>,
    /// The columns drawn, each with its index among the replies.
    pub columns: Vec<(usize, ColumnArea)>,
    /// Where the separator between column `i` and `i + 1` goes (one cell wide).
    pub separators: Vec<Rect>,
    /// The bottom row: how to pick (left out when the pane is short).
    pub hint: Option<Rect>,
}

/// One column: its heading and its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnArea {
    pub head: Rect,
    pub body: Rect,
}

impl ColumnArea {
    /// Width of the reply's text: the body without its gutter and scrollbar.
    pub fn text_width(&self) -> usize {
        usize::from(self.body.width)
            .saturating_sub(GUTTER + 1)
            .max(1)
    }
}

/// Splits the conversation pane `pane` for `n` replies with column `focus` focused.
pub fn areas(pane: Rect, n: usize, focus: usize) -> CompareAreas {
    let n = n.max(1);
    let tabbed = pane.width < TABS_BELOW;
    let mut rows = vec![Constraint::Length(1)];
    if tabbed {
        rows.push(Constraint::Length(1));
    }
    rows.push(Constraint::Fill(1));
    let has_hint = pane.height >= 8;
    if has_hint {
        rows.push(Constraint::Length(1));
    }
    let split = Layout::vertical(rows).split(pane);
    let prompt = split[0];
    let tabs = tabbed.then(|| split[1]);
    let main = split[if tabbed { 2 } else { 1 }];
    let hint = has_hint.then(|| split[split.len() - 1]);
    let column = |area: Rect| {
        let [head, body] =
            Layout::vertical([Constraint::Length(HEAD_ROWS), Constraint::Fill(1)]).areas(area);
        ColumnArea { head, body }
    };
    let mut columns = Vec::new();
    let mut separators = Vec::new();
    if tabbed {
        columns.push((focus.min(n - 1), column(main)));
    } else {
        let mut cons = Vec::with_capacity(2 * n);
        for i in 0..n {
            if i > 0 {
                cons.push(Constraint::Length(1));
            }
            cons.push(Constraint::Fill(1));
        }
        let parts = Layout::horizontal(cons).split(main);
        for (j, part) in parts.iter().enumerate() {
            if j % 2 == 0 {
                columns.push((j / 2, column(*part)));
            } else {
                separators.push(*part);
            }
        }
    }
    CompareAreas {
        prompt,
        tabs,
        columns,
        separators,
        hint,
    }
}

/// The text width every reply is laid out at: that of the first column drawn (columns differ by
/// a cell at most; tabs all have the one area).
pub fn text_width(pane: Rect, n: usize) -> usize {
    areas(pane, n, 0)
        .columns
        .iter()
        .map(|(_, c)| c.text_width())
        .min()
        .unwrap_or(1)
}

/// The rows a column's body shows.
pub fn body_height(pane: Rect, n: usize) -> usize {
    areas(pane, n, 0)
        .columns
        .first()
        .map_or(0, |(_, c)| usize::from(c.body.height))
}

/// One reply laid out for its column, kept between frames: only a reply whose revision moved
/// is laid out again (and markdown only from where it changed), so four streams cost four
/// tails, not four replies.
#[derive(Debug, Clone, Default)]
pub struct ColumnLines {
    lines: Option<MessageLines>,
    opts: Option<LayoutOptions>,
}

impl ColumnLines {
    /// Brings the lines up to date with `msg` at `opts`.
    pub fn sync(&mut self, msg: &Message, opts: LayoutOptions, theme: &Theme, syntax: &Syntax) {
        match &mut self.lines {
            Some(lines) if lines.id == msg.id && self.opts == Some(opts) => {
                if lines.revision != msg.revision() {
                    lines.refresh(msg, opts, theme, syntax);
                }
            }
            _ => {
                self.lines = Some(MessageLines::new(msg, opts, theme, syntax));
                self.opts = Some(opts);
            }
        }
    }

    /// Puts in the colours painted since the last call (see `MessageLines::apply_painted`).
    pub fn apply_painted(&mut self, msg: &Message, theme: &Theme, syntax: &Syntax) {
        if let Some(lines) = self.lines.as_mut().filter(|l| l.id == msg.id) {
            lines.apply_painted(msg, theme, syntax);
        }
    }

    /// Lines of the reply; its first heading line (model and time) is the column's heading.
    pub fn height(&self) -> usize {
        self.lines
            .as_ref()
            .map_or(0, |l| l.height().saturating_sub(1))
    }

    /// The lines `top..top + height`.
    pub fn visible(&self, top: usize, height: usize) -> Vec<Line<'_>> {
        let Some(lines) = &self.lines else {
            return Vec::new();
        };
        (top..top.saturating_add(height))
            .map_while(|i| lines.line(i + 1))
            .collect()
    }
}

/// The first line of a column of `total` lines in a body `height` rows high: the end when
/// following, else `top` clamped.
pub fn top_within(total: usize, height: usize, top: usize, follow: bool) -> usize {
    let max_top = total.saturating_sub(height);
    if follow { max_top } else { top.min(max_top) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_panes_get_side_by_side_columns_that_fill_the_width() {
        let pane = Rect::new(0, 0, 120, 30);
        for n in 2..=4 {
            let a = areas(pane, n, 0);
            assert!(a.tabs.is_none());
            assert_eq!(a.columns.len(), n);
            assert_eq!(a.separators.len(), n - 1);
            let width: u16 = a.columns.iter().map(|(_, c)| c.body.width).sum::<u16>()
                + a.separators.iter().map(|s| s.width).sum::<u16>();
            assert_eq!(width, 120);
            for (i, (idx, c)) in a.columns.iter().enumerate() {
                assert_eq!(*idx, i);
                assert_eq!(c.head.height, HEAD_ROWS);
                assert_eq!(c.head.y, 1, "under the prompt's line");
                assert_eq!(c.body.bottom(), 29, "above the hint");
            }
        }
    }

    #[test]
    fn narrow_panes_get_tabs_with_only_the_focused_column() {
        let a = areas(Rect::new(0, 0, 80, 20), 3, 2);
        assert_eq!(a.tabs, Some(Rect::new(0, 1, 80, 1)));
        assert_eq!(a.columns.len(), 1);
        assert_eq!(a.columns[0].0, 2);
        assert_eq!(a.columns[0].1.body.width, 80);
        assert!(a.separators.is_empty());
        assert_eq!(areas(Rect::new(0, 0, 80, 20), 3, 9).columns[0].0, 2);
    }

    #[test]
    fn a_short_pane_drops_the_hint_and_never_panics() {
        assert!(areas(Rect::new(0, 0, 120, 5), 4, 0).hint.is_none());
        for h in 0..6 {
            for w in [0, 1, 20, 99, 100, 300] {
                let a = areas(Rect::new(0, 0, w, h), 4, 1);
                assert!(a.columns.iter().all(|(_, c)| c.text_width() >= 1));
            }
        }
    }

    #[test]
    fn following_sticks_to_the_end_and_scrolling_is_clamped() {
        assert_eq!(top_within(100, 20, 5, true), 80);
        assert_eq!(top_within(100, 20, 5, false), 5);
        assert_eq!(top_within(100, 20, 95, false), 80);
        assert_eq!(top_within(10, 20, 3, false), 0);
    }
}
