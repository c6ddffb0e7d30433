use ratatui::style::{Color, Modifier};

use super::*;
use crate::text::display_width;

mod elements;
mod open_code;
mod open_paragraph;
mod streaming;

pub(super) fn text_of(lines: &[Line<'_>]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

pub(super) fn render_text(md: &str, width: usize) -> Vec<String> {
    text_of(&render_markdown(
        md,
        width,
        &Theme::default(),
        &Syntax::default(),
    ))
}

/// Every element the renderer knows, in English.
pub(super) const ENGLISH: &str = include_str!("tests/reply_en.md");
/// The same elements in Chinese, with full-width punctuation and CJK table cells.
pub(super) const CHINESE: &str = include_str!("tests/reply_zh.md");

#[test]
fn no_line_is_wider_than_the_width() {
    let syntax = Syntax::default();
    for doc in [ENGLISH, CHINESE] {
        for width in [12, 30, 60, 120] {
            for line in text_of(&render_markdown(doc, width, &Theme::default(), &syntax)) {
                assert!(display_width(&line) <= width, "{width}: {line:?}");
            }
        }
    }
}

#[test]
fn mono_has_no_colour_anywhere() {
    let theme = Theme::mono();
    for doc in [ENGLISH, CHINESE] {
        for line in render_markdown(doc, 60, &theme, &Syntax::default()) {
            for span in &line.spans {
                assert_eq!(span.style.fg, None, "{:?}", span.content);
                assert_eq!(span.style.bg, None, "{:?}", span.content);
            }
        }
    }
}

fn code_colours(theme: &Theme) -> Vec<Color> {
    let code = "```rust\nfn main() { let x = 1; }\n```";
    let lines = render_markdown(code, 60, theme, &Syntax::default());
    lines[1..lines.len() - 1]
        .iter()
        .flat_map(|l| l.spans.iter().skip(1))
        .filter_map(|s| s.style.fg)
        .collect()
}

#[test]
fn syntax_colours_follow_the_theme() {
    let dark = code_colours(&Theme::dark());
    let light = code_colours(&Theme::light());
    assert!(dark.len() >= 3, "{dark:?}");
    assert!(light.len() >= 3, "{light:?}");
    assert_ne!(dark, light);
    assert!(code_colours(&Theme::mono()).is_empty());
}

#[test]
fn plain_code_keeps_the_terminal_text_colour() {
    // base16-ocean.dark's text colour is light grey, unreadable on a light terminal.
    let lines = render_markdown(
        "```rust
fn main() { x }
```",
        60,
        &Theme::dark(),
        &Syntax::default(),
    );
    let code = &lines[1].spans[1..];
    let plain: String = code
        .iter()
        .filter(|s| s.style.fg.is_none())
        .map(|s| s.content.as_ref())
        .collect();
    assert!(plain.contains('{'), "{code:?}");
    assert!(
        code.iter()
            .all(|s| s.style.fg != Some(Color::Rgb(192, 197, 206)))
    );
}

#[test]
fn every_theme_names_a_bundled_syntax_theme() {
    for theme in [Theme::dark(), Theme::light()] {
        let name = theme.markdown.syntax.unwrap_or("none");
        assert!(highlight::has_theme(name), "{name}");
    }
}

#[test]
fn unknown_languages_are_shown_uncoloured_with_their_name() {
    let syntax = Syntax::default();
    let lines = render_markdown("```klingon\nqapla'\n```", 40, &Theme::dark(), &syntax);
    assert_eq!(text_of(&lines), ["╭─ klingon", "│ qapla'", "╰─"]);
    assert_eq!(lines[1].spans[1].style, Theme::dark().markdown.code_text);
    assert!(!syntax.is_known_language("klingon"));
    for lang in [
        "rust", "Python", "js", "ts", "bash", "json", "go", "c++", "sql",
    ] {
        assert!(syntax.is_known_language(lang), "{lang}");
    }
}

#[test]
fn emphasis_links_and_inline_code_carry_their_styles() {
    let theme = Theme::dark();
    let lines = render_markdown(
        "*a* **b** `c` [d](http://e)",
        60,
        &theme,
        &Syntax::default(),
    );
    let spans = &lines[0].spans;
    let find = |text: &str| {
        spans
            .iter()
            .find(|s| s.content == text)
            .unwrap_or_else(|| panic!("{text:?} in {spans:?}"))
    };
    assert!(find("a").style.add_modifier.contains(Modifier::ITALIC));
    assert!(find("b").style.add_modifier.contains(Modifier::BOLD));
    assert_eq!(find("c").style, theme.markdown.inline_code);
    assert_eq!(find("d").style, theme.markdown.link);
    assert_eq!(find(" (http://e)").style, theme.markdown.url);
}
