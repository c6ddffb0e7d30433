//! The conversation pane: the visible slice of the laid-out conversation with a scrollbar.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use super::lines::draw_lines;
use super::scrollbar::draw_scrollbar;
use crate::view::conversation::ConversationLayout;
use crate::view::theme::Theme;

/// Draws the visible slice of a layout with a scrollbar.
pub struct ConversationView<'a> {
    pub layout: &'a ConversationLayout,
    /// First visible screen line.
    pub top: usize,
    pub theme: &'a Theme,
    /// Shown when there are no messages yet.
    pub empty_hint: Vec<Line<'static>>,
}

impl Widget for ConversationView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let total = self.layout.total_lines();
        if total == 0 {
            Paragraph::new(self.empty_hint).render(area, buf);
            return;
        }
        let height = usize::from(area.height);
        let lines = self.layout.visible(self.top, height);
        let text_area = Rect {
            width: area.width.saturating_sub(1),
            ..area
        };
        draw_lines(&lines, text_area, buf);
        draw_scrollbar(area, total, self.top, self.theme.scrollbar, buf);
    }
}
