//! An open code block is laid out a line at a time, and still renders like the whole chunk.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use ratatui::style::Style;
use std::time::{Duration, Instant};

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

/// Texts of up to `most` pieces of `pieces`, in any order.
fn document_of(pieces: &'static [&'static str], most: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(pieces), 1..most).prop_map(|p| p.concat())
}

/// However a reply is cut into pieces, each frame shows what a chunk-by-chunk render of the
/// text so far shows.
#[test]
fn streamed_code_matches_a_full_render_at_every_cut() {
    // One handle for every case: decoding syntect's data takes long in a debug build.
    let syntax = Syntax::default();
    let cases = (
        document_of(PIECES, 14),
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

/// Pieces of replies that are mostly code, in languages that get colours.
const CODE_PIECES: &[&str] = &[
    "```rust\n",
    "```py\n",
    "```\n",
    "```",
    "\n",
    "let x = 1;\n",
    "fn main() { let s = \"第一行\"; }\n",
    "\tif a {\tb }\n",
    "def f(x): return x  # 注释\n",
    "/* open comment\n",
    "end */ x\n",
    "a line of code far wider than any of the narrow widths the cases use\n",
    "text after\n",
    "x\x1b[31m red\n",
];

/// A handle that paints streamed lines on a spare thread, with its data decoded and every
/// language of `docs` compiled.
fn painting_handle(docs: &[&str]) -> Syntax {
    let syntax = Syntax::in_background(|_| {});
    syntax.warm_up();
    let deadline = Instant::now() + Duration::from_secs(120);
    for doc in docs {
        let want = render_markdown(doc, 40, &Theme::dark(), &Syntax::default());
        while render_markdown(doc, 40, &Theme::dark(), &syntax) != want {
            assert!(Instant::now() < deadline, "the syntax is prepared in time");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    syntax
}

/// A reply still streaming, laid out 60 columns wide with a painting handle that has Rust
/// ready.
struct StreamedRust {
    theme: Theme,
    syntax: Syntax,
    md: MarkdownLines,
}

impl StreamedRust {
    fn new() -> Self {
        let mut md = MarkdownLines::default();
        md.set_live(true);
        Self {
            theme: Theme::dark(),
            syntax: painting_handle(&["```rust\nfn main() {}\n```\n"]),
            md,
        }
    }

    fn lay_out(&mut self, text: &str) {
        self.md
            .update(text, 60, &Span::raw(""), &self.theme, &self.syntax);
    }

    fn settle(&mut self, text: &str) {
        settle(&self.syntax, &mut self.md, text, &self.theme);
    }

    /// `text` rendered chunk by chunk and coloured at once: what the lines must end up as.
    fn full_render(&self, text: &str) -> Vec<Line<'static>> {
        reference(text, 60, &Span::raw(""), &self.theme, &Syntax::default())
    }
}

/// Waits for the painting thread to finish, then puts its colours in, as `CodePainted` does.
fn settle(syntax: &Syntax, md: &mut MarkdownLines, text: &str, theme: &Theme) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        while !syntax.paint_settled() {
            assert!(Instant::now() < deadline, "the lines are painted in time");
            std::thread::sleep(Duration::from_millis(1));
        }
        syntax.painted_lines_seen();
        md.apply_painted(text, theme, syntax);
        // Drawing the unfinished line again may have asked for it to be painted.
        if syntax.paint_settled() {
            return;
        }
    }
}

/// However a reply is cut, with lines painted on a spare thread each frame shows the text of a
/// full render at once, and its colours too once the painting is put in; painting put in late
/// (after blocks closed) lands on the right lines.
#[test]
fn code_painted_elsewhere_matches_a_full_render_once_put_in() {
    // Each language of the pieces, in a block of its own.
    let syntax = painting_handle(&["```rust\nlet x = 1;\n```\n", "```py\nx = 1\n```\n"]);
    let reference_syntax = Syntax::default();
    let cases = (
        document_of(CODE_PIECES, 24),
        prop::collection::vec((1usize..12, any::<bool>()), 1..8),
        prop::sample::select(&[12usize, 40][..]),
    );
    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    let theme = Theme::dark();
    let result = runner.run(&cases, |(doc, steps, width)| {
        let gutter = Span::raw("  ");
        let chars: Vec<char> = doc.chars().collect();
        let mut md = MarkdownLines::default();
        md.set_live(true);
        let mut text = String::new();
        let (mut i, mut k) = (0, 0);
        while i < chars.len() {
            let (step, put_in) = steps[k % steps.len()];
            let st = if k % 2 == 0 {
                step % 12 + 1
            } else {
                step / 12 + 1
            };
            let end = (i + st).min(chars.len());
            text.extend(&chars[i..end]);
            md.update(&text, width, &gutter, &theme, &syntax);
            let want = reference(&text, width, &gutter, &theme, &reference_syntax);
            prop_assert_eq!(text_of(&md.lines()), text_of(&want), "after {} chars", end);
            if put_in || end == chars.len() {
                settle(&syntax, &mut md, &text, &theme);
                prop_assert_eq!(
                    md.lines(),
                    want,
                    "after {} chars of {:?} in {:?}",
                    end,
                    doc,
                    steps
                );
            }
            i = end;
            k += 1;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn a_streamed_line_is_drawn_plain_until_its_colours_are_put_in() {
    let mut r = StreamedRust::new();
    let text = "```rust\nfn main() { let x = 1; }\n";
    r.lay_out(text);
    let plain = r.theme.markdown.code_text;
    let code_styles = |md: &MarkdownLines| -> Vec<Style> {
        md.lines()[1].spans[1..].iter().map(|s| s.style).collect()
    };
    assert_eq!(code_styles(&r.md), [plain]);
    r.settle(text);
    assert!(code_styles(&r.md).iter().any(|s| *s != plain));
    assert_eq!(r.md.lines(), r.full_render(text));
}

#[test]
fn the_line_being_written_gets_its_colours_when_they_are_painted() {
    let mut r = StreamedRust::new();
    let mut text = String::from("```rust\nlet a = 1;\nlet x");
    r.lay_out(&text);
    r.settle(&text);
    assert_eq!(r.md.lines(), r.full_render(&text));
    // More of the line: coloured as far as it was painted, then plain, then all of it.
    text.push_str(" = \"第一行\"; fn");
    r.lay_out(&text);
    let want = r.full_render(&text);
    assert_eq!(text_of(&r.md.lines()), text_of(&want));
    assert_ne!(r.md.lines(), want, "the new part is plain until painted");
    r.settle(&text);
    assert_eq!(r.md.lines(), want);
}

#[test]
fn code_given_up_on_leaves_no_lines_to_paint() {
    let mut r = StreamedRust::new();
    let mut text = String::from("```rust\nlet a = 1;\nlet b = 2;\n");
    r.lay_out(&text);
    assert!(r.md.awaits_paint());
    // A line `sanitize` changes sends the block to the full render, coloured at once.
    text.push_str("x\x1b[31m red\n");
    r.lay_out(&text);
    assert!(!r.md.awaits_paint());
    assert_eq!(r.md.lines(), r.full_render(&text));
}

#[test]
fn a_reply_ending_inside_a_code_block_gets_its_last_line_coloured() {
    let mut r = StreamedRust::new();
    let text = "```rust\nlet a = 1;\nlet s = \"cut off";
    r.lay_out(text);
    // The stream ends here, as `MessageLines::refresh` ends it.
    r.md.set_live(false);
    r.lay_out(text);
    r.md.finish();
    r.settle(text);
    assert_eq!(r.md.lines(), r.full_render(text));
}
