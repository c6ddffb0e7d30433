//! A reply streamed in pieces renders exactly like a fresh render of the same text.

use super::*;

/// Block structures whose boundaries are easy to get wrong.
const TRICKY: &[&str] = &[
    "- a\n\n- b\n\n  continued\n\n      code in item\n\nafter\n",
    "1. one\n\n2. two\n\n10. ten\n\ntext\n",
    "```\nfenced\n\nstill fenced\n\n```\n\nout\n",
    "  ```py\nx = 1\n\ny\n  ```\n\nz\n",
    "- item\n  ```\n  x\n\ny\n```\n\nq\n",
    "> quote\n\n> another\n\nplain\n",
    "<pre>\nhtml\n\nstill html\n</pre>\n\nafter\n",
    "<div>\nblock\n\nnext\n",
    "[ref]:\n/url\n\n[ref]\n\n[x]: /y\n\n[x]\n",
    "Title\n=====\n\nsub\n---\n\n***\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nend",
    "para\r\n\r\nnext\r\n\r\n```\r\ncode\r\n```\r\n",
    "    indented\n\n    more\n\nnot\n",
    "text\x1b]52;c;aGk=\x07 more\n\n\x1b[31mred\n\nplain \u{9b}2J\n",
    "# a\n\n\n\n# b\n\n  \n\n# c\n",
    "- a\n\n  - b\n\n    - c\n\n      deep\n\nout\n",
    "```rust\nfn a() {}\n\tlet x = 1; // 第一行\n```\nafter\n- a\n- b\n",
    "~~~~ py x\n~~~\n```\n   ~~~~  \n| a |\n|---|\n| 1 |\n",
    "```\n```\n[r]: /u\n\n[r]\n\n````\n ```` x\n    ````\n````\n***\n",
    "```c\\+\nx\n```\n\n``` `no`\nx\n```\n\n```sh\na\x1b[2Jb\nc\n```\n",
    "```\n``````````py x\n  \n",
    "```rust\n```\n> quote\n",
    "```rust\n```\n  \n```rust\n",
    // One paragraph that grows over many lines, its markup closing far from where it opened.
    "**注意：**配置很长的一段话，第1段，第2段，第3段，第4段，*强调跨越很多行第5段，第6段，\
     第7段，第8段*结束。`代码 x` [链接](https://e.x) 第9段\n继续同一段，第10段。 **粗 \
     体 long english words wrapping here** 👨\u{200d}👩\u{200d}👧🇨🇳e\u{301}（括号）「引号」\n",
];

/// `text` rendered chunk by chunk through the parser, with no line-by-line code layout.
pub(super) fn reference(
    text: &str,
    width: usize,
    gutter: &Span<'static>,
    theme: &Theme,
    syntax: &Syntax,
) -> Vec<Line<'static>> {
    let mut md = MarkdownLines {
        width,
        gutter: gutter.clone(),
        ..MarkdownLines::default()
    };
    let mut start = 0;
    for end in chunk_ends(text, WINDOW) {
        md.push_chunk(&text[start..end], theme, syntax);
        start = end;
    }
    md.push_chunk(&text[start..], theme, syntax);
    md.lines().into_iter().map(owned).collect()
}

/// Streams `doc` in pieces of `steps` characters (taken in turn), checking every frame against
/// `reference`.
pub(super) fn stream_in_steps(
    doc: &str,
    steps: &[usize],
    width: usize,
    theme: &Theme,
    syntax: &Syntax,
) -> Result<(), proptest::test_runner::TestCaseError> {
    let gutter = Span::raw("  ");
    let chars: Vec<char> = doc.chars().collect();
    let mut md = MarkdownLines::default();
    let mut text = String::new();
    let (mut i, mut k) = (0, 0);
    while i < chars.len() {
        let end = (i + steps[k % steps.len()].max(1)).min(chars.len());
        text.extend(&chars[i..end]);
        md.update(&text, width, &gutter, theme, syntax);
        proptest::prop_assert_eq!(
            md.lines(),
            reference(&text, width, &gutter, theme, syntax),
            "after {} chars of {:?}",
            end,
            doc
        );
        i = end;
        k += 1;
    }
    Ok(())
}

fn documents() -> Vec<&'static str> {
    let mut docs = vec![ENGLISH, CHINESE];
    docs.extend(TRICKY);
    docs
}

/// Feeds `doc` in pieces of 1..=4 characters, comparing with a fresh render after each.
fn check_streaming(doc: &str, width: usize, theme: &Theme) {
    let syntax = Syntax::default();
    let gutter = Span::raw("  ");
    let mut streamed = MarkdownLines::default();
    let chars: Vec<char> = doc.chars().collect();
    let (mut i, mut step) = (0, 1);
    let mut text = String::new();
    while i < chars.len() {
        let end = (i + step).min(chars.len());
        text.extend(&chars[i..end]);
        streamed.update(&text, width, &gutter, theme, &syntax);
        let fresh = MarkdownLines::new(&text, width, &gutter, theme, &syntax);
        assert_eq!(
            streamed.lines(),
            fresh.lines(),
            "after {end} chars of {doc:?}"
        );
        assert_eq!(
            streamed.lines(),
            reference(&text, width, &gutter, theme, &syntax),
            "after {end} chars of {doc:?}"
        );
        i = end;
        step = step % 4 + 1;
    }
}

#[test]
fn streamed_replies_match_a_fresh_render_at_every_cut() {
    let theme = Theme::default();
    for doc in documents() {
        check_streaming(doc, 40, &theme);
    }
}

#[test]
fn streaming_matches_at_narrow_widths_and_in_every_theme() {
    for theme in [Theme::light(), Theme::mono()] {
        check_streaming(CHINESE, 12, &theme);
    }
    check_streaming(ENGLISH, 3, &Theme::dark());
}

#[test]
fn boundaries_found_in_a_prefix_stay_boundaries() {
    for doc in documents() {
        let all = boundaries(doc);
        for (cut, _) in doc.char_indices() {
            let found = boundaries(&doc[..cut]);
            assert!(
                all.starts_with(&found),
                "{doc:?} cut at {cut}: {found:?} vs {all:?}"
            );
        }
    }
}

#[test]
fn parsing_from_a_boundary_finds_the_same_later_boundaries() {
    for doc in documents() {
        let all = boundaries(doc);
        for (i, &b) in all.iter().enumerate() {
            let later: Vec<usize> = boundaries(&doc[b..]).iter().map(|x| x + b).collect();
            assert_eq!(later, all[i + 1..], "{doc:?} from {b}");
        }
    }
}

#[test]
fn a_reply_is_cut_into_several_stable_chunks() {
    // Without boundaries every frame would re-render the whole reply.
    assert!(boundaries(ENGLISH).len() >= 8, "{:?}", boundaries(ENGLISH));
    assert!(boundaries(CHINESE).len() >= 8);
    let fence = "```\na\n\nb\n\nc\n";
    assert!(
        boundaries(fence).is_empty(),
        "no block starts inside an open fence"
    );
}

#[test]
fn text_that_does_not_extend_the_last_one_is_rendered_afresh() {
    let theme = Theme::default();
    let syntax = Syntax::default();
    let gutter = Span::raw("");
    let mut lines = MarkdownLines::new("# one\n\npara\n\nmore", 30, &gutter, &theme, &syntax);
    lines.update("# two\n\nother", 30, &gutter, &theme, &syntax);
    assert_eq!(text_of(&lines.lines()), ["two", "", "other"]);
    lines.update("# two\n\nother", 20, &gutter, &theme, &syntax);
    assert_eq!(text_of(&lines.lines()), ["two", "", "other"]);
    // Longer than the stable text of the last call, but not its continuation.
    lines.update("# one\n\npara\n\nmore\n\nend", 20, &gutter, &theme, &syntax);
    lines.update(
        "# uno\n\npara\n\nmore\n\nend and more",
        20,
        &gutter,
        &theme,
        &syntax,
    );
    assert_eq!(
        text_of(&lines.lines()),
        ["uno", "", "para", "", "more", "", "end and more"]
    );
}

#[test]
fn hostile_escape_sequences_are_removed_before_parsing() {
    let lines = render_text("ok\x1b]52;c;aGVsbG8=\x07 **b**\x1b[2J\u{9b}31m", 40);
    assert_eq!(lines, ["ok b"]);
}

#[test]
fn a_long_reply_renders_only_its_last_block_again() {
    let theme = Theme::default();
    let syntax = Syntax::default();
    let gutter = Span::raw("  ");
    let mut text = String::new();
    let mut lines = MarkdownLines::default();
    for i in 0..200 {
        text.push_str(&format!(
            "Paragraph {i} with some words.\n\n- item\n- item\n\n"
        ));
        lines.update(&text, 40, &gutter, &theme, &syntax);
    }
    text.push_str("The tail is being writ");
    lines.update(&text, 40, &gutter, &theme, &syntax);
    let tail = text.len() - lines.stable_len;
    assert!(tail < 40, "{tail} bytes would be rendered again each frame");
}

#[test]
fn searching_for_boundaries_a_window_at_a_time_changes_nothing() {
    let theme = Theme::dark();
    let syntax = Syntax::default();
    let gutter = Span::raw("  ");
    let mut long = String::new();
    for doc in documents() {
        long.push_str(doc);
        long.push_str("\n\n");
    }
    // A code block longer than most windows, then more blocks.
    long.push_str("```rust\n");
    for i in 0..300 {
        long.push_str(&format!("let x{i} = {i};\n"));
    }
    long.push_str("```\n\nafter the code\n\n- a\n- b\n");
    let whole = {
        let mut md = MarkdownLines::default();
        md.update_in_windows(&long, 50, &gutter, &theme, &syntax, usize::MAX);
        md.lines().into_iter().map(owned).collect::<Vec<_>>()
    };
    for window in [1, 7, 64, 500, 4096] {
        let mut md = MarkdownLines::default();
        md.update_in_windows(&long, 50, &gutter, &theme, &syntax, window);
        assert_eq!(md.lines(), whole, "window {window}");
    }
}

#[test]
fn the_quick_no_boundary_check_agrees_with_the_parser_at_every_cut() {
    let mut docs = documents();
    docs.extend([
        "x\n\n```\na\n```\nb\n",
        "   ~~~\nq\n~~~\n~~~\nr\n~~~\nz",
        "a\n \t\nb\nc",
    ]);
    for doc in docs {
        for (end, _) in doc.char_indices().chain([(doc.len(), ' ')]) {
            let text = &doc[..end];
            assert_eq!(boundaries(text), parsed_boundaries(text), "{text:?}");
        }
    }
}
