//! A comparison's replies side by side in the conversation pane (tabs on narrow terminals),
//! each headed by its model, its time to first token, speed, tokens and cost.

use std::time::Instant;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::symbols::line;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::lines::{draw_lines, draw_str};
use super::scrollbar::draw_scrollbar;
use crate::app::compare::{Column, Turn};
use crate::app::{App, Focus};
use crate::chat::{Message, Status};
use crate::sanitize::sanitize;
use crate::text::{display_width, truncate_to_width};
use crate::view::compare::{ColumnArea, areas, top_within};

/// Draws the comparison on screen into the conversation pane `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(turn) = &app.compare.turn else {
        return;
    };
    if area.is_empty() {
        return;
    }
    let t = &app.theme;
    let a = areas(area, turn.columns.len(), turn.focus);
    prompt_line(app, turn, a.prompt, buf);
    if let Some(tabs) = a.tabs {
        Line::from(tab_spans(app, turn)).render(tabs, buf);
    }
    let layout = app.compare_layout();
    for (i, col_area) in &a.columns {
        let Some(col) = turn.columns.get(*i) else {
            continue;
        };
        let msg = app.conv.get(col.flight.id);
        head(app, turn, *i, col, msg, col_area.head, buf);
        if let Some(lines) = layout.get(*i) {
            body(app, col, lines, col_area, buf);
        }
    }
    drop(layout);
    for sep in &a.separators {
        for y in sep.top()..sep.bottom() {
            if let Some(cell) = buf.cell_mut((sep.x, y)) {
                cell.set_symbol(line::VERTICAL).set_style(t.border);
            }
        }
    }
    if let Some(hint) = a.hint {
        let text = hint_text(app, turn);
        let text = truncate_to_width(&text, usize::from(hint.width));
        draw_str(&text, hint.x, hint.y, hint.width, t.meta, buf);
    }
}

/// The prompt being compared, on one line.
fn prompt_line(app: &App, turn: &Turn, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let text = app
        .conv
        .get(turn.prompt)
        .map(|m| m.content.trim().lines().next().unwrap_or("").to_string())
        .unwrap_or_default();
    let lead = "▍ You · ";
    let room = usize::from(area.width).saturating_sub(display_width(lead));
    let line = Line::from(vec![
        Span::styled(lead, t.user_label),
        Span::styled(truncate_to_width(&sanitize(&text), room), t.body),
    ]);
    draw_lines(&[line], area, buf);
}

/// The tab bar of a narrow terminal: every model, the focused one reversed.
fn tab_spans(app: &App, turn: &Turn) -> Vec<Span<'static>> {
    let t = &app.theme;
    let mut spans = Vec::new();
    for (i, col) in turn.columns.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", t.border));
        }
        let model = col
            .label
            .split_once(':')
            .map_or(col.label.as_str(), |(_, m)| m);
        let msg = app.conv.get(col.flight.id);
        let text = format!(" {} {} {} ", i + 1, sanitize(model), sign(col, msg));
        let style = if i == turn.focus {
            t.selected
        } else {
            t.assistant_label
        };
        spans.push(Span::styled(text, style));
    }
    spans
}

/// A column's two heading rows: number and model, then its numbers.
fn head(
    app: &App,
    turn: &Turn,
    i: usize,
    col: &Column,
    msg: Option<&Message>,
    area: Rect,
    buf: &mut Buffer,
) {
    let t = &app.theme;
    let width = usize::from(area.width);
    let focused = i == turn.focus;
    let style = if focused && app.focus == Focus::Conversation {
        t.selected
    } else if focused {
        t.assistant_label.add_modifier(Modifier::UNDERLINED)
    } else {
        t.assistant_label
    };
    let title = format!("{} ◆ {} {}", i + 1, sanitize(&col.label), sign(col, msg));
    let title = truncate_to_width(&title, width);
    draw_str(&title, area.x, area.y, area.width, style, buf);
    if area.height > 1 {
        let numbers = truncate_to_width(&stats(col, msg, app.now), width);
        draw_str(&numbers, area.x, area.y + 1, area.width, t.meta, buf);
    }
}

/// The reply's lines at the column's scroll, with a scrollbar when they do not fit.
fn body(
    app: &App,
    col: &Column,
    lines: &crate::view::compare::ColumnLines,
    area: &ColumnArea,
    buf: &mut Buffer,
) {
    let area = area.body;
    if area.is_empty() {
        return;
    }
    let height = usize::from(area.height);
    let total = lines.height();
    // The layout is in hand: the top is found from it, not through `App::column_top`, which
    // would bring every column's layout up to date again.
    let top = top_within(total, height, col.scroll.top, col.scroll.follow);
    let text_area = Rect {
        width: area.width.saturating_sub(1),
        ..area
    };
    draw_lines(&lines.visible(top, height), text_area, buf);
    draw_scrollbar(area, total, top, app.theme.scrollbar, buf);
}

/// How a reply stands, in one sign: arriving, done, stopped, failed.
fn sign(col: &Column, msg: Option<&Message>) -> &'static str {
    match msg.map(|m| &m.status) {
        _ if col.live() => "…",
        Some(Status::Done) => "✓",
        Some(Status::Cancelled) => "⊘",
        Some(Status::Failed(_) | Status::Interrupted(_)) => "✖",
        _ => "",
    }
}

/// A column's numbers: time to first token, tokens per second, tokens, cost.
pub fn stats(col: &Column, msg: Option<&Message>, now: Instant) -> String {
    let end = col.ended.unwrap_or(now);
    let started = col.flight.started;
    let mut parts = Vec::new();
    let usage = msg
        .and_then(|m| m.usage)
        .filter(|u| !u.is_placeholder() && u.completion_tokens > 0);
    let tokens = usage.map_or(col.flight.pieces, |u| u.completion_tokens);
    match col.flight.first_token {
        None if col.live() => parts.push(format!(
            "waiting {:.1}s",
            end.saturating_duration_since(started).as_secs_f64()
        )),
        None => {}
        Some(first) => {
            parts.push(format!(
                "first token {:.1}s",
                first.saturating_duration_since(started).as_secs_f64()
            ));
            let secs = end.saturating_duration_since(first).as_secs_f64();
            if secs > 0.2 {
                parts.push(format!("{:.0} tok/s", tokens as f64 / secs));
            }
        }
    }
    if tokens > 0 {
        parts.push(format!("{tokens} tok"));
    }
    if let Some(cost) = msg.and_then(|m| m.cost) {
        parts.push(cost.display());
    }
    parts.join(" · ")
}

/// The bottom row: what picks a reply from where the keys are.
fn hint_text(app: &App, turn: &Turn) -> String {
    let n = turn.columns.len();
    let cancel = if app.compare.streaming() {
        "Esc cancels all · "
    } else {
        ""
    };
    if app.focus == Focus::Conversation {
        format!("{cancel}1–{n} or Enter continues with a reply · ←→ column · ↑↓ scroll")
    } else {
        format!(
            "{cancel}Alt+1–{n} continues with a reply · Tab, then ←→ and ↑↓ move in the columns"
        )
    }
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Style};
    use ratatui::widgets::Paragraph;

    use super::*;

    /// Lines that end anywhere in a wide character, mix styles, and hold graphemes of zero and
    /// two cells.
    fn sample() -> Vec<Line<'static>> {
        let red = Style::new().fg(Color::Red);
        vec![
            Line::from(vec![
                Span::styled("│ ", Style::new().fg(Color::Blue)),
                Span::styled("let", red.add_modifier(Modifier::BOLD)),
                Span::raw(" x = \"第一行\";"),
            ]),
            Line::from("所有权：每个值都有唯一的所有者。"),
            Line::from(vec![Span::raw("a第"), Span::styled("二b", red)])
                .style(Style::new().bg(Color::Green)),
            Line::default(),
            Line::from("e\u{301}👩‍💻x\u{200b}y👍🏽 z"),
            Line::from("ascii only, longer than most of the areas tried here"),
            Line::from(vec![
                Span::raw("第"),
                Span::raw(""),
                Span::styled("三", red),
            ]),
            Line::from("第x"),
        ]
    }

    #[test]
    fn drawn_lines_are_the_cells_a_paragraph_draws() {
        let lines = sample();
        for width in 0..=20 {
            for height in [0, 1, 3, 7, 9] {
                // Inside a larger buffer, away from its edges, and at its right edge.
                for x in [2, 24 - width] {
                    let area = Rect::new(x, 1, width, height);
                    let whole = Rect::new(0, 0, 24, 12);
                    let mut want = Buffer::empty(whole);
                    Paragraph::new(lines.clone()).render(area, &mut want);
                    let mut got = Buffer::empty(whole);
                    draw_lines(&lines, area, &mut got);
                    assert_eq!(got, want, "{width}x{height} at x {x}");
                }
            }
        }
    }
}
