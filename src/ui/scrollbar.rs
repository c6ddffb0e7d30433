//! The scrollbar at a pane's right edge: the cells ratatui's vertical `Scrollbar` draws (a
//! double-line track, a full-block thumb, no arrows), set directly.
//!
//! The widget sends each cell of its track through `set_string` and the grapheme splitter;
//! with four compare columns streaming, that was 3% of a frame.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::{block, line};

/// Draws in the last column of `area` where `height` rows starting at line `top` sit among
/// `total` lines; nothing when they all fit. The same cells as
/// `Scrollbar::new(VerticalRight).begin_symbol(None).end_symbol(None).style(style)` with
/// `ScrollbarState::new(total - height).position(top)`.
pub fn draw_scrollbar(area: Rect, total: usize, top: usize, style: Style, buf: &mut Buffer) {
    let height = usize::from(area.height);
    if area.is_empty() || total <= height {
        return;
    }
    let (start, thumb) = thumb(height, total - height, top);
    let x = area.right() - 1;
    for (i, y) in (area.top()..area.bottom()).enumerate() {
        let symbol = if (start..start + thumb).contains(&i) {
            block::FULL
        } else {
            line::DOUBLE_VERTICAL
        };
        if let Some(cell) = buf.cell_mut((x, y)) {
            cell.set_symbol(symbol).set_style(style);
        }
    }
}

/// The thumb's first row and length on a track of `track` rows, for `scrollable` lines beyond
/// the view scrolled by `position`: ratatui's rounding, so the thumb lands on the same rows.
fn thumb(track: usize, scrollable: usize, position: usize) -> (usize, usize) {
    let round = |n: usize, d: usize| (n + d / 2) / d;
    let max_position = scrollable.saturating_sub(1);
    let span = max_position.saturating_add(track);
    let length = round(track.saturating_mul(track), span).clamp(1, track);
    let start = round(position.min(max_position).saturating_mul(track), span)
        .min(track.saturating_sub(length));
    (start, length)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use ratatui::style::Color;
    use ratatui::widgets::{Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget};

    use super::*;

    #[test]
    fn the_cells_are_those_of_the_ratatui_scrollbar() {
        let style = Style::new().fg(Color::DarkGray);
        let mut runner = TestRunner::new(Config {
            cases: 2_000,
            ..Config::default()
        });
        let input = (0u16..6, 0u16..4, 0u16..45, 0usize..400, 0usize..500);
        runner
            .run(&input, |(x, width, height, total, top)| {
                let area = Rect::new(x, 1, width, height);
                let outer = Rect::new(0, 0, 12, 48);
                let mut ours = Buffer::filled(outer, ratatui::buffer::Cell::new("."));
                let mut theirs = ours.clone();
                draw_scrollbar(area, total, top, style, &mut ours);
                if !area.is_empty() && total > usize::from(height) {
                    let mut state = ScrollbarState::new(total - usize::from(height)).position(top);
                    Scrollbar::new(ScrollbarOrientation::VerticalRight)
                        .begin_symbol(None)
                        .end_symbol(None)
                        .style(style)
                        .render(area, &mut theirs, &mut state);
                }
                prop_assert_eq!(ours, theirs);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn the_thumb_runs_from_the_top_to_the_bottom_of_the_track() {
        assert_eq!(thumb(10, 90, 0), (0, 1));
        assert_eq!(thumb(10, 90, 89), (9, 1));
        assert_eq!(thumb(10, 10, 0), (0, 5));
        assert_eq!(thumb(10, 10, 10), (5, 5));
    }
}
