//! A paragraph that grows by plain text is laid out without a parse: each frame must still
//! show what a fresh render of the text so far shows.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::streaming::{reference, stream_in_steps};
use super::*;

/// Plain text, and what can turn plain text into markup or another block once more comes.
const PIECES: &[&str] = &[
    "第一段",
    "中文字",
    "abc",
    "word",
    " ",
    "  ",
    "1",
    "\n",
    "+",
    "-",
    ">",
    "#",
    "*",
    "**",
    "注意：",
    "_",
    "`",
    "[x]",
    ":",
    " /url",
    "&amp",
    ";",
    "<b",
    ">",
    "\\",
    "\u{3000}",
    "e\u{301}",
    "\u{301}",
    "\u{1b}[3",
    "1m",
    "\u{202e}",
    "|",
    "===",
    "\n\n",
];

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 1..24).prop_map(|p| p.concat())
}

#[test]
fn a_paragraph_grown_by_plain_text_matches_a_fresh_render_at_every_cut() {
    let syntax = Syntax::default();
    let cases = (
        document(),
        prop::collection::vec(1usize..6, 1..8),
        prop::sample::select(&[4usize, 11, 40][..]),
    );
    let mut runner = TestRunner::new(Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&cases, |(doc, steps, width)| {
        stream_in_steps(&doc, &steps, width, &Theme::dark(), &syntax)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Texts where added plain text changes what came before: bold rescued once CJK comes, a last
/// line that becomes an HTML block, an escape sequence that swallows what follows.
const TURNS: &[&str] = &[
    "x**abc:**def中文字",
    "abc\n<div",
    "<pre",
    "\u{1b}[31m中文",
    "abc  \ndef",
    "中文\u{3000}字",
];

#[test]
fn text_that_changes_what_came_before_is_parsed_again() {
    let (theme, syntax, gutter) = (Theme::dark(), Syntax::default(), Span::raw("  "));
    for doc in TURNS {
        let mut md = MarkdownLines::default();
        let mut text = String::new();
        for c in doc.chars() {
            text.push(c);
            md.update(&text, 12, &gutter, &theme, &syntax);
            assert_eq!(
                md.lines(),
                reference(&text, 12, &gutter, &theme, &syntax),
                "{text:?}"
            );
        }
    }
}

#[test]
fn plain_text_added_to_a_paragraph_is_laid_out_without_a_parse() {
    let (theme, syntax, gutter) = (Theme::dark(), Syntax::default(), Span::raw("  "));
    let mut text = "# 标题\n\n第一段\n第二行".to_owned();
    let mut md = MarkdownLines::new(&text, 20, &gutter, &theme, &syntax);
    assert!(md.open.is_some(), "a paragraph alone in the tail");
    for i in 0..50 {
        text.push_str(&format!("第{i}段"));
        md.update(&text, 20, &gutter, &theme, &syntax);
        assert!(md.open.is_some(), "still taken without a parse at {i}");
    }
    assert_eq!(md.lines(), reference(&text, 20, &gutter, &theme, &syntax));
    text.push_str("，*强调*");
    md.update(&text, 20, &gutter, &theme, &syntax);
    assert!(md.open.is_none(), "markup is parsed");
    assert_eq!(md.lines(), reference(&text, 20, &gutter, &theme, &syntax));
}
