//! Where each pane goes: computed from the terminal size alone, so `update` and `render` agree.

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the app shows a one-line notice instead of panes.
pub const MIN_WIDTH: u16 = 20;
/// Below this the app shows a one-line notice instead of panes.
pub const MIN_HEIGHT: u16 = 6;
/// The input box never grows past this many text lines.
pub const MAX_INPUT_LINES: u16 = 8;

/// The rectangles of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Panes {
    pub conversation: Rect,
    pub input: Rect,
    pub status: Rect,
    /// The media panel, right of the conversation, when it is shown and fits.
    pub media: Option<Rect>,
}

/// The media panel never gets narrower than this...
pub const MEDIA_MIN_WIDTH: u16 = 28;
/// ...nor wider than this.
pub const MEDIA_MAX_WIDTH: u16 = 64;
/// Conversation columns kept beside the media panel; below this the panel is not shown.
pub const CONVERSATION_MIN_WIDTH: u16 = 32;

impl Panes {
    /// Splits `area` for an input box holding `input_lines` lines of text; `None` when too small.
    pub fn compute(area: Rect, input_lines: usize) -> Option<Panes> {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return None;
        }
        let status_h = 1;
        // Keep at least two conversation lines visible however tall the input grows.
        let max_text = area
            .height
            .saturating_sub(status_h + 2 + 2)
            .clamp(1, MAX_INPUT_LINES);
        let input_h = (input_lines.max(1) as u16).min(max_text) + 2;
        let [conversation, input, status] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(input_h),
            Constraint::Length(status_h),
        ])
        .areas(area);
        Some(Panes {
            conversation,
            input,
            status,
            media: None,
        })
    }

    /// Takes a right-hand column of the conversation for the media panel (two fifths, within
    /// bounds); unchanged when the conversation would get too narrow.
    pub fn with_media_panel(mut self) -> Panes {
        let width = self.conversation.width;
        let panel = (width * 2 / 5).clamp(MEDIA_MIN_WIDTH, MEDIA_MAX_WIDTH);
        if width < panel + CONVERSATION_MIN_WIDTH {
            return self;
        }
        let [conversation, media] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(panel)])
                .areas(self.conversation);
        self.conversation = conversation;
        self.media = Some(media);
        self
    }
}

/// The text column of the conversation pane: a two-cell gutter on the left, a scrollbar on the right.
pub fn conversation_text_width(conversation: Rect) -> usize {
    usize::from(conversation.width).saturating_sub(GUTTER + 2)
}

/// Columns the input box spends on borders and padding around its text.
pub const INPUT_CHROME_WIDTH: u16 = 4;

/// Width of the gutter in front of every message line.
pub const GUTTER: usize = 2;

/// The notice shown when the terminal is below the minimum size, as lines that fit `width` x
/// `height`: the longest wording whose words all fit, wrapped at spaces (at 10x3: `ecochat` /
/// `needs 20x6`, not `ecochat ne`).
pub fn too_small_notice(width: u16, height: u16) -> Vec<String> {
    let size = format!("{MIN_WIDTH}x{MIN_HEIGHT}");
    let wordings = [
        format!("ecochat needs {size}"),
        format!("needs {size}"),
        size,
    ];
    let (w, h) = (usize::from(width), usize::from(height));
    for text in &wordings {
        let lines = wrap_words(text, w);
        if lines.len() <= h && lines.iter().all(|l| crate::text::display_width(l) <= w) {
            return lines;
        }
    }
    // Not even the size fits: as much of it as there is room for.
    vec![crate::text::truncate_to_width(&wordings[2], w)]
}

fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(l)
                if crate::text::display_width(l) + 1 + crate::text::display_width(word)
                    <= width =>
            {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_fill_the_screen_without_overlap() {
        let area = Rect::new(0, 0, 80, 24);
        let p = Panes::compute(area, 1).unwrap();
        assert_eq!(p.conversation.height + p.input.height + p.status.height, 24);
        assert_eq!(p.input.height, 3);
        assert_eq!(p.status.y, 23);
    }

    #[test]
    fn input_grows_up_to_the_limit_and_never_starves_the_conversation() {
        let p = Panes::compute(Rect::new(0, 0, 80, 24), 50).unwrap();
        assert_eq!(p.input.height, MAX_INPUT_LINES + 2);
        let tiny = Panes::compute(Rect::new(0, 0, 20, 6), 50).unwrap();
        assert!(tiny.conversation.height >= 2);
        assert_eq!(
            tiny.conversation.height + tiny.input.height + tiny.status.height,
            6
        );
    }

    #[test]
    fn media_panel_narrows_the_conversation_only() {
        let p = Panes::compute(Rect::new(0, 0, 120, 40), 1).unwrap();
        let m = p.with_media_panel();
        let panel = m.media.unwrap();
        assert_eq!(panel.width, 48);
        assert_eq!(m.conversation.width + panel.width, 120);
        assert_eq!(panel.x, m.conversation.right());
        assert_eq!(
            (panel.y, panel.height),
            (p.conversation.y, p.conversation.height)
        );
        assert_eq!(m.input, p.input);
        let narrow = Panes::compute(Rect::new(0, 0, 50, 20), 1).unwrap();
        assert_eq!(narrow.with_media_panel(), narrow);
    }

    #[test]
    fn the_too_small_notice_fits_meaningfully() {
        assert_eq!(too_small_notice(19, 5), ["ecochat needs 20x6"]);
        assert_eq!(too_small_notice(10, 3), ["ecochat", "needs 20x6"]);
        assert_eq!(too_small_notice(10, 1), ["needs 20x6"]);
        assert_eq!(too_small_notice(5, 1), ["20x6"]);
        assert_eq!(too_small_notice(3, 1), ["20…"]);
    }

    #[test]
    fn too_small_is_none() {
        assert!(Panes::compute(Rect::new(0, 0, 19, 24), 1).is_none());
        assert!(Panes::compute(Rect::new(0, 0, 80, 5), 1).is_none());
    }
}
