//! An open code block is laid out a line at a time, and still renders like the whole chunk.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::streaming::{reference, stream_in_steps};
use super::*;

#[test]
fn a_streaming_code_block_lays_out_only_its_new_lines() {
    let theme = Theme::dark();
    let syntax = Syntax::default();
    let gutter = Span::raw("");
    let mut text = String::from("```rust\n");
    let mut lines = MarkdownLines::default();
    for i in 0..50 {
        text.push_str(&format!("let x{i} = {i};\n"));
        lines.update(&text, 60, &gutter, &theme, &syntax);
    }
    // The fence is still open, so the block is the tail, but its lines are kept: the top of
    // the frame and 50 lines of code, with the whole text behind them.
    let open = lines.code.as_ref().map(|c| (c.done, c.lines));
    assert_eq!(open, Some((text.len(), 51)));
    assert_eq!(lines.stable_len, 0);
    assert_eq!(
        lines.lines(),
        reference(&text, 60, &gutter, &theme, &syntax)
    );
}

#[test]
fn a_closed_code_block_becomes_a_stable_chunk() {
    let theme = Theme::dark();
    let syntax = Syntax::default();
    let gutter = Span::raw("");
    let mut lines = MarkdownLines::default();
    let mut text = String::from("intro\n\n```py\nx = 1\n");
    lines.update(&text, 60, &gutter, &theme, &syntax);
    text.push_str("```\nand a paragraph that has no newline yet");
    lines.update(&text, 60, &gutter, &theme, &syntax);
    // The paragraph after the fence is all that is rendered again.
    assert_eq!(
        &text[lines.stable_len..],
        "and a paragraph that has no newline yet"
    );
    assert_eq!(
        lines.lines(),
        reference(&text, 60, &gutter, &theme, &syntax)
    );
}

#[test]
fn a_replaced_reply_is_not_mistaken_for_the_old_block() {
    let theme = Theme::default();
    let syntax = Syntax::default();
    let gutter = Span::raw("");
    let mut lines = MarkdownLines::default();
    lines.update("```\nold line\nmore\n", 40, &gutter, &theme, &syntax);
    lines.update(
        "```\nnew line\nmore\nand on\n",
        40,
        &gutter,
        &theme,
        &syntax,
    );
    assert_eq!(
        text_of(&lines.lines()),
        ["╭─", "│ new line", "│ more", "│ and on", "╰─"]
    );
}

/// Pieces that make code blocks open, close and not quite close, around other blocks.
const PIECES: &[&str] = &[
    "```rust\n",
    "```\n",
    "```",
    "~~~\n",
    "````py x\n",
    "   ```\n",
    "    ```\n",
    "``` \n",
    "```rust,ignore\n",
    "~~~ `x`\n",
    "```c\\+\n",
    "let x = 1;\n",
    "\tif a {\tb }\n",
    "第一行，中文的代码注释\n",
    "\n",
    "  \n",
    "a line of code far wider than any of the narrow widths the cases use\n",
    "para text **bold\n",
    "- item\n",
    "> quote\n",
    "| a | b |\n|---|---|\n",
    "[ref]: /u\n",
    "[ref]\n",
    "x\x1b[31m red\n",
    "cr\r\n",
    "# h\n",
    "***\n",
    "<div>\n",
];

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 1..14).prop_map(|p| p.concat())
}

/// However a reply is cut into pieces, each frame shows what a chunk-by-chunk render of the
/// text so far shows.
#[test]
fn streamed_code_matches_a_full_render_at_every_cut() {
    // One handle for every case: decoding syntect's data takes long in a debug build.
    let syntax = Syntax::default();
    let cases = (
        document(),
        prop::collection::vec(1usize..8, 1..8),
        prop::sample::select(&[3usize, 12, 40][..]),
        any::<bool>(),
    );
    // Cases it once shrank to are in `streaming::TRICKY`.
    let mut runner = TestRunner::new(Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&cases, |(doc, steps, width, dark)| {
        let theme = if dark { Theme::dark() } else { Theme::mono() };
        stream_in_steps(&doc, &steps, width, &theme, &syntax)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
