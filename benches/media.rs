//! Media link extraction on a 1 MB reply with images, download links, bare and angle URLs.

use divan::Bencher;
use divan::counter::BytesCount;
use ecochat::dev::synthetic;
use ecochat::media::extract::{extract_links, settled_links};

const SIZE: usize = 1 << 20;

fn main() {
    divan::main();
}

#[divan::bench]
fn extract_1mb(bencher: Bencher) {
    let text = synthetic::reply_with_links(SIZE);
    bencher
        .counter(BytesCount::new(text.len()))
        .bench_local(|| extract_links(&text).len());
}

/// The scan of a reply still streaming (only complete links count).
#[divan::bench]
fn settled_live_1mb(bencher: Bencher) {
    let text = synthetic::reply_with_links(SIZE);
    bencher
        .counter(BytesCount::new(text.len()))
        .bench_local(|| settled_links(&text, true).len());
}
