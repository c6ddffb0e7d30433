//! SSE parser throughput on a ~1 MB stream built from the M1 (gpt-4o) and M2 (deepseek-reasoner)
//! relay captures, read in 4 KiB pieces that cut lines and characters anywhere.

use divan::Bencher;
use divan::counter::BytesCount;
use ecochat::api::chunk::ChunkDecoder;
use ecochat::api::sse::{SseDecoder, SseEvent};

const M1: &[u8] = include_bytes!("../tests/fixtures/m1.sse");
const M2: &[u8] = include_bytes!("../tests/fixtures/m2.sse");
/// Bytes per read, about what one socket read of a busy stream returns.
const READ: usize = 4096;

fn main() {
    divan::main();
}

/// M1 and M2 one after the other until the stream is at least 1 MiB.
fn stream() -> Vec<u8> {
    let mut out = Vec::with_capacity((1 << 20) + M1.len() + M2.len());
    while out.len() < 1 << 20 {
        out.extend_from_slice(M1);
        out.extend_from_slice(M2);
    }
    out
}

#[divan::bench]
fn sse_push(bencher: Bencher) {
    let bytes = stream();
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench_local(|| {
            let mut dec = SseDecoder::new();
            let mut events = 0usize;
            for piece in bytes.chunks(READ) {
                events += dec.push(piece).map_or(0, |e| e.len());
            }
            events + dec.finish().len()
        });
}

/// The whole socket-to-event path of the stream task: SSE framing, then chunk JSON decoding.
#[divan::bench]
fn sse_and_chunk_decode(bencher: Bencher) {
    let bytes = stream();
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench_local(|| {
            let mut sse = SseDecoder::new();
            let mut chunks = ChunkDecoder::new();
            let mut events = 0usize;
            for piece in bytes.chunks(READ) {
                for ev in sse.push(piece).unwrap_or_default() {
                    if let SseEvent::Data(payload) = ev {
                        events += chunks.decode(&payload).len();
                    }
                }
            }
            events + chunks.finish().len()
        });
}
