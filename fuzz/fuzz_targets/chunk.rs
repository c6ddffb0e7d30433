//! Chunk decoder: each line of the input is one `data:` payload.
#![no_main]

use ecochat::api::chunk::ChunkDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut d = ChunkDecoder::new();
    for line in text.lines() {
        let _ = d.decode(line);
    }
    let _ = d.finish();
});
