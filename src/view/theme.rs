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
    /// The selected row of a list (the media panel).
    pub selected: Style,
    /// Styles of rendered markdown in replies.
    pub markdown: MarkdownTheme,
}

/// Styles of rendered markdown (headings, code, quotes, tables...) and the syntax colours.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkdownTheme {
    /// Level 1, level 2, and level 3 and deeper headings.
    pub heading: [Style; 3],
    pub emphasis: Style,
    pub strong: Style,
    pub strikethrough: Style,
    pub inline_code: Style,
    /// The frame and language label around a code block.
    pub code_frame: Style,
    /// Code that is not highlighted (unknown language, or no syntax colours).
    pub code_text: Style,
    pub link: Style,
    /// The URL shown after a link's text.
    pub url: Style,
    pub quote_bar: Style,
    pub quote_text: Style,
    pub list_marker: Style,
    pub rule: Style,
    pub table_border: Style,
    pub table_header: Style,
    /// The syntect theme for code blocks; `None` leaves code uncoloured.
    pub syntax: Option<&'static str>,
}

pub use crate::config::ThemeName;

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
            selected: Style::new().fg(Color::Black).bg(Color::Cyan),
            markdown: MarkdownTheme::colored(
                Color::Cyan,
                Color::Yellow,
                Color::Blue,
                "base16-ocean.dark",
            ),
        }
    }

    /// For light backgrounds: no light greys or yellows, which vanish on white.
    pub fn light() -> Self {
        let bold = Modifier::BOLD;
        let bar = Style::new().bg(Color::Gray).fg(Color::Black);
        Self {
            user_label: Style::new().fg(Color::Blue).add_modifier(bold),
            user_gutter: Style::new().fg(Color::Blue),
            assistant_label: Style::new().fg(Color::Green).add_modifier(bold),
            meta: Style::new().fg(Color::DarkGray),
            body: Style::new(),
            reasoning: Style::new()
                .fg(Color::DarkGray)
                .add_modifier(Modifier::ITALIC),
            error: Style::new().fg(Color::Red).add_modifier(bold),
            warning: Style::new().fg(Color::Magenta),
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Blue),
            placeholder: Style::new().fg(Color::DarkGray),
            status_bar: bar,
            status_model: bar.fg(Color::Blue).add_modifier(bold),
            status_busy: bar.fg(Color::Magenta),
            status_error: bar.fg(Color::Red).add_modifier(bold),
            key_hint: bar.fg(Color::DarkGray),
            scrollbar: Style::new().fg(Color::DarkGray),
            popup: Style::new(),
            popup_title: Style::new().fg(Color::Blue).add_modifier(bold),
            selected: Style::new().fg(Color::White).bg(Color::Blue),
            markdown: MarkdownTheme::colored(
                Color::Blue,
                Color::Magenta,
                Color::Blue,
                "InspiredGitHub",
            ),
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
            selected: rev,
            markdown: MarkdownTheme::mono(),
        }
    }

    /// The theme by name.
    pub fn named(name: ThemeName) -> Self {
        match name {
            ThemeName::Dark => Self::dark(),
            ThemeName::Light => Self::light(),
            ThemeName::Mono => Self::mono(),
        }
    }

    /// The configured theme; without one, `mono` when `NO_COLOR` is set and not empty, else dark.
    /// A theme named in the config wins over `NO_COLOR`, as no-color.org asks of config files.
    pub fn resolve(configured: Option<ThemeName>, no_color: Option<&str>) -> Self {
        match configured {
            Some(name) => Self::named(name),
            None => Self::from_env(no_color),
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

impl MarkdownTheme {
    /// Markdown styles from three accents: headings, inline code, links.
    fn colored(heading: Color, code: Color, link: Color, syntax: &'static str) -> Self {
        let bold = Modifier::BOLD;
        let dim = Style::new().fg(Color::DarkGray);
        Self {
            heading: [
                Style::new()
                    .fg(heading)
                    .add_modifier(bold | Modifier::UNDERLINED),
                Style::new().fg(heading).add_modifier(bold),
                Style::new().add_modifier(bold),
            ],
            emphasis: Style::new().add_modifier(Modifier::ITALIC),
            strong: Style::new().add_modifier(bold),
            strikethrough: Style::new().add_modifier(Modifier::CROSSED_OUT),
            inline_code: Style::new().fg(code),
            code_frame: dim,
            code_text: Style::new(),
            link: Style::new().fg(link).add_modifier(Modifier::UNDERLINED),
            url: dim,
            quote_bar: Style::new().fg(heading),
            quote_text: Style::new().add_modifier(Modifier::ITALIC),
            list_marker: Style::new().fg(heading),
            rule: dim,
            table_border: dim,
            table_header: Style::new().add_modifier(bold),
            syntax: Some(syntax),
        }
    }

    /// No colours: bold, italic, underline, reverse and dim carry the meaning.
    fn mono() -> Self {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let dim = Style::new().add_modifier(Modifier::DIM);
        Self {
            heading: [bold.add_modifier(Modifier::UNDERLINED), bold, bold],
            emphasis: Style::new().add_modifier(Modifier::ITALIC),
            strong: bold,
            strikethrough: Style::new().add_modifier(Modifier::CROSSED_OUT),
            inline_code: Style::new().add_modifier(Modifier::REVERSED),
            code_frame: dim,
            code_text: plain,
            link: Style::new().add_modifier(Modifier::UNDERLINED),
            url: dim,
            quote_bar: plain,
            quote_text: Style::new().add_modifier(Modifier::ITALIC),
            list_marker: plain,
            rule: dim,
            table_border: dim,
            table_header: bold,
            syntax: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_theme_wins_and_no_color_picks_mono_otherwise() {
        assert_eq!(Theme::resolve(None, Some("1")), Theme::mono());
        assert_eq!(Theme::resolve(None, Some("")), Theme::dark());
        assert_eq!(Theme::resolve(None, None), Theme::dark());
        let light = Some(ThemeName::Light);
        assert_eq!(Theme::resolve(light, Some("1")), Theme::light());
        for name in ThemeName::NAMES {
            let parsed = ThemeName::from_name(name);
            assert!(parsed.is_some(), "{name}");
        }
    }

    #[test]
    fn the_light_theme_has_no_foreground_that_fades_on_white() {
        let t = Theme::light();
        let md = &t.markdown;
        let styles = [
            t.user_label,
            t.user_gutter,
            t.assistant_label,
            t.meta,
            t.body,
            t.reasoning,
            t.error,
            t.warning,
            t.border,
            t.border_focused,
            t.placeholder,
            t.scrollbar,
            t.popup,
            t.popup_title,
            md.heading[0],
            md.heading[1],
            md.heading[2],
            md.inline_code,
            md.code_frame,
            md.code_text,
            md.link,
            md.url,
            md.quote_bar,
            md.quote_text,
            md.list_marker,
            md.rule,
            md.table_border,
            md.table_header,
        ];
        for style in styles {
            let faint = [Color::Yellow, Color::LightYellow, Color::White, Color::Gray];
            assert!(!style.fg.is_some_and(|c| faint.contains(&c)), "{style:?}");
        }
        assert_eq!(md.syntax, Some("InspiredGitHub"));
    }
}
