//! The conversation pane: a cached layout of every message and a widget that draws only what is visible.

mod message;

pub use message::{LayoutOptions, MessageLines};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{
    Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget, Widget,
};

use crate::chat::Conversation;
use crate::ui::theme::Theme;

/// Laid-out lines of a whole conversation at one width. Messages whose revision did not change
/// are not touched, so a frame during a stream costs the streaming message, not the history.
#[derive(Debug, Clone, Default)]
pub struct ConversationLayout {
    opts: Option<LayoutOptions>,
    entries: Vec<MessageLines>,
    /// `starts[i]` is the first screen line of message `i`; the last element is the total.
    starts: Vec<usize>,
}

impl ConversationLayout {
    /// Brings the layout up to date with `conv` at `opts`.
    pub fn sync(&mut self, conv: &Conversation, opts: LayoutOptions, theme: &Theme) {
        if self.opts != Some(opts) {
            self.entries.clear();
            self.opts = Some(opts);
        }
        let msgs = &conv.messages;
        // Keep the longest prefix of entries that still belongs to the same messages.
        let keep = self
            .entries
            .iter()
            .zip(msgs)
            .take_while(|(e, m)| e.id == m.id)
            .count();
        let mut changed = self.entries.len() != msgs.len() || keep < self.entries.len();
        self.entries.truncate(keep);
        for (entry, msg) in self.entries.iter_mut().zip(msgs) {
            if entry.revision != msg.revision {
                entry.refresh(msg, opts, theme);
                changed = true;
            }
        }
        for msg in &msgs[keep..] {
            self.entries.push(MessageLines::new(msg, opts, theme));
            changed = true;
        }
        if changed || self.starts.len() != self.entries.len() + 1 {
            self.starts.clear();
            let mut at = 0;
            for e in &self.entries {
                self.starts.push(at);
                at += e.height();
            }
            self.starts.push(at);
        }
    }

    /// Total number of screen lines. The blank line that separates a message from the next is
    /// not counted after the last one, so the view following the tail ends on text.
    pub fn total_lines(&self) -> usize {
        self.starts.last().copied().unwrap_or(0).saturating_sub(1)
    }

    /// The screen lines `top..top+height`, found by binary search: cost depends on `height` only.
    pub fn visible(&self, top: usize, height: usize) -> Vec<Line<'static>> {
        let mut out = Vec::with_capacity(height.min(self.total_lines()));
        if self.entries.is_empty() {
            return out;
        }
        let mut idx = match self.starts.binary_search(&top) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let mut line = top.saturating_sub(self.starts[idx.min(self.starts.len() - 1)]);
        let height = height.min(self.total_lines().saturating_sub(top));
        while out.len() < height && idx < self.entries.len() {
            match self.entries[idx].line(line) {
                Some(l) => {
                    out.push(l.clone());
                    line += 1;
                }
                None => {
                    idx += 1;
                    line = 0;
                }
            }
        }
        out
    }

    /// First screen line of the message at `index`.
    pub fn start_of(&self, index: usize) -> Option<usize> {
        self.starts.get(index).copied()
    }
}

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
        Paragraph::new(lines).render(text_area, buf);
        if total > height {
            let mut state = ScrollbarState::new(total.saturating_sub(height)).position(self.top);
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .style(self.theme.scrollbar)
                .render(area, buf, &mut state);
        }
    }
}

#[cfg(test)]
mod tests;
