use std::io::Cursor;

use base64::Engine;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageEncoder, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use serde_json::json;

use super::*;
use crate::api::client::WireMessage;

const HELLO_PDF: &[u8] = include_bytes!("../../tests/fixtures/hello.pdf");
const BLANK_PDF: &[u8] = include_bytes!("../../tests/fixtures/blank.pdf");

fn png(picture: &DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A JPEG whose EXIF says "rotate 90° clockwise to show" (orientation 6).
fn rotated_jpeg(width: u32, height: u32) -> Vec<u8> {
    jpeg_with_exif(width, height, 6)
}

/// A JPEG, left half red and right half blue, with an EXIF orientation.
fn jpeg_with_exif(width: u32, height: u32, orientation: u8) -> Vec<u8> {
    // Left half red, right half blue: after turning, red is on top.
    let picture = RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    });
    let exif: Vec<u8> = [
        &b"MM\0\x2a\0\0\0\x08"[..],
        &[0, 1],                                               // one entry
        &[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0], // Orientation, SHORT, 1, value
        &[0, 0, 0, 0],                                         // no next IFD
    ]
    .concat();
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, 90);
    enc.set_exif_metadata(exif).unwrap();
    enc.write_image(
        picture.as_raw(),
        width,
        height,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    out
}

fn image_of(a: &Attachment) -> (&'static str, &[u8], u32, u32) {
    match &a.body {
        Body::Image {
            mime,
            bytes,
            width,
            height,
            ..
        } => (mime, bytes, *width, *height),
        other => panic!("not an image: {other:?}"),
    }
}

fn load_bytes(name: &str, bytes: Vec<u8>, limits: Limits) -> Result<Attachment, AttachError> {
    classify(name, name.to_string(), bytes, limits)
}

#[test]
fn a_wide_photo_is_scaled_to_the_long_side_and_keeps_its_aspect() {
    let photo = DynamicImage::ImageRgb8(RgbImage::from_pixel(3000, 1000, Rgb([10, 200, 30])));
    let a = load_bytes("wide.png", png(&photo), Limits::default()).unwrap();
    let (mime, bytes, w, h) = image_of(&a);
    assert_eq!((w, h), (2048, 683));
    // An opaque picture is re-encoded as JPEG, and the bytes say so.
    assert_eq!(mime, "image/jpeg");
    assert_eq!(image::guess_format(bytes).unwrap(), ImageFormat::Jpeg);
    let back = image::load_from_memory(bytes).unwrap();
    assert_eq!((back.width(), back.height()), (2048, 683));
}

#[test]
fn a_transparent_picture_stays_png_when_scaled() {
    let mut pic = RgbaImage::from_pixel(2500, 500, Rgba([0, 0, 0, 255]));
    pic.put_pixel(3, 3, Rgba([0, 0, 0, 0]));
    let limits = Limits {
        max_side: 1000,
        ..Limits::default()
    };
    let a = load_bytes("logo.png", png(&DynamicImage::ImageRgba8(pic)), limits).unwrap();
    let (mime, _, w, h) = image_of(&a);
    assert_eq!((mime, w, h), ("image/png", 1000, 200));
}

#[test]
fn a_small_upright_image_is_sent_as_it_is() {
    let bytes = png(&DynamicImage::ImageRgb8(RgbImage::new(40, 30)));
    let a = load_bytes("s.png", bytes.clone(), Limits::default()).unwrap();
    assert_eq!(image_of(&a), ("image/png", bytes.as_slice(), 40, 30));
    assert_eq!(a.describe(), format!("{}, 40x30", human_size(bytes.len())));
}

#[test]
fn exif_orientation_is_applied() {
    let a = load_bytes("phone.jpg", rotated_jpeg(64, 32), Limits::default()).unwrap();
    let (mime, bytes, w, h) = image_of(&a);
    // Turned a quarter: the 64x32 file shows as 32x64, with its left (red) half on top.
    assert_eq!((mime, w, h), ("image/jpeg", 32, 64));
    let back = image::load_from_memory(bytes).unwrap().to_rgb8();
    assert_eq!((back.width(), back.height()), (32, 64));
    let top = back.get_pixel(16, 5).0;
    let bottom = back.get_pixel(16, 58).0;
    assert!(top[0] > 200 && top[2] < 60, "top is red: {top:?}");
    assert!(
        bottom[2] > 200 && bottom[0] < 60,
        "bottom is blue: {bottom:?}"
    );
}

#[test]
fn exif_never_leaves_the_machine() {
    // Orientation 1 (upright) but EXIF all the same, as a phone writes with its GPS block.
    let a = load_bytes("gps.jpg", jpeg_with_exif(16, 8, 1), Limits::default()).unwrap();
    let (_, bytes, w, h) = image_of(&a);
    assert_eq!((w, h), (16, 8));
    let mut decoder = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap();
    use image::ImageDecoder;
    assert_eq!(decoder.exif_metadata().unwrap(), None);
}

#[test]
fn a_picture_over_the_decoder_limits_is_refused_naming_it() {
    // The header claims 10000x10000; the decoder refuses before allocating.
    let bomb = png(&DynamicImage::ImageLuma8(image::GrayImage::new(10_000, 1)));
    let err = load_bytes("bomb.png", bomb, Limits::default()).unwrap_err();
    assert!(
        matches!(&err, AttachError::Image { path, .. } if path == "bomb.png"),
        "{err}"
    );
}

#[test]
fn binary_files_are_refused_naming_them() {
    let err = load_bytes(
        "a.out",
        vec![0x7f, b'E', b'L', b'F', 0, 1],
        Limits::default(),
    );
    assert_eq!(
        err.unwrap_err().to_string(),
        "a.out is a binary file ecochat cannot send (attach images, text files or PDFs)"
    );
    let latin1 = load_bytes("old.txt", b"caf\xe9".to_vec(), Limits::default());
    assert!(matches!(latin1, Err(AttachError::Binary { .. })));
}

#[test]
fn text_over_the_cap_is_refused_and_under_it_is_kept() {
    let limits = Limits {
        max_text_bytes: 10,
        ..Limits::default()
    };
    let err = load_bytes("notes.md", "一二三四".into(), limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "notes.md is 12 B, more than the 10 B an attachment may be"
    );
    let ok = load_bytes("n.md", "一二三".into(), limits).unwrap();
    assert_eq!(ok.body, Body::Text("一二三".into()));
}

#[test]
fn pdfs_are_recognised_by_their_magic() {
    let a = load_bytes("paper.pdf", b"%PDF-1.7\n...".to_vec(), Limits::default()).unwrap();
    assert!(matches!(a.body, Body::Pdf(_)));
}

#[test]
fn the_fence_is_longer_than_any_backtick_run_inside() {
    assert_eq!(fence_for("plain"), "```");
    assert_eq!(fence_for("a ``` b"), "````");
    assert_eq!(fence_for("x `````` y ` z"), "```````");
}

#[test]
fn text_files_are_inlined_after_the_prompt_with_name_and_fence() {
    let a = Attachment {
        name: "README.md".into(),
        body: Body::Text("# 标题\n```sh\nls\n```".into()),
    };
    assert_eq!(
        inline_text("总结一下", &[a]),
        "总结一下\n\nREADME.md:\n````md\n# 标题\n```sh\nls\n```\n````"
    );
}

#[test]
fn parts_put_the_text_first_then_each_image_as_a_data_url() {
    let png_bytes = png(&DynamicImage::ImageRgb8(RgbImage::new(2, 2)));
    let img = load_bytes("a.png", png_bytes.clone(), Limits::default()).unwrap();
    let txt = Attachment {
        name: "b.txt".into(),
        body: Body::Text("hi".into()),
    };
    let url = Attachment::image_url("https://example.com/c.jpg");
    let wire = wire_message("user", "what is this?", &[img, txt, url]);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&png_bytes);
    assert_eq!(
        serde_json::to_value(&wire).unwrap(),
        json!({"role": "user", "content": [
            {"type": "text", "text": "what is this?\n\nb.txt:\n```txt\nhi\n```"},
            {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{b64}")}},
            {"type": "image_url", "image_url": {"url": "https://example.com/c.jpg"}},
        ]})
    );
}

#[test]
fn a_message_without_parts_keeps_string_content() {
    let txt = Attachment {
        name: "b.txt".into(),
        body: Body::Text("hi".into()),
    };
    let wire = wire_message("user", "q", &[txt]);
    assert_eq!(
        serde_json::to_value(&wire).unwrap(),
        json!({"role": "user", "content": "q\n\nb.txt:\n```txt\nhi\n```"})
    );
}

#[test]
fn earlier_images_become_placeholders_but_the_last_message_keeps_its_own() {
    let img = Attachment::image_url("https://example.com/c.jpg");
    let pdf = load_bytes("p.pdf", HELLO_PDF.to_vec(), Limits::default()).unwrap();
    let mut wire = vec![
        wire_message("user", "look", &[img.clone(), pdf]),
        WireMessage::new("assistant", "a cat"),
        wire_message("user", "and this", &[img]),
    ];
    omit_earlier_images(&mut wire);
    assert_eq!(
        serde_json::to_value(&wire[0]).unwrap(),
        json!({"role": "user", "content": "look\n[image omitted]\n[file omitted: p.pdf]"})
    );
    assert_eq!(wire[2].parts.len(), 1);
}

#[test]
fn pasted_paths_attach_only_when_every_word_is_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a b.png");
    let c = dir.path().join("c.txt");
    std::fs::write(&a, "x").unwrap();
    std::fs::write(&c, "x").unwrap();
    let quoted = format!("'{}' {}", a.display(), c.display());
    assert_eq!(
        pasted_paths(&quoted, None),
        Some(vec![a.clone(), c.clone()])
    );
    let escaped = format!(
        "{}\n{}\n",
        a.display().to_string().replace(' ', "\\ "),
        c.display()
    );
    assert_eq!(
        pasted_paths(&escaped, None),
        Some(vec![a.clone(), c.clone()])
    );
    // A bare path with a space (no quoting) is still one file.
    assert_eq!(
        pasted_paths(&a.display().to_string(), None),
        Some(vec![a.clone()])
    );
    assert_eq!(pasted_paths(&format!("see {}", c.display()), None), None);
    assert_eq!(pasted_paths("hello world", None), None);
    let home = dir.path();
    assert_eq!(pasted_paths("~/c.txt", Some(home)), Some(vec![c]));
}

#[test]
fn only_pastes_shaped_like_paths_are_looked_up() {
    assert!(looks_like_paths("/home/u/a.png"));
    assert!(looks_like_paths("'/home/u/a b.png' ~/c.txt\n./d.md\n"));
    assert!(looks_like_paths("file:///tmp/x.png"));
    assert!(!looks_like_paths("see /home/u/a.png"));
    assert!(!looks_like_paths("hello"));
    assert!(!looks_like_paths("   "));
}

#[test]
fn load_names_a_missing_file() {
    let err = load(
        std::path::Path::new("/nonexistent/x.png"),
        Limits::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot read /nonexistent/x.png:"),
        "{err}"
    );
}

#[test]
fn a_pdf_keeps_its_text_fenced_with_its_name_and_its_data_url() {
    let a = load_bytes("报告.pdf", HELLO_PDF.to_vec(), Limits::default()).unwrap();
    let Body::Pdf(pdf) = &a.body else {
        panic!("{a:?}");
    };
    assert_eq!(
        pdf.text.as_ref().map(|t| &**t).ok(),
        Some("报告.pdf:\n```pdf\nHello from a PDF\n```")
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(HELLO_PDF);
    assert_eq!(&*pdf.data_url, format!("data:application/pdf;base64,{b64}"));
    let blank = load_bytes("scan.pdf", BLANK_PDF.to_vec(), Limits::default()).unwrap();
    let Body::Pdf(pdf) = &blank.body else {
        panic!("{blank:?}");
    };
    assert_eq!(
        pdf.text.as_ref().map_err(|e| &**e),
        Err("has no text ecochat can read (a scan?)")
    );
    // Text over the text cap is no text to send.
    let tight = Limits {
        max_text_bytes: 4,
        ..Limits::default()
    };
    let a = load_bytes("报告.pdf", HELLO_PDF.to_vec(), tight).unwrap();
    assert!(
        matches!(&a.body, Body::Pdf(p) if p.text.as_ref().is_err_and(|e| e.contains("more than 4 B")))
    );
}

#[test]
fn a_pdf_is_a_file_part_or_its_text_inlined_where_files_are_not_read() {
    let pdf = load_bytes("a.pdf", HELLO_PDF.to_vec(), Limits::default()).unwrap();
    let img = Attachment::image_url("https://example.com/c.jpg");
    let wire = wire_message("user", "sum up", &[pdf.clone(), img.clone()]);
    let b64 = base64::engine::general_purpose::STANDARD.encode(HELLO_PDF);
    assert_eq!(
        serde_json::to_value(&wire).unwrap(),
        json!({"role": "user", "content": [
            {"type": "text", "text": "sum up"},
            {"type": "file", "file": {
                "filename": "a.pdf",
                "file_data": format!("data:application/pdf;base64,{b64}"),
            }},
            {"type": "image_url", "image_url": {"url": "https://example.com/c.jpg"}},
        ]})
    );
    let mut wire = vec![wire];
    inline_pdfs(&mut wire);
    assert_eq!(
        serde_json::to_value(&wire[0]).unwrap(),
        json!({"role": "user", "content": [
            {"type": "text", "text": "sum up\n\na.pdf:\n```pdf\nHello from a PDF\n```"},
            {"type": "image_url", "image_url": {"url": "https://example.com/c.jpg"}},
        ]})
    );
    // A PDF alone becomes plain string content; one without text, a placeholder.
    let blank = load_bytes("scan.pdf", BLANK_PDF.to_vec(), Limits::default()).unwrap();
    let mut wire = vec![
        wire_message("user", "q", &[pdf]),
        wire_message("user", "r", &[blank]),
    ];
    inline_pdfs(&mut wire);
    assert_eq!(
        serde_json::to_value(&wire).unwrap(),
        json!([
            {"role": "user", "content": "q\n\na.pdf:\n```pdf\nHello from a PDF\n```"},
            {"role": "user", "content": "r\n[file omitted: scan.pdf]"},
        ])
    );
}

#[test]
fn a_request_shares_the_encoded_image_instead_of_encoding_it_again() {
    let png_bytes = png(&DynamicImage::ImageRgb8(RgbImage::new(2, 2)));
    let img = load_bytes("a.png", png_bytes, Limits::default()).unwrap();
    let Body::Image { data_url, .. } = &img.body else {
        panic!("{img:?}");
    };
    let wire = wire_message("user", "x", std::slice::from_ref(&img));
    let [crate::api::client::Part::Image(sent)] = wire.parts.as_slice() else {
        panic!("{:?}", wire.parts);
    };
    assert!(Arc::ptr_eq(sent, data_url), "the same base64, not a copy");
}
