use ratatui::style::{Color, Style};
use unicode_segmentation::UnicodeSegmentation;

use super::*;

const FAMILY: &str = "👨\u{200d}👩\u{200d}👧";

#[test]
fn display_width_counts_columns_per_cluster() {
    assert_eq!(display_width(""), 0);
    assert_eq!(display_width("abc"), 3);
    assert_eq!(display_width("你好"), 4);
    assert_eq!(display_width("こんにちは"), 10);
    assert_eq!(display_width("한국어"), 6);
    assert_eq!(display_width("ＡＢ"), 4); // full-width Latin
    assert_eq!(display_width("a你😀"), 5);
    assert_eq!(display_width("e\u{301}"), 1);
    assert_eq!(display_width("e\u{301}\u{302}\u{303}x"), 2);
}

#[test]
fn emoji_sequences_count_as_one_wide_cluster() {
    assert_eq!(display_width(FAMILY), 2);
    assert_eq!(display_width("👍🏽"), 2);
    assert_eq!(display_width("🇨🇳"), 2);
    assert_eq!(display_width("❤️"), 2);
    // Not a recognised ZWJ sequence, but still a single cluster: capped at 2.
    let five_men = ["👨"; 5].join("\u{200d}");
    assert_eq!(five_men.graphemes(true).count(), 1);
    assert_eq!(display_width(&five_men), 2);
    assert_eq!(display_width(&format!("{FAMILY}{FAMILY}")), 4);
}

#[test]
fn controls_have_no_width() {
    assert_eq!(display_width("a\tb"), 2);
    assert_eq!(display_width("a\r\nb"), 2);
    assert_eq!(display_width("\x1b"), 0);
    assert_eq!(display_width("你\n好"), 4);
}

#[test]
fn long_runs_of_zero_width_characters_form_one_cluster() {
    let marks = format!("a{}", "\u{301}".repeat(10_000));
    assert_eq!(display_width(&marks), 1);
    let joiners = format!("你{}", "\u{200d}".repeat(10_000));
    assert_eq!(display_width(&joiners), 2);
}

#[test]
fn truncate_keeps_text_that_fits() {
    assert_eq!(truncate_to_width("hello", 5), "hello");
    assert_eq!(truncate_to_width("你好", 4), "你好");
    assert_eq!(truncate_to_width("", 0), "");
    assert_eq!(truncate_to_width("", 3), "");
}

#[test]
fn truncate_cuts_and_appends_ellipsis() {
    assert_eq!(truncate_to_width("hello world", 5), "hell…");
    assert_eq!(truncate_to_width("hello", 4), "hel…");
    assert_eq!(truncate_to_width("你好世界", 5), "你好…");
    // 你 + 好 + … would be 5 columns: only one character fits.
    assert_eq!(truncate_to_width("你好世界", 4), "你…");
    assert_eq!(truncate_to_width("ab", 1), "…");
    assert_eq!(truncate_to_width("ab", 0), "");
}

#[test]
fn truncate_shortcuts_cut_where_the_clusters_do() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    // ASCII alone (with the controls and "\r\n"), and mixed with wide and joined clusters.
    let pieces = [
        "a", " ", "~", "\r", "\n", "\r\n", "\t", "\u{7}", "中", "e\u{301}", "👍",
    ];
    let text = prop::collection::vec(0..pieces.len(), 0..16);
    let mut runner = TestRunner::new(Config {
        cases: 2_000,
        ..Config::default()
    });
    runner
        .run(&(text, 0usize..14), |(picked, max)| {
            let s: String = picked.iter().map(|&i| pieces[i]).collect();
            let clusters = s
                .grapheme_indices(true)
                .map(|(at, g)| (at, grapheme_width(g)));
            prop_assert_eq!(truncate_to_width(&s, max), cut_clusters(&s, max, clusters));
            Ok(())
        })
        .unwrap();
}

#[test]
fn truncate_never_splits_a_cluster() {
    assert_eq!(truncate_to_width(&format!("{FAMILY}abc"), 2), "…");
    assert_eq!(
        truncate_to_width(&format!("{FAMILY}abc"), 3),
        format!("{FAMILY}…")
    );
    let accented = "e\u{301}".repeat(3);
    assert_eq!(truncate_to_width(&accented, 2), "e\u{301}…");
}

#[test]
fn truncate_never_exceeds_max() {
    let samples = [
        "plain ascii words",
        "中文和English混合的句子",
        "👨‍👩‍👧👍🏽🇨🇳 emoji",
        "e\u{301}a\u{308}o\u{303} marks",
        "ｶﾀｶﾅ and 한국어",
    ];
    for s in samples {
        let full = display_width(s);
        for max in 0..=full + 2 {
            let t = truncate_to_width(s, max);
            assert!(display_width(&t) <= max, "{s:?} at {max}: {t:?}");
            if max >= full {
                assert_eq!(t, s);
            } else if max > 0 {
                let kept = t.strip_suffix('…').expect("cut text ends in an ellipsis");
                assert!(s.starts_with(kept));
                assert!(s[kept.len()..].graphemes(true).next().is_some());
                assert!(s.grapheme_indices(true).any(|(i, _)| i == kept.len()));
            }
        }
    }
}

fn texts(lines: &[Line<'_>]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

#[test]
fn wrap_text_splits_on_newlines() {
    let style = Style::default();
    assert_eq!(texts(&wrap_text("a\n\nb", 10, style)), ["a", "", "b"]);
    assert_eq!(texts(&wrap_text("a\n", 10, style)), ["a", ""]);
    assert_eq!(texts(&wrap_text("", 10, style)), [""]);
    assert_eq!(texts(&wrap_text("\n", 10, style)), ["", ""]);
    assert_eq!(
        texts(&wrap_text("one two\nthree", 4, style)),
        ["one", "two", "thre", "e"]
    );
}

#[test]
fn wrap_text_applies_the_style_to_every_piece() {
    let style = Style::default().fg(Color::Yellow);
    let lines = wrap_text("alpha beta gamma\n\ndelta", 6, style);
    assert_eq!(texts(&lines), ["alpha", "beta", "gamma", "", "delta"]);
    for line in &lines {
        assert!(line.spans.iter().all(|s| s.style == style));
    }
    assert!(lines[3].spans.is_empty());
}

#[test]
fn wrap_text_at_width_zero_keeps_each_logical_line_whole() {
    let text = "a long line that is not wrapped at all\n第二行也不换行，保持原样。";
    let lines = wrap_text(text, 0, Style::default());
    assert_eq!(texts(&lines), text.split('\n').collect::<Vec<_>>());
}
