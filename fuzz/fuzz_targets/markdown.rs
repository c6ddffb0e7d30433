//! Markdown rendering at a width taken from the first byte, whole and streamed.
#![no_main]

use ecochat::view::markdown::{MarkdownLines, Syntax, render_markdown};
use ecochat::view::theme::Theme;
use libfuzzer_sys::fuzz_target;
use ratatui::text::Span;

fuzz_target!(|data: &[u8]| {
    let Some((&w, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let width = usize::from(w % 160) + 1;
    let theme = Theme::default();
    let syntax = Syntax::default();
    let whole = render_markdown(text, width, &theme, &syntax);
    let gutter = Span::raw("");
    let mut streamed = MarkdownLines::default();
    for (i, _) in text.char_indices().step_by(5) {
        streamed.update(&text[..i], width, &gutter, &theme, &syntax);
    }
    streamed.update(text, width, &gutter, &theme, &syntax);
    assert_eq!(streamed.lines(), whole.as_slice());
});
