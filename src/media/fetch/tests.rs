//! Decoding under limits, and the fetcher's offline paths (built-in, data URL, cache).

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage, RgbaImage};

use super::*;

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn solid(w: u32, h: u32, rgb: [u8; 3]) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_pixel(w, h, image::Rgb(rgb)))
}

#[test]
fn png_jpeg_webp_decode() {
    let img = solid(20, 10, [200, 30, 30]);
    for (format, name) in [
        (ImageFormat::Png, "png"),
        (ImageFormat::Jpeg, "jpg"),
        (ImageFormat::WebP, "webp"),
    ] {
        let bytes = encode(&img, format);
        let d = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((d.width, d.height), (20, 10), "{name}");
        assert_eq!(d.format, name);
        assert_eq!(d.file_size, bytes.len());
    }
}

#[test]
fn gif_gives_its_first_frame() {
    use image::codecs::gif::GifEncoder;
    use image::{Delay, Frame};
    let mut bytes = Vec::new();
    {
        let mut enc = GifEncoder::new(&mut bytes);
        for rgb in [[255, 0, 0], [0, 0, 255]] {
            let buf = RgbaImage::from_pixel(4, 4, image::Rgba([rgb[0], rgb[1], rgb[2], 255]));
            enc.encode_frame(Frame::from_parts(
                buf,
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            ))
            .unwrap();
        }
    }
    let d = decode(&bytes).unwrap();
    assert_eq!(d.format, "gif");
    let px = d.image.to_rgb8().get_pixel(1, 1).0;
    assert!(px[0] > 200 && px[2] < 50, "first frame is red, got {px:?}");
}

#[test]
fn oversized_images_are_refused_before_allocation() {
    // A few hundred bytes that claim 9000 pixels across.
    let bytes = encode(&solid(MAX_DIMENSION + 808, 1, [0, 0, 0]), ImageFormat::Png);
    assert!(bytes.len() < 10_000);
    assert!(matches!(decode(&bytes), Err(MediaError::Decode(_))));
}

#[test]
fn big_images_are_kept_small() {
    let bytes = encode(&solid(3000, 30, [1, 2, 3]), ImageFormat::Png);
    let d = decode(&bytes).unwrap();
    assert_eq!((d.width, d.height), (3000, 30));
    assert!(d.image.width() <= KEEP_SIDE);
}

#[test]
fn garbage_is_a_decode_error() {
    assert!(matches!(
        decode(b"<html>not an image</html>"),
        Err(MediaError::Decode(_))
    ));
}

#[tokio::test]
async fn demo_data_and_cached_urls_need_no_network() {
    let dir = tempfile::tempdir().unwrap();
    let f = Fetcher::new(Some(dir.path().to_path_buf())).unwrap();
    let Fetched::Image(demo) = f.fetch(crate::demo::DEMO_IMAGE_URL, None).await.unwrap() else {
        panic!("demo is an image")
    };
    assert_eq!((demo.width, demo.height), (160, 100));

    let png = encode(&solid(3, 2, [9, 9, 9]), ImageFormat::Png);
    let data_url = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&png)
    );
    let Fetched::Image(d) = f.fetch(&data_url, None).await.unwrap() else {
        panic!("data URL is an image")
    };
    assert_eq!((d.width, d.height), (3, 2));

    // Port 9 (discard) is closed here: only the cache can answer.
    let url = "http://127.0.0.1:9/cached.png";
    assert!(f.fetch(url, None).await.is_err());
    f.store(url, png.clone()).await;
    assert!(matches!(f.fetch(url, None).await, Ok(Fetched::Image(_))));

    let generated = f.store_generated(&png).await.unwrap();
    assert!(generated.starts_with(GENERATED_PREFIX) && generated.ends_with(".png"));
    assert!(matches!(
        f.fetch(&generated, None).await,
        Ok(Fetched::Image(_))
    ));
    assert!(f.fetch("ecochat://generated/gone.png", None).await.is_err());
}

#[tokio::test]
async fn other_schemes_are_never_fetched() {
    let f = Fetcher::new(None).unwrap();
    for url in [
        "ftp://x.example/a.png",
        "file:///etc/passwd",
        "ecochat://other",
    ] {
        assert_eq!(
            f.fetch(url, None).await.unwrap_err(),
            MediaError::NotWeb,
            "{url}"
        );
    }
}

#[tokio::test]
async fn builtin_files_save_and_open_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let f = Fetcher::new(Some(dir.path().join("cache"))).unwrap();
    let saved = f
        .save(
            crate::demo::DEMO_IMAGE_URL,
            MediaKind::Image,
            &dir.path().join("dl"),
            "demo.png",
        )
        .await
        .unwrap();
    // Written anew from its pixels: the same picture, not necessarily the same bytes.
    let again = decode(&std::fs::read(&saved).unwrap()).unwrap();
    let demo = decode(crate::demo::DEMO_IMAGE_PNG).unwrap();
    assert_eq!(again.image.to_rgba8(), demo.image.to_rgba8());
    let opened = f.local_file(crate::demo::DEMO_IMAGE_URL).await.unwrap();
    assert!(opened.exists());
}

/// A valid PNG header claiming `w`x`h` pixels (with a one-pixel body): what the decoder sees
/// before it allocates anything.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut png = encode(&solid(1, 1, [0, 0, 0]), ImageFormat::Png);
    // Signature (8), IHDR length and type (8), then width and height; the CRC follows the
    // 13 bytes of IHDR data.
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&png[12..29]);
    png[29..33].copy_from_slice(&crc.sum().to_be_bytes());
    png
}

#[test]
fn pictures_over_the_pixel_budget_are_refused_from_their_header() {
    // 196 KB on the wire, 200 MB decoded: refused before any pixel is allocated.
    let bomb = png_claiming(8192, 8192);
    let err = decode(&bomb).unwrap_err();
    assert!(
        matches!(&err, MediaError::Decode(m) if m.contains("8192x8192") && m.contains("megapixels")),
        "{err}"
    );
    // Just under the budget the header passes (the body is short, so decoding then fails).
    let fits = png_claiming(8000, 5000);
    assert!(u64::from(8000u32 * 5000) <= MAX_PIXELS);
    assert!(!matches!(decode(&fits), Err(MediaError::Decode(m)) if m.contains("megapixels")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn decodes_run_one_at_a_time() {
    let png = encode(&solid(600, 400, [5, 6, 7]), ImageFormat::Png);
    let decoder = Decoder::default();
    let runs: Vec<_> = (0..12)
        .map(|_| {
            let (decoder, png) = (decoder.clone(), png.clone());
            tokio::spawn(async move { decoder.decode(png).await })
        })
        .collect();
    for run in runs {
        assert!(run.await.unwrap().is_ok());
    }
    assert_eq!(decoder.peak(), 1);
}

fn data_url(mime: &str, bytes: &[u8]) -> String {
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[tokio::test]
async fn data_links_open_and_save_only_as_images_written_anew() {
    let dir = tempfile::tempdir().unwrap();
    let f = Fetcher::new(Some(dir.path().join("cache"))).unwrap();
    let html = b"<html><script>fetch('http://192.168.1.1/')</script></html>";
    let saves = dir.path().join("dl");
    for url in [
        data_url("text/html", html),
        data_url("image/png", html),
        "data:image/svg+xml,<svg onload=alert(1)>".to_string(),
    ] {
        assert!(f.local_file(&url).await.is_err(), "{url}");
        assert!(
            f.save(&url, MediaKind::Image, &saves, "x.png")
                .await
                .is_err(),
            "{url}"
        );
    }
    assert!(!saves.exists() || std::fs::read_dir(&saves).unwrap().next().is_none());
    // A JPEG that calls itself PNG, with a script riding after its end: opened as .jpg, and
    // only its pixels are written.
    let mut jpeg = encode(&solid(8, 8, [200, 10, 10]), ImageFormat::Jpeg);
    jpeg.extend_from_slice(html);
    let url = data_url("image/png", &jpeg);
    let opened = f.local_file(&url).await.unwrap();
    assert_eq!(opened.extension().unwrap(), "jpg");
    let written = std::fs::read(&opened).unwrap();
    assert!(!written.windows(7).any(|w| w == b"<script"));
    assert_eq!(image::guess_format(&written).unwrap(), ImageFormat::Jpeg);
    let saved = f
        .save(&url, MediaKind::Image, &saves, "x.png")
        .await
        .unwrap();
    assert_eq!(saved.file_name().unwrap(), "x.jpg");
    assert!(
        !std::fs::read(&saved)
            .unwrap()
            .windows(7)
            .any(|w| w == b"<script")
    );
}
