//! Every style the UI uses, in one place.

use ratatui::style::{Color, Modifier, Style};

/// The styles of one colour scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub user_label: Style,
    pub user_gutter: Style,
    pub assistant_label: Style,
    pub meta: Style,
    pub body: Style,
    pub reasoning: Style,
    pub error: Style,
    pub warning: Style,
    pub border: Style,
    pub border_focused: Style,
    pub placeholder: Style,
    pub status_bar: Style,
    pub status_model: Style,
    pub status_busy: Style,
    pub status_error: Style,
    pub key_hint: Style,
    pub scrollbar: Style,
    pub popup: Style,
    pub popup_title: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Self::dark()
    }
}

impl Theme {
    /// Colours that read on dark and on light backgrounds (named ANSI colours follow the terminal's palette).
    pub fn dark() -> Self {
        let bold = Modifier::BOLD;
        Self {
            user_label: Style::new().fg(Color::Cyan).add_modifier(bold),
            user_gutter: Style::new().fg(Color::Cyan),
            assistant_label: Style::new().fg(Color::Green).add_modifier(bold),
            meta: Style::new().fg(Color::DarkGray),
            body: Style::new(),
            reasoning: Style::new()
                .fg(Color::DarkGray)
                .add_modifier(Modifier::ITALIC),
            error: Style::new().fg(Color::Red),
            warning: Style::new().fg(Color::Yellow),
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan),
            placeholder: Style::new().fg(Color::DarkGray),
            status_bar: Style::new().bg(Color::Black).fg(Color::Gray),
            status_model: Style::new()
                .bg(Color::Black)
                .fg(Color::Cyan)
                .add_modifier(bold),
            status_busy: Style::new().bg(Color::Black).fg(Color::Yellow),
            status_error: Style::new()
                .bg(Color::Black)
                .fg(Color::Red)
                .add_modifier(bold),
            key_hint: Style::new().bg(Color::Black).fg(Color::DarkGray),
            scrollbar: Style::new().fg(Color::DarkGray),
            popup: Style::new(),
            popup_title: Style::new().fg(Color::Cyan).add_modifier(bold),
        }
    }

    /// No colours at all, for `NO_COLOR`: meaning is carried by bold, italic and reverse.
    pub fn mono() -> Self {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let dim = Style::new().add_modifier(Modifier::DIM);
        let rev = Style::new().add_modifier(Modifier::REVERSED);
        Self {
            user_label: bold,
            user_gutter: plain,
            assistant_label: bold,
            meta: dim,
            body: plain,
            reasoning: dim.add_modifier(Modifier::ITALIC),
            error: bold,
            warning: bold,
            border: plain,
            border_focused: bold,
            placeholder: dim,
            status_bar: rev,
            status_model: rev.add_modifier(Modifier::BOLD),
            status_busy: rev,
            status_error: rev.add_modifier(Modifier::BOLD),
            key_hint: rev,
            scrollbar: plain,
            popup: plain,
            popup_title: bold,
        }
    }

    /// The theme for this environment: `mono` when `NO_COLOR` is set and not empty.
    pub fn from_env(no_color: Option<&str>) -> Self {
        match no_color {
            Some(v) if !v.is_empty() => Self::mono(),
            _ => Self::dark(),
        }
    }
}
