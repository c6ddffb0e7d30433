//! Attaching a 12-megapixel phone photo: decode, scale to 2048 px on the long side, encode as
//! JPEG. Target: under 300 ms in a release build (it runs on a blocking thread, never in the
//! event loop).

use std::io::Cursor;

use divan::Bencher;
use ecochat::attach::{Limits, classify};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

fn main() {
    divan::main();
}

/// A 4000x3000 JPEG with gradients and texture, so it neither compresses nor decodes trivially.
fn photo() -> Vec<u8> {
    let picture = RgbImage::from_fn(4000, 3000, |x, y| {
        let n = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 37;
        Rgb([
            ((x / 16) % 256) as u8,
            ((y / 12) % 256) as u8,
            ((x + y) / 28 % 200) as u8 + n as u8,
        ])
    });
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&picture)
        .expect("encode the test photo");
    out.into_inner()
}

#[divan::bench(sample_count = 10)]
fn attach_12mp_jpeg(bencher: Bencher) {
    let bytes = photo();
    bencher.bench_local(|| {
        classify(
            "photo.jpg",
            "photo.jpg".into(),
            bytes.clone(),
            Limits::default(),
        )
        .map(|a| a.size())
        .unwrap_or(0)
    });
}

/// The stages on their own: where the time of `attach_12mp_jpeg` goes.
mod stages {
    use super::*;

    #[divan::bench(sample_count = 10)]
    fn decode_12mp(bencher: Bencher) {
        let bytes = photo();
        bencher.bench_local(|| {
            ecochat::media::fetch::decode_full(&bytes)
                .map(|(p, _)| p.width())
                .unwrap_or(0)
        });
    }

    #[divan::bench(sample_count = 10)]
    fn shrink_to_2048(bencher: Bencher) {
        let picture = image::load_from_memory(&photo()).expect("decode").to_rgb8();
        bencher.bench_local(|| {
            ecochat::attach::shrink::shrink(picture.as_raw(), 4000, 3000, 3, 2048, 1536).len()
        });
    }

    /// The `image` crate's own area averaging, for comparison.
    #[divan::bench(sample_count = 10)]
    fn image_thumbnail_to_2048(bencher: Bencher) {
        let picture = image::load_from_memory(&photo()).expect("decode");
        bencher.bench_local(|| picture.thumbnail_exact(2048, 1536).width());
    }

    #[divan::bench(sample_count = 10)]
    fn encode_2048_jpeg(bencher: Bencher) {
        let small = image::load_from_memory(&photo())
            .expect("decode")
            .thumbnail_exact(2048, 1536)
            .to_rgb8();
        bencher.bench_local(|| {
            let mut out = Cursor::new(Vec::new());
            JpegEncoder::new_with_quality(&mut out, 85)
                .encode_image(&small)
                .map(|()| out.into_inner().len())
                .unwrap_or(0)
        });
    }
}
