use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

use super::super::classify::{is_break_space, is_closing};
use super::super::{display_width, wrap_text};
use super::wrap_line;

const FAMILY: &str = "👨\u{200d}👩\u{200d}👧";

fn text_of(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

fn wrap(s: &str, width: usize) -> Vec<String> {
    wrap_text(s, width, Style::default())
        .iter()
        .map(text_of)
        .collect()
}

fn assert_fits(lines: &[String], width: usize) {
    for line in lines {
        assert!(
            display_width(line) <= width,
            "{line:?} is wider than {width}: {lines:?}"
        );
    }
}

#[test]
fn english_breaks_between_words() {
    let s = "The quick brown fox jumps over the lazy dog";
    assert_eq!(
        wrap(s, 10),
        ["The quick", "brown fox", "jumps over", "the lazy", "dog"]
    );
    assert_eq!(wrap(s, 43), [s]);
    assert_eq!(wrap(s, 200), [s]);
}

#[test]
fn spaces_at_a_break_are_dropped_and_others_kept() {
    assert_eq!(wrap("aaa     bbb", 5), ["aaa", "bbb"]);
    assert_eq!(wrap("a  b", 10), ["a  b"]);
    assert_eq!(wrap("abc   ", 4), ["abc "]);
    assert_eq!(wrap("abcd efgh", 4), ["abcd", "efgh"]);
}

#[test]
fn indentation_is_kept() {
    assert_eq!(wrap("    code();", 20), ["    code();"]);
    assert_eq!(wrap("  one two three", 9), ["  one two", "three"]);
    // A word that fits a whole line is moved down rather than cut after the indentation.
    assert_eq!(wrap("    abcdefgh", 10), ["    ", "abcdefgh"]);
    // A word longer than any line is cut where the indentation ends.
    assert_eq!(wrap("  abcdefghijkl", 6), ["  abcd", "efghij", "kl"]);
}

const PARAGRAPH: &str = "人工智能是计算机科学的一个分支，它企图了解智能的实质，\
    并生产出一种新的能以人类智能相似的方式做出反应的智能机器。";

#[test]
fn chinese_paragraph_at_width_10() {
    assert_eq!(
        wrap(PARAGRAPH, 10),
        [
            "人工智能是",
            "计算机科学",
            "的一个分",
            "支，它企图",
            "了解智能的",
            "实质，并生",
            "产出一种新",
            "的能以人类",
            "智能相似的",
            "方式做出反",
            "应的智能机",
            "器。",
        ]
    );
}

#[test]
fn chinese_paragraph_fills_lines_at_widths_10_11_20() {
    for width in [10, 11, 20] {
        let lines = wrap(PARAGRAPH, width);
        assert_fits(&lines, width);
        assert_eq!(lines.concat(), PARAGRAPH, "width {width}");
        let (last, full) = lines.split_last().expect("at least one line");
        assert!(display_width(last) > 0);
        for line in full {
            // Greedy filling: at most one character and its punctuation moved down (kinsoku)
            // plus the odd column a 2-wide character cannot use.
            assert!(display_width(line) + 4 >= width, "{line:?} at {width}");
        }
        for line in &lines {
            let first = line.chars().next().expect("no empty line");
            assert!(
                !is_closing(first),
                "{line:?} starts with closing punctuation"
            );
        }
    }
    assert_eq!(wrap(PARAGRAPH, 20)[0], "人工智能是计算机科学");
    assert_eq!(wrap(PARAGRAPH, 11)[0], "人工智能是");
}

#[test]
fn cjk_is_a_break_opportunity_on_both_sides() {
    assert_eq!(wrap("中文English中文", 9), ["中文", "English中", "文"]);
    assert_eq!(wrap("abc你", 4), ["abc", "你"]);
    assert_eq!(wrap("共100个", 5), ["共100", "个"]);
    let mixed = "使用Rust编写的终端聊天客户端supports OpenAI兼容API";
    for width in 2..30 {
        let lines = wrap(mixed, width);
        assert_fits(&lines, width);
        assert_eq!(lines.concat().replace(' ', ""), mixed.replace(' ', ""));
        // ASCII words are never split when they fit a line.
        for word in ["Rust", "supports", "OpenAI", "API"] {
            if word.len() <= width {
                assert!(
                    lines.iter().any(|l| l.contains(word)),
                    "{word} split at {width}: {lines:?}"
                );
            }
        }
    }
}

#[test]
fn closing_punctuation_never_starts_a_line() {
    // 这是一个测试 fills 12 columns; the full stop takes the last character down with it.
    assert_eq!(wrap("这是一个测试。", 12), ["这是一个测", "试。"]);
    assert_eq!(wrap("你好，世界！", 4), ["你", "好，", "世", "界！"]);
    assert_eq!(wrap("中文中文.", 8), ["中文中", "文."]);
    assert_eq!(
        wrap("他说：「你好。」然后走了。", 10),
        ["他说：「你", "好。」然后", "走了。"]
    );
    // Opening punctuation stays with what follows it.
    assert_eq!(wrap("他说「你好」", 6), ["他说", "「你", "好」"]);
    // When the line is too narrow for a character and its punctuation, it still terminates.
    assert_eq!(wrap("你，", 2), ["你", "，"]);
}

#[test]
fn emoji_clusters_are_never_split() {
    let s = format!("家庭{FAMILY}成员");
    assert_eq!(wrap(&s, 4), ["家庭", &format!("{FAMILY}成"), "员"]);
    assert_eq!(wrap(&format!("a{FAMILY}"), 2), ["a", FAMILY]);
    let many = format!("{FAMILY}👍🏽🇨🇳❤️").repeat(5);
    for width in 2..12 {
        let lines = wrap(&many, width);
        assert_fits(&lines, width);
        assert_eq!(lines.concat(), many);
        for line in &lines {
            // Every line holds whole clusters only.
            assert_eq!(line.matches('\u{200d}').count() % 2, 0, "{line:?}");
        }
    }
}

#[test]
fn a_wide_character_that_misses_the_last_column_moves_down() {
    assert_eq!(wrap("aaa😀bbb", 4), ["aaa", "😀bb", "b"]);
    assert_eq!(wrap("abcde你", 6), ["abcde", "你"]);
}

#[test]
fn combining_marks_stay_with_their_base() {
    let s = "e\u{301}".repeat(12);
    let lines = wrap(&s, 5);
    assert_eq!(
        lines,
        [
            "e\u{301}".repeat(5),
            "e\u{301}".repeat(5),
            "e\u{301}".repeat(2)
        ]
    );
    // A mark in its own span is not separated from the CJK character before it.
    let spans = [
        Span::raw("中文"),
        Span::styled("\u{301}", Style::default().fg(Color::Red)),
    ];
    let lines: Vec<String> = wrap_line(&spans, 2).iter().map(text_of).collect();
    assert_eq!(lines, ["中", "文\u{301}"]);
}

#[test]
fn long_word_is_cut_at_grapheme_boundaries() {
    let word: String = ('a'..='z').chain('A'..='X').collect();
    assert_eq!(word.len(), 50);
    let lines = wrap(&word, 8);
    assert_eq!(lines.len(), 7);
    assert!(lines[..6].iter().all(|l| l.len() == 8));
    assert_eq!(lines[6], "WX");
    assert_eq!(lines.concat(), word);
    // After other text, the long word starts a fresh line.
    let lines = wrap(&format!("go {word}"), 8);
    assert_eq!(lines[0], "go");
    assert_eq!(lines[1..].concat(), word);
}

#[test]
fn tabs_expand_to_the_next_multiple_of_four() {
    assert_eq!(wrap("a\tb", 20), ["a   b"]);
    assert_eq!(wrap("\tx", 20), ["    x"]);
    assert_eq!(wrap("abcd\te", 20), ["abcd    e"]);
    assert_eq!(wrap("abcde\tf", 20), ["abcde   f"]);
    assert_eq!(wrap("ab\tc\td", 0), ["ab  c   d"]);
    // A tab at a break is dropped like a space.
    assert_eq!(wrap("abc\tdef", 5), ["abc", "def"]);
    // A tab is clipped to the room left.
    assert_eq!(wrap("abcdef\t", 8), ["abcdef  "]);
}

#[test]
fn styled_spans_cut_in_the_middle_keep_their_styles() {
    let red = Style::default().fg(Color::Red);
    let blue = Style::default().fg(Color::Blue);
    let spans = [
        Span::styled("hello wor", red),
        Span::styled("ld again", blue),
    ];
    let lines = wrap_line(&spans, 6);
    let expected = vec![
        Line::from(vec![Span::styled("hello", red)]),
        Line::from(vec![Span::styled("wor", red), Span::styled("ld", blue)]),
        Line::from(vec![Span::styled("again", blue)]),
    ];
    assert_eq!(lines, expected);
}

#[test]
fn styles_survive_hard_breaks_and_cjk() {
    let bold = Style::default().fg(Color::Green);
    let plain = Style::default();
    let spans = [Span::styled("粗体文字", bold), Span::styled("普通", plain)];
    let lines = wrap_line(&spans, 6);
    let expected = vec![
        Line::from(vec![Span::styled("粗体文", bold)]),
        Line::from(vec![Span::styled("字", bold), Span::styled("普通", plain)]),
    ];
    assert_eq!(lines, expected);
}

#[test]
fn empty_input_gives_one_empty_line() {
    assert_eq!(wrap_line(&[], 10), [Line::default()]);
    assert_eq!(wrap_line(&[Span::raw("")], 10), [Line::default()]);
}

#[test]
fn width_zero_returns_the_input() {
    let s = "no wrapping at all, 即使很长很长很长很长";
    assert_eq!(wrap(s, 0), [s]);
}

#[test]
fn width_one_and_two() {
    assert_eq!(wrap("ab你", 1), ["a", "b", "你"]);
    assert_eq!(wrap("你好", 1), ["你", "好"]);
    assert_eq!(wrap("hi there", 1), ["h", "i", "t", "h", "e", "r", "e"]);
    assert_eq!(wrap("你好吗", 2), ["你", "好", "吗"]);
    assert_eq!(wrap("abc de", 2), ["ab", "c", "de"]);
    assert_eq!(wrap(&format!("{FAMILY}{FAMILY}"), 1), [FAMILY, FAMILY]);
}

#[test]
fn ten_thousand_zero_width_characters_wrap_linearly() {
    let marks = format!("a{}b", "\u{301}".repeat(10_000));
    assert_eq!(
        wrap(&marks, 1),
        [format!("a{}", "\u{301}".repeat(10_000)), "b".to_owned()]
    );

    let joiners = format!("你{}好", "\u{200d}".repeat(10_000));
    assert_eq!(
        wrap(&joiners, 2),
        [format!("你{}", "\u{200d}".repeat(10_000)), "好".to_owned()]
    );

    let family_chain = "👨\u{200d}".repeat(5_000);
    assert_eq!(wrap(&family_chain, 2), [family_chain.as_str()]);

    let accented = "e\u{301}".repeat(10_000);
    let lines = wrap(&accented, 7);
    assert_eq!(lines.len(), 10_000usize.div_ceil(7));
    assert_eq!(lines.concat(), accented);

    let han = "你".repeat(10_000);
    let lines = wrap(&han, 3);
    assert_eq!(lines.len(), 10_000);
    let spaces = format!("a{}b", " ".repeat(10_000));
    assert_eq!(wrap(&spaces, 5), ["a", "b"]);
}

/// Deterministic pseudo-random strings built from pieces that stress the wrapper.
fn sample_strings() -> Vec<String> {
    let pieces = [
        "a",
        "bc",
        "word",
        " ",
        "  ",
        "\t",
        "你",
        "好",
        "，",
        "。",
        "「",
        "」",
        "😀",
        FAMILY,
        "e\u{301}",
        "supercalifragilistic",
        "长单词",
        "x.",
        "(",
        ")",
        "ＡＢ",
        "한국",
    ];
    let mut fixed: Vec<String> = [
        PARAGRAPH,
        "The quick brown fox jumps over the lazy dog",
        "使用Rust编写的终端聊天客户端，supports OpenAI兼容API。",
        "  indented line with    several   spaces  ",
        "\tleading tab\tand\tmore",
        "日本語の文章、句読点。「かぎ括弧」も含む。",
    ]
    .map(String::from)
    .to_vec();
    let mut seed: u32 = 0x9e37_79b9;
    for _ in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let len = 1 + seed as usize % 30;
        let mut s = String::new();
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            s.push_str(pieces[seed as usize % pieces.len()]);
        }
        fixed.push(s);
    }
    fixed
}

fn non_space(s: &str) -> String {
    s.chars().filter(|&c| !is_break_space(c)).collect()
}

#[test]
fn property_lines_fit_and_keep_every_visible_character() {
    for s in sample_strings() {
        for width in 1..40 {
            let lines = wrap(&s, width);
            for (n, line) in lines.iter().enumerate() {
                let w = display_width(line);
                if width >= 2 {
                    assert!(w <= width, "{s:?} at {width}: {line:?} is {w} wide");
                } else if w > 1 {
                    // Width 1: only a single wide cluster may overflow, on a line of its own.
                    assert_eq!(line.graphemes(true).count(), 1, "{s:?} at 1: {line:?}");
                }
                assert!(!line.is_empty(), "{s:?} at {width}: empty line {n}");
                if n > 0 {
                    let first = line.chars().next().unwrap_or('x');
                    assert!(
                        !is_break_space(first),
                        "{s:?} at {width}: {line:?} starts with a space"
                    );
                }
            }
            assert_eq!(
                non_space(&lines.concat()),
                non_space(&s),
                "{s:?} at {width}"
            );
            if !s.contains('\t') && display_width(&s) <= width {
                assert_eq!(
                    lines,
                    [s.as_str()],
                    "{s:?} fits in {width} and needs no break"
                );
            }
        }
    }
}
