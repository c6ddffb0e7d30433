//! Syntax colours for code blocks: syntect with pure-Rust regexes, its data held by a
//! [`Syntax`] handle (see `warm` for how the TUI avoids waiting for it).

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

use super::warm::Syntax;
use syntect::easy::HighlightLines;
use syntect::highlighting::{FontStyle, HighlightState};
use syntect::parsing::{ParseState, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Names models write after the fence that syntect's bundled set lacks, mapped to the closest
/// syntax it has.
const ALIASES: &[(&str, &str)] = &[
    ("ts", "js"),
    ("typescript", "js"),
    ("tsx", "js"),
    ("jsx", "js"),
    ("javascript", "js"),
    ("vue", "html"),
    ("svelte", "html"),
    ("shell", "sh"),
    ("bash", "sh"),
    ("zsh", "sh"),
    ("console", "sh"),
    ("shellscript", "sh"),
    ("golang", "go"),
    ("c++", "cpp"),
    ("py3", "py"),
    ("python3", "py"),
    ("kotlin", "java"),
    ("jsonc", "json"),
    ("json5", "json"),
    ("dockerfile", "sh"),
];

/// The syntax for a fence's language word, if syntect knows it.
fn syntax_for<'s>(handle: &'s Syntax, lang: &str) -> Option<&'s SyntaxReference> {
    if lang.is_empty() {
        return None;
    }
    let lower = lang.to_lowercase();
    let token = ALIASES
        .iter()
        .find(|(from, _)| *from == lower)
        .map_or(lower.as_str(), |(_, to)| to);
    handle.syntaxes().find_syntax_by_token(token)
}

impl Syntax {
    /// True when code in `lang` gets syntax colours (given a theme with colours).
    pub fn is_known_language(&self, lang: &str) -> bool {
        syntax_for(self, lang).is_some()
    }
}

/// What a streamed code block has already been highlighted into, so the next frame continues
/// from the last complete line instead of starting over.
#[derive(Debug, Clone, Default)]
pub struct HighlightMemo {
    key: Option<(String, &'static str)>,
    /// The complete lines (with their newlines) already highlighted.
    done: String,
    lines: Vec<Vec<Span<'static>>>,
    state: Option<(HighlightState, ParseState)>,
}

/// The code split into lines (without newlines), each as styled spans.
///
/// Without a syntax theme or a known language every line is one span in `plain`. With `memo`,
/// a block that only grew since the last call is highlighted from where that call stopped.
pub fn highlight(
    handle: &Syntax,
    lang: &str,
    code: &str,
    syntax_theme: Option<&'static str>,
    plain: Style,
    memo: Option<&mut HighlightMemo>,
) -> Vec<Vec<Span<'static>>> {
    let found = syntax_theme
        .filter(|_| handle.data_ready())
        .and_then(|name| Some((name, handle.themes().themes.get(name)?)));
    // The syntax is looked up only with colours to use: the lookup waits for the syntax data.
    let syntax = found
        .and_then(|_| syntax_for(handle, lang))
        .filter(|syntax| handle.language_ready(syntax, code));
    let (Some((theme_name, theme)), Some(syntax)) = (found, syntax) else {
        return code
            .lines()
            .map(|l| vec![Span::styled(l.to_owned(), plain)])
            .collect();
    };
    let key = (lang.to_owned(), theme_name);
    let mut fresh = HighlightMemo::default();
    let memo = match memo {
        Some(m) if m.key.as_ref() == Some(&key) && code.starts_with(&m.done) => m,
        Some(m) => {
            *m = HighlightMemo::default();
            m
        }
        None => &mut fresh,
    };
    memo.key = Some(key);
    let mut hl = match memo.state.take() {
        Some((h, p)) => HighlightLines::from_state(theme, h, p),
        None => HighlightLines::new(syntax, theme),
    };
    let mut out = memo.lines.clone();
    let rest = &code[memo.done.len()..];
    let colors = Colors {
        syntaxes: handle.syntaxes(),
        plain,
        default_fg: theme.settings.foreground,
    };
    for line in LinesWithEndings::from(rest) {
        if line.ends_with('\n') {
            let spans = highlight_line(&mut hl, line, colors);
            memo.done.push_str(line);
            memo.lines.push(spans.clone());
            out.push(spans);
        } else {
            // The last line is still being written: colour it as if complete, on a copy of the
            // state, so the memo only ever holds lines that cannot change.
            let (h, p) = hl.state();
            let mut copy = HighlightLines::from_state(theme, h.clone(), p.clone());
            out.push(highlight_line(&mut copy, &format!("{line}\n"), colors));
            hl = HighlightLines::from_state(theme, h, p);
        }
    }
    memo.state = Some(hl.state());
    out
}

/// Where a code block being written line by line stands: the highlighter's state after its
/// complete lines (`None` before the first).
pub type LineState = Option<(HighlightState, ParseState)>;

/// Colours a code block one line at a time, exactly as [`highlight`] colours the whole block.
pub struct LinePainter<'s> {
    /// The syntect theme and syntax, or `None` when lines are drawn plain.
    colours: Option<(
        &'s syntect::highlighting::Theme,
        &'s SyntaxReference,
        Colors<'s>,
    )>,
    /// The theme's name, so that a block laid out plain can tell when colours arrive.
    pub name: Option<&'static str>,
    plain: Style,
}

impl<'s> LinePainter<'s> {
    /// The painter [`highlight`] would use for `lang` now; `sample` is code to compile the
    /// language's patterns with, if that has not started yet.
    pub fn new(
        handle: &'s Syntax,
        lang: &str,
        sample: &str,
        syntax_theme: Option<&'static str>,
        plain: Style,
    ) -> Self {
        let found = syntax_theme
            .filter(|_| handle.data_ready())
            .and_then(|name| Some((name, handle.themes().themes.get(name)?)));
        let syntax = found
            .and_then(|_| syntax_for(handle, lang))
            .filter(|syntax| handle.language_ready(syntax, sample));
        let colours = match (found, syntax) {
            (Some((name, theme)), Some(syntax)) => Some((
                name,
                theme,
                syntax,
                Colors {
                    syntaxes: handle.syntaxes(),
                    plain,
                    default_fg: theme.settings.foreground,
                },
            )),
            _ => None,
        };
        Self {
            name: colours.map(|c| c.0),
            colours: colours.map(|(_, t, s, c)| (t, s, c)),
            plain,
        }
    }

    /// The spans of `line`, a complete line without its newline; `state` moves past it.
    pub fn line(&self, state: &mut LineState, line: &str) -> Vec<Span<'static>> {
        let Some((theme, syntax, colors)) = self.colours else {
            return vec![Span::styled(line.to_owned(), self.plain)];
        };
        let mut hl = match state.take() {
            Some((h, p)) => HighlightLines::from_state(theme, h, p),
            None => HighlightLines::new(syntax, theme),
        };
        let spans = highlight_line(&mut hl, &format!("{line}\n"), colors);
        *state = Some(hl.state());
        spans
    }

    /// The spans of the line still being written, coloured as if complete; `state` stays.
    pub fn peek(&self, state: &LineState, line: &str) -> Vec<Span<'static>> {
        let mut copy = state.clone();
        self.line(&mut copy, line)
    }
}

/// How highlighted text maps to terminal styles.
#[derive(Clone, Copy)]
struct Colors<'s> {
    syntaxes: &'s SyntaxSet,
    /// For lines the highlighter cannot handle.
    plain: Style,
    /// The syntax theme's text colour, which is left to the terminal instead.
    default_fg: Option<syntect::highlighting::Color>,
}

fn highlight_line(
    hl: &mut HighlightLines<'_>,
    line: &str,
    colors: Colors<'_>,
) -> Vec<Span<'static>> {
    let text = line.trim_end_matches(['\n', '\r']);
    match hl.highlight_line(line, colors.syntaxes) {
        Ok(regions) => regions
            .into_iter()
            .filter_map(|(style, piece)| {
                let piece = piece.trim_end_matches(['\n', '\r']);
                let style = to_style(style, colors);
                (!piece.is_empty()).then(|| Span::styled(piece.to_owned(), style))
            })
            .collect(),
        // A syntax that trips the regex engine shows the line uncoloured rather than not at all.
        Err(_) => vec![Span::styled(text.to_owned(), colors.plain)],
    }
}

/// Foreground and font style only: the terminal's own background stays, and so does its text
/// colour for plain code (the syntax theme's would be light grey on a light terminal).
fn to_style(s: syntect::highlighting::Style, colors: Colors<'_>) -> Style {
    let fg = s.foreground;
    let mut style = match colors.default_fg {
        Some(default) if default == fg => colors.plain,
        _ => Style::new().fg(Color::Rgb(fg.r, fg.g, fg.b)),
    };
    for (font, modifier) in [
        (FontStyle::BOLD, Modifier::BOLD),
        (FontStyle::ITALIC, Modifier::ITALIC),
        (FontStyle::UNDERLINE, Modifier::UNDERLINED),
    ] {
        if s.font_style.contains(font) {
            style = style.add_modifier(modifier);
        }
    }
    style
}

/// Every syntect theme name a [`crate::view::theme::MarkdownTheme`] may use must exist.
#[cfg(test)]
pub(super) fn has_theme(name: &str) -> bool {
    Syntax::default().themes().themes.contains_key(name)
}
