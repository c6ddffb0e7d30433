//! The conversation's layout: a cached layout of every message, of which the widget in
//! `ui::conversation` draws only what is visible.

mod estimate;
mod message;

pub use message::{LayoutOptions, MessageLines};

use ratatui::text::Line;

use crate::chat::{Conversation, Message};
use crate::view::markdown::Syntax;
use crate::view::theme::Theme;
use estimate::estimated_height;

/// Content bytes (newest messages first) laid out for real in one `sync`; older new messages
/// get an estimated height until they scroll into view. About 5 ms of markdown.
const EXACT_BUDGET: usize = 8 * 1024;

/// Laid-out messages kept before those far from the view go back to their heights alone.
const KEEP_LAID: usize = 64;

/// Screens of lines above and below the view whose messages stay laid out when others go.
const KEEP_SCREENS: usize = 2;

/// One message of the layout: its lines, or only a guess of its height while it is off screen.
#[derive(Debug, Clone)]
enum Entry {
    Laid(Box<MessageLines>),
    Estimated {
        id: u64,
        revision: u64,
        height: usize,
    },
}

impl Entry {
    fn id(&self) -> u64 {
        match self {
            Entry::Laid(m) => m.id,
            Entry::Estimated { id, .. } => *id,
        }
    }

    fn revision(&self) -> u64 {
        match self {
            Entry::Laid(m) => m.revision,
            Entry::Estimated { revision, .. } => *revision,
        }
    }

    fn height(&self) -> usize {
        match self {
            Entry::Laid(m) => m.height(),
            Entry::Estimated { height, .. } => *height,
        }
    }

    fn estimate(msg: &Message, opts: LayoutOptions) -> Entry {
        Entry::Estimated {
            id: msg.id,
            revision: msg.revision(),
            height: estimated_height(msg, opts),
        }
    }
}

/// Laid-out lines of a whole conversation at one width. Messages whose revision did not change
/// are not touched, so a frame during a stream costs the streaming message, not the history.
/// A long history loaded at once is laid out only where it is seen (see `ensure`).
#[derive(Debug, Clone, Default)]
pub struct ConversationLayout {
    opts: Option<LayoutOptions>,
    /// Colours code blocks. Its colours arrive after start-up, and each language once it
    /// first appears: `syntax_ready` is then called to lay out again.
    syntax: Syntax,
    entries: Vec<Entry>,
    /// `starts[i]` is the first screen line of message `i`; the last element is the total.
    starts: Vec<usize>,
    /// At least the number of `Entry::Laid` (exact after `forget_far`).
    laid: usize,
}

impl ConversationLayout {
    /// An empty layout that colours code with `syntax`.
    pub fn new(syntax: Syntax) -> Self {
        Self {
            syntax,
            ..Self::default()
        }
    }

    /// The handle that colours code (shared with other layouts of replies).
    pub fn syntax(&self) -> &Syntax {
        &self.syntax
    }

    /// More code can be coloured than when the layout was made: it is laid out again (code
    /// drawn plain is cached in every message that has some).
    pub fn syntax_ready(&mut self) {
        self.opts = None;
    }

    /// Puts the colours painted on a spare thread into the code lines drawn plain (heights do
    /// not change).
    pub fn apply_painted(&mut self, conv: &Conversation, theme: &Theme) {
        for (entry, msg) in self.entries.iter_mut().zip(conv.messages()) {
            if let Entry::Laid(lines) = entry
                && lines.id == msg.id
            {
                lines.apply_painted(msg, theme, &self.syntax);
            }
        }
    }

    /// Brings the layout up to date with `conv` at `opts`.
    pub fn sync(&mut self, conv: &Conversation, opts: LayoutOptions, theme: &Theme) {
        if self.opts != Some(opts) {
            self.entries.clear();
            self.laid = 0;
            self.opts = Some(opts);
        }
        let msgs = conv.messages();
        // Keep the longest prefix of entries that still belongs to the same messages.
        let keep = self
            .entries
            .iter()
            .zip(msgs)
            .take_while(|(e, m)| e.id() == m.id)
            .count();
        let mut first_changed = (keep < self.entries.len() || keep < msgs.len()).then_some(keep);
        self.entries.truncate(keep);
        for (i, (entry, msg)) in self.entries.iter_mut().zip(msgs).enumerate() {
            if entry.revision() != msg.revision() {
                match entry {
                    Entry::Laid(lines) => lines.refresh(msg, opts, theme, &self.syntax),
                    Entry::Estimated { .. } => *entry = Entry::estimate(msg, opts),
                }
                first_changed = Some(first_changed.map_or(i, |f| f.min(i)));
            }
        }
        // New messages, newest first, are laid out until the budget is spent; a single message
        // over budget is still laid out, as the newest one is what the screen shows.
        let mut budget = EXACT_BUDGET;
        let syntax = &self.syntax;
        let laid = &mut self.laid;
        let mut fresh: Vec<Entry> = msgs[keep..]
            .iter()
            .rev()
            .map(|msg| {
                if budget == 0 {
                    return Entry::estimate(msg, opts);
                }
                budget = budget.saturating_sub(msg.content.len() + msg.reasoning.len());
                *laid += 1;
                Entry::Laid(Box::new(MessageLines::new(msg, opts, theme, syntax)))
            })
            .collect();
        fresh.reverse();
        self.entries.extend(fresh);
        if self.starts.len() != self.entries.len() + 1 {
            first_changed =
                Some(first_changed.map_or(0, |f| f.min(self.starts.len().saturating_sub(1))));
        }
        if let Some(from) = first_changed {
            self.restart_from(from);
        }
    }

    /// Lays out the messages estimated so far that meet lines `top..top + height`; `conv` must be
    /// the conversation of the last `sync`. True when a height changed: the caller recomputes
    /// `top` (it depends on the total when following) and asks again.
    pub fn ensure(
        &mut self,
        conv: &Conversation,
        top: usize,
        height: usize,
        theme: &Theme,
    ) -> bool {
        let Some(opts) = self.opts else {
            return false;
        };
        if self.entries.is_empty() || self.entries.len() != conv.messages().len() {
            return false;
        }
        let mut idx = self.entry_at(top);
        let mut first = None;
        let end = top.saturating_add(height.max(1));
        while idx < self.entries.len() && self.starts[idx] < end {
            if let (Entry::Estimated { .. }, Some(msg)) =
                (&self.entries[idx], conv.messages().get(idx))
            {
                let lines = MessageLines::new(msg, opts, theme, &self.syntax);
                self.entries[idx] = Entry::Laid(Box::new(lines));
                self.laid += 1;
                first.get_or_insert(idx);
            }
            idx += 1;
        }
        if let Some(from) = first {
            self.restart_from(from);
        }
        if self.laid > KEEP_LAID {
            self.forget_far(conv, top, height);
        }
        first.is_some()
    }

    /// Turns messages far from lines `top..top + height` back into their heights, which they
    /// keep exactly, so nothing on screen moves: a long session holds the lines of what is
    /// near the view, not of every message it has shown. A message still being written keeps
    /// its lines (an estimate would be redone on every piece).
    fn forget_far(&mut self, conv: &Conversation, top: usize, height: usize) {
        let margin = height.saturating_mul(KEEP_SCREENS);
        let (from, to) = (
            top.saturating_sub(margin),
            top.saturating_add(height).saturating_add(margin),
        );
        let mut laid = 0;
        for (i, (entry, msg)) in self.entries.iter_mut().zip(conv.messages()).enumerate() {
            let Entry::Laid(lines) = entry else {
                continue;
            };
            let (start, end) = (self.starts[i], self.starts[i + 1]);
            if (end > from && start < to) || msg.status.is_live() {
                laid += 1;
                continue;
            }
            *entry = Entry::Estimated {
                id: lines.id,
                revision: lines.revision,
                height: lines.height(),
            };
        }
        self.laid = laid;
    }

    /// Recomputes `starts` from entry `from` on; the ones before it are still right.
    fn restart_from(&mut self, from: usize) {
        let from = from.min(self.entries.len());
        self.starts.truncate(from);
        let mut at = match from.checked_sub(1) {
            Some(prev) => self.starts[prev] + self.entries[prev].height(),
            None => 0,
        };
        for e in &self.entries[from..] {
            self.starts.push(at);
            at += e.height();
        }
        self.starts.push(at);
    }

    /// The entry holding screen line `line` (the last one past the end).
    fn entry_at(&self, line: usize) -> usize {
        match self.starts.binary_search(&line) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Total number of screen lines. The blank line that separates a message from the next is
    /// not counted after the last one, so the view following the tail ends on text.
    pub fn total_lines(&self) -> usize {
        self.starts.last().copied().unwrap_or(0).saturating_sub(1)
    }

    /// Messages laid out so far (the rest have estimated heights).
    pub fn laid_out(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e, Entry::Laid(_)))
            .count()
    }

    /// The screen lines `top..top+height`, found by binary search: cost depends on `height` only.
    pub fn visible(&self, top: usize, height: usize) -> Vec<Line<'_>> {
        let mut out = Vec::with_capacity(height.min(self.total_lines()));
        if self.entries.is_empty() {
            return out;
        }
        let mut idx = self.entry_at(top);
        let mut line = top.saturating_sub(self.starts[idx.min(self.starts.len() - 1)]);
        let height = height.min(self.total_lines().saturating_sub(top));
        while out.len() < height && idx < self.entries.len() {
            let next = match &self.entries[idx] {
                Entry::Laid(m) => m.line(line),
                // Only drawn from a layout that `ensure` did not reach: blank, but in place.
                Entry::Estimated { height, .. } => (line < *height).then(Line::default),
            };
            match next {
                Some(l) => {
                    out.push(l);
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

    /// How many messages meeting lines `top..top + height` still have estimated heights.
    #[cfg(test)]
    pub(crate) fn estimated_in(&self, top: usize, height: usize) -> usize {
        let mut idx = self.entry_at(top);
        let mut n = 0;
        while idx < self.entries.len() && self.starts[idx] < top + height {
            n += usize::from(matches!(self.entries[idx], Entry::Estimated { .. }));
            idx += 1;
        }
        n
    }

    /// First screen line of the message at `index`.
    pub fn start_of(&self, index: usize) -> Option<usize> {
        self.starts.get(index).copied()
    }
}

#[cfg(test)]
mod tests;
