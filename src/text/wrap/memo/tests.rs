use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use ratatui::style::{Color, Style};
use ratatui::text::Span;

use super::WrapMemo;
use crate::text::wrap_line;

/// Pieces text is made of: words, CJK and its punctuation (kinsoku on both sides), emoji with
/// joiners and variation selectors, flags, combining marks, tabs, forced breaks.
const PIECES: &[&str] = &[
    "word",
    "a",
    "longerwordthanmostlines",
    " ",
    "  ",
    "\t",
    "\n",
    "第",
    "段",
    "，",
    "。",
    "「",
    "」",
    "（",
    "）",
    "中文字",
    "👍",
    "👨\u{200d}👩\u{200d}👧",
    "❤\u{fe0f}",
    "🇨🇳",
    "🇺🇸",
    "e\u{301}",
    "\u{301}",
    "ｶﾞ",
    "-",
    "—",
];

fn styled(parts: &[(usize, u8)]) -> Vec<Span<'static>> {
    parts
        .iter()
        .map(|&(piece, style)| {
            Span::styled(
                PIECES[piece % PIECES.len()].to_owned(),
                Style::new().fg(Color::Indexed(style % 3)),
            )
        })
        .collect()
}

/// Every span up to byte `len` of the whole, the last one cut where `len` falls.
fn cut(spans: &[Span<'static>], len: usize) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut left = len;
    for s in spans {
        if left == 0 {
            break;
        }
        let n = crate::text::floor_char_boundary(&s.content, left);
        out.push(Span::styled(s.content[..n].to_owned(), s.style));
        left = left.saturating_sub(s.content.len());
        if n < s.content.len() {
            break;
        }
    }
    out
}

#[test]
fn a_growing_paragraph_wraps_as_a_fresh_wrap_at_every_cut() {
    let parts = prop::collection::vec((0..PIECES.len(), 0u8..3), 1..60);
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    runner
        .run(&(parts, 1usize..14, 1usize..9), |(parts, width, step)| {
            let whole = styled(&parts);
            let total: usize = whole.iter().map(|s| s.content.len()).sum();
            let mut memo = WrapMemo::default();
            let mut len = 0;
            while len < total {
                len = (len + step).min(total);
                let spans = cut(&whole, len);
                prop_assert_eq!(
                    memo.wrap(&spans, width),
                    wrap_line(&spans, width),
                    "at {}",
                    len
                );
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_paragraph_changed_in_the_middle_or_rewidened_wraps_as_a_fresh_wrap() {
    let parts = prop::collection::vec((0..PIECES.len(), 0u8..3), 1..40);
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    runner
        .run(
            &(parts.clone(), parts, 1usize..14, 1usize..14),
            |(a, b, width, other)| {
                let (first, second) = (styled(&a), styled(&b));
                let mut memo = WrapMemo::default();
                memo.wrap(&first, width);
                // The same start, then other text (an emphasis closing restyles earlier text).
                let mut mixed = first[..first.len() / 2].to_vec();
                mixed.extend(second.iter().cloned());
                prop_assert_eq!(memo.wrap(&mixed, width), wrap_line(&mixed, width));
                prop_assert_eq!(memo.wrap(&mixed, other), wrap_line(&mixed, other));
                prop_assert_eq!(memo.wrap(&second, other), wrap_line(&second, other));
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn only_the_changed_end_is_wrapped_again() {
    let text = "第0段，".repeat(400);
    let mut memo = WrapMemo::default();
    let first = memo.wrap(&[Span::raw(text.as_str())], 40);
    let restarts_before = memo.restarts.len();
    assert!(restarts_before > 50, "{restarts_before}");
    let longer = format!("{text}第400段");
    let second = memo.wrap(&[Span::raw(longer.as_str())], 40);
    assert_eq!(second, wrap_line(&[Span::raw(longer.as_str())], 40));
    assert_eq!(second[..first.len() - 1], first[..first.len() - 1]);
    // Every line but the last two kept its restart: they were not wrapped again.
    assert!(memo.restarts.len() >= restarts_before - 1);
}

#[test]
fn appending_wraps_as_a_fresh_wrap_of_the_whole() {
    let parts = prop::collection::vec((0..PIECES.len(), 0u8..3), 1..40);
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    runner
        .run(&(parts.clone(), parts, 1usize..14), |(a, b, width)| {
            let mut whole = styled(&a);
            let mut memo = WrapMemo::default();
            memo.wrap(&whole, width);
            for span in styled(&b) {
                let (kept, rest) = memo.append(&span.content, span.style);
                // Text of the last span's style joins it, as the markdown renderer joins it.
                match whole.last_mut() {
                    Some(last) if last.style == span.style => {
                        last.content.to_mut().push_str(&span.content)
                    }
                    _ => whole.push(span),
                }
                let fresh = wrap_line(&whole, width);
                prop_assert_eq!(&fresh[kept..], &rest[..]);
                prop_assert_eq!(memo.wrap(&whole, width), fresh);
            }
            Ok(())
        })
        .unwrap();
}
