//! Media-link extraction on whole texts and on streaming prefixes.
#![no_main]

use ecochat::media::extract::{extract_links, settled_links};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = extract_links(text);
    if let Some((i, _)) = text.char_indices().nth(text.chars().count() / 2) {
        let _ = settled_links(&text[..i], true);
    }
});
