//! The help overlay's lines and how far it scrolls: the same wrapping for `update` (which clamps
//! the scroll) and `ui::help` (which draws it).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::text::{display_width, wrap_text};
use crate::view::theme::Theme;

/// One row of the help: keys (or a command), what it does.
pub type Row = (String, &'static str);

/// A section of the help: its heading (`None` for the first) and its rows.
pub type Section = (Option<&'static str>, Vec<Row>);

/// The help as lines wrapped in their two columns, and the inner width of the box.
pub fn binding_lines(sections: &[Section], t: &Theme, area: Rect) -> (Vec<Line<'static>>, usize) {
    let rows = || sections.iter().flat_map(|(_, rows)| rows.iter());
    let inner_max = usize::from(area.width.saturating_sub(2)).max(1);
    // The slash commands' long argument lists wrap rather than widen the key column.
    let key_w = sections[..sections.len().saturating_sub(1)]
        .iter()
        .flat_map(|(_, rows)| rows.iter())
        .map(|(k, _)| display_width(k))
        .max()
        .unwrap_or(0)
        .min(inner_max / 2)
        .max(1);
    let desc_natural = rows().map(|(_, d)| display_width(d)).max().unwrap_or(0);
    // One space of margin, the keys, two spaces, the description.
    let inner_w = (key_w + desc_natural + 3).min(inner_max);
    let desc_w = inner_w.saturating_sub(key_w + 3).max(1);
    let mut lines: Vec<Line> = Vec::new();
    for (heading, rows) in sections {
        if let Some(heading) = heading {
            lines.push(Line::default());
            for l in wrap_text(heading, inner_w.saturating_sub(1), t.meta) {
                lines.push(indent(l));
            }
        }
        for (keys, what) in rows {
            let keys = wrap_text(keys, key_w, t.popup_title);
            let desc = wrap_text(what, desc_w, t.popup);
            for i in 0..keys.len().max(desc.len()) {
                let k = keys.get(i).map_or(0, Line::width);
                let mut spans = vec![Span::raw(" ")];
                spans.extend(keys.get(i).into_iter().flat_map(|l| l.spans.clone()));
                spans.push(Span::raw(" ".repeat(key_w - k.min(key_w) + 2)));
                spans.extend(desc.get(i).into_iter().flat_map(|l| l.spans.clone()));
                lines.push(Line::from(spans));
            }
        }
    }
    (lines, inner_w)
}

/// The largest useful help scroll on a screen of `area`: past it the list would not move.
pub fn max_scroll(sections: &[Section], t: &Theme, area: Rect) -> usize {
    let (lines, _) = binding_lines(sections, t, area);
    let window = usize::from(area.height.saturating_sub(2))
        .saturating_sub(1)
        .max(1);
    lines.len().saturating_sub(window)
}

/// `l` one column in from the box's edge.
pub fn indent(l: Line<'static>) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    spans.extend(l.spans);
    Line::from(spans)
}
