//! Markdown rendering of a 100 KB reply: from scratch, and one streamed piece appended to it.

use divan::Bencher;
use divan::counter::BytesCount;
use ecochat::dev::synthetic;
use ecochat::view::markdown::{MarkdownLines, Syntax, render_markdown};
use ecochat::view::theme::Theme;
use ratatui::text::Span;

const SIZE: usize = 100_000;
const WIDTH: usize = 100;

fn main() {
    divan::main();
}

#[divan::bench]
fn render_100k(bencher: Bencher) {
    let text = synthetic::long_reply(SIZE);
    let theme = Theme::default();
    let syntax = Syntax::default();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench_local(|| render_markdown(&text, WIDTH, &theme, &syntax).len());
}

/// What a frame costs while the 100 KB reply streams: only the text after the last block.
#[divan::bench]
fn stream_piece_after_100k(bencher: Bencher) {
    let theme = Theme::default();
    let syntax = Syntax::default();
    let gutter = Span::raw("  ");
    let mut text = synthetic::long_reply(SIZE);
    let mut md = MarkdownLines::new(&text, WIDTH, &gutter, &theme, &syntax);
    let mut i = 0usize;
    bencher.bench_local(|| {
        text.push_str(&format!("第{i}段，"));
        if i % 16 == 15 {
            text.push_str("\n\n");
        }
        i += 1;
        md.update(&text, WIDTH, &gutter, &theme, &syntax);
        md.len()
    });
}

/// The same inside one code block 100 KB (and 1 MB) long and still open (no block boundary to
/// cut at): its complete lines are laid out once, so a piece should cost the same at any size.
#[divan::bench(args = [SIZE, 10 * SIZE])]
fn stream_piece_in_100k_code(bencher: Bencher, size: usize) {
    let theme = Theme::default();
    let syntax = Syntax::default();
    let gutter = Span::raw("  ");
    let mut text = String::from("```rust\n");
    let mut i = 0usize;
    while text.len() < size {
        text.push_str(&format!("let value_{i} = compute({i}, \"第{i}行\");\n"));
        i += 1;
    }
    let mut md = MarkdownLines::new(&text, WIDTH, &gutter, &theme, &syntax);
    bencher.bench_local(|| {
        text.push_str(&format!("let value_{i} = compute({i});\n"));
        i += 1;
        md.update(&text, WIDTH, &gutter, &theme, &syntax);
        md.len()
    });
}

/// The same inside one paragraph 10 KB, 100 KB and 1 MB long with no blank line yet (the paced
/// mock reply): its lines are wrapped again only from where it changed, but its inline markup
/// is still parsed whole at each piece.
#[divan::bench(args = [SIZE / 10, SIZE, 10 * SIZE])]
fn stream_piece_in_100k_paragraph(bencher: Bencher, size: usize) {
    let theme = Theme::default();
    let syntax = Syntax::default();
    let gutter = Span::raw("  ");
    let mut text = String::new();
    let mut i = 0usize;
    while text.len() < size {
        text.push_str(&format!("第{i}段，"));
        i += 1;
    }
    let mut md = MarkdownLines::new(&text, WIDTH, &gutter, &theme, &syntax);
    bencher.bench_local(|| {
        text.push_str(&format!("第{i}段，"));
        i += 1;
        md.update(&text, WIDTH, &gutter, &theme, &syntax);
        md.len()
    });
}
