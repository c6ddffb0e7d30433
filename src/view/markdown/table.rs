//! Tables: aligned columns measured in terminal cells (CJK counts two), cells wrapped inside
//! narrowed columns when the table is too wide, one record per row when even that cannot fit.

use pulldown_cmark::Alignment;
use ratatui::style::Style;
use ratatui::text::Span;

use crate::text::{display_width, wrap_line};
use crate::view::theme::MarkdownTheme;

/// Between two columns.
const SEPARATOR: &str = " │ ";
const SEPARATOR_WIDTH: usize = 3;
/// A column narrower than this (while its content is wider) reads badly: show records instead.
const MIN_COLUMN: usize = 6;

/// The cells of a table as the parser reports them.
#[derive(Debug, Default)]
pub struct TableBuilder {
    aligns: Vec<Alignment>,
    /// Rows of cells; each cell is its inline spans.
    rows: Vec<Vec<Vec<Span<'static>>>>,
    /// Rows at the top that form the header.
    header_rows: usize,
}

impl TableBuilder {
    /// A table whose columns are aligned as `aligns` says.
    pub fn new(aligns: Vec<Alignment>) -> Self {
        Self {
            aligns,
            ..Self::default()
        }
    }

    /// Starts a row; `header` rows are drawn bold and separated from the body.
    pub fn start_row(&mut self, header: bool) {
        if header {
            self.header_rows = self.rows.len() + 1;
        }
        self.rows.push(Vec::new());
    }

    /// Adds a cell to the current row. Line breaks inside a cell become spaces.
    pub fn push_cell(&mut self, spans: Vec<Span<'static>>) {
        let spans = spans
            .into_iter()
            .map(|s| match s.content.contains('\n') {
                true => Span::styled(s.content.replace('\n', " "), s.style),
                false => s,
            })
            .collect();
        match self.rows.last_mut() {
            Some(row) => row.push(spans),
            None => self.rows.push(vec![spans]),
        }
    }

    /// The table as lines of at most `width` columns.
    pub fn render(mut self, width: usize, md: &MarkdownTheme) -> Vec<Vec<Span<'static>>> {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        if columns == 0 {
            return Vec::new();
        }
        for row in &mut self.rows {
            row.resize_with(columns, Vec::new);
        }
        self.aligns.resize(columns, Alignment::None);
        let natural: Vec<usize> = (0..columns)
            .map(|c| {
                let cells = self.rows.iter().map(|r| spans_width(&r[c]));
                cells.max().unwrap_or(0)
            })
            .collect();
        match column_widths(&natural, width) {
            Some(widths) => self.grid(&widths, md),
            None => self.records(width, md),
        }
    }

    fn grid(&self, widths: &[usize], md: &MarkdownTheme) -> Vec<Vec<Span<'static>>> {
        let mut out = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            let header = r < self.header_rows;
            let cells: Vec<Vec<Vec<Span<'static>>>> = row
                .iter()
                .zip(widths)
                .map(|(cell, &w)| {
                    let spans = styled(cell, header, md);
                    wrap_line(&spans, w.max(1))
                        .into_iter()
                        .map(|l| l.spans)
                        .collect()
                })
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1);
            for i in 0..height {
                let mut line = Vec::new();
                for (c, cell) in cells.iter().enumerate() {
                    if c > 0 {
                        line.push(Span::styled(SEPARATOR, md.table_border));
                    }
                    let part = cell.get(i).cloned().unwrap_or_default();
                    let last = c + 1 == cells.len();
                    line.extend(align(part, widths[c], self.aligns[c], last));
                }
                trim_end(&mut line);
                out.push(line);
            }
            if header && r + 1 == self.header_rows {
                let rule: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
                out.push(vec![Span::styled(rule.join("─┼─"), md.table_border)]);
            }
        }
        out
    }

    /// One `header: value` line group per body row, for tables too wide to show as a grid.
    fn records(&self, width: usize, md: &MarkdownTheme) -> Vec<Vec<Span<'static>>> {
        let empty = Vec::new();
        let header = self.rows.first().filter(|_| self.header_rows > 0);
        let mut out = Vec::new();
        for (r, row) in self.rows.iter().enumerate().skip(self.header_rows) {
            if r > self.header_rows {
                out.push(Vec::new());
            }
            for (c, cell) in row.iter().enumerate() {
                let name = header.and_then(|h| h.get(c)).unwrap_or(&empty);
                let mut spans = styled(name, true, md);
                if !spans.is_empty() {
                    spans.push(Span::styled(": ", md.table_header));
                }
                spans.extend(cell.iter().cloned());
                out.extend(wrap_line(&spans, width.max(1)).into_iter().map(|l| l.spans));
            }
        }
        out
    }
}

/// Natural widths when they fit; otherwise widths shared out so narrow columns keep their size
/// and wide ones split the rest. `None` when a column would get too narrow to read.
fn column_widths(natural: &[usize], width: usize) -> Option<Vec<usize>> {
    let gaps = SEPARATOR_WIDTH * (natural.len() - 1);
    let total: usize = natural.iter().sum::<usize>() + gaps;
    if total <= width {
        return Some(natural.to_vec());
    }
    let mut budget = width.checked_sub(gaps)?;
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by_key(|&c| natural[c]);
    let mut widths = vec![0; natural.len()];
    for (i, &c) in order.iter().enumerate() {
        let share = budget / (natural.len() - i);
        widths[c] = natural[c].min(share);
        budget -= widths[c];
        if widths[c] < natural[c].min(MIN_COLUMN) {
            return None;
        }
    }
    Some(widths)
}

fn spans_width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| display_width(&s.content)).sum()
}

fn styled(cell: &[Span<'static>], header: bool, md: &MarkdownTheme) -> Vec<Span<'static>> {
    cell.iter()
        .map(|s| match header {
            true => Span::styled(s.content.clone(), md.table_header.patch(s.style)),
            false => s.clone(),
        })
        .collect()
}

/// Pads a cell line to `width`; the last column gets no trailing padding when left-aligned.
fn align(
    mut spans: Vec<Span<'static>>,
    width: usize,
    alignment: Alignment,
    last: bool,
) -> Vec<Span<'static>> {
    let free = width.saturating_sub(spans_width(&spans));
    let (left, right) = match alignment {
        Alignment::Right => (free, 0),
        Alignment::Center => (free / 2, free - free / 2),
        Alignment::Left | Alignment::None => (0, free),
    };
    if left > 0 {
        spans.insert(0, Span::styled(" ".repeat(left), Style::new()));
    }
    if right > 0 && !last {
        spans.push(Span::styled(" ".repeat(right), Style::new()));
    }
    spans
}

/// Drops trailing blanks so a line never ends in invisible padding.
fn trim_end(line: &mut Vec<Span<'static>>) {
    while line.last().is_some_and(|s| s.content.trim().is_empty()) {
        line.pop();
    }
}
