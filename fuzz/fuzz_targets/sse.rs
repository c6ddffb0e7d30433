//! SSE decoder: arbitrary bytes cut at arbitrary places; the first byte picks the cuts.
#![no_main]

use ecochat::api::sse::SseDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&step, bytes)) = data.split_first() else {
        return;
    };
    let mut d = SseDecoder::with_max_line(4096);
    for piece in bytes.chunks(usize::from(step).max(1)) {
        let _ = d.push(piece);
    }
    let _ = d.finish();
});
