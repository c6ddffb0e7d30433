//! Images as sent: decoded under the media panel's limits, turned upright, scaled down to the
//! configured long side and written as JPEG (photos) or PNG (transparency).

use std::io::Cursor;
use std::sync::Arc;

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use super::Body;
use crate::media::fetch::decode_full;

/// Largest image sent, after encoding (OpenAI's per-image limit; relays' downloads cap at 20 MB).
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;
/// JPEG quality for re-encoded photos: no visible loss, a third of quality 100's size.
const JPEG_QUALITY: u8 = 85;

/// The image format of `bytes` by its magic bytes, when it is one that can be sent.
pub(super) fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    match image::guess_format(bytes).ok()? {
        f @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif) => {
            Some(f)
        }
        _ => None,
    }
}

fn mime(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "image/png",
        ImageFormat::WebP => "image/webp",
        ImageFormat::Gif => "image/gif",
        _ => "image/jpeg",
    }
}

/// The EXIF orientation of an image (upright when it has none or it cannot be read), and
/// whether it carries EXIF at all.
fn exif(bytes: &[u8]) -> (Orientation, bool) {
    let Some(mut decoder) = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_decoder().ok())
    else {
        return (Orientation::NoTransforms, false);
    };
    let has = decoder.exif_metadata().ok().flatten().is_some();
    let turn = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    (turn, has)
}

/// The image ready to send: the file as it is when it carries no EXIF, is small enough and
/// within `MAX_IMAGE_BYTES`; else decoded, turned, scaled and encoded anew. A phone photo's
/// EXIF holds where it was taken: it never leaves the machine.
pub fn prepare_image(bytes: &[u8], format: ImageFormat, max_side: u32) -> Result<Body, String> {
    let (mut picture, _) = decode_full(bytes).map_err(|e| e.to_string())?;
    let (turn, has_exif) = exif(bytes);
    let (width, height) = (picture.width(), picture.height());
    if !has_exif && width.max(height) <= max_side && bytes.len() <= MAX_IMAGE_BYTES {
        return Ok(Body::image(mime(format), Arc::from(bytes), width, height));
    }
    picture.apply_orientation(turn);
    let picture = scale_down(picture, max_side);
    let encoded = encode(&picture)?;
    if encoded.1.len() > MAX_IMAGE_BYTES {
        return Err(format!(
            "still {} after scaling down, more than the {} an image may be",
            super::human_size(encoded.1.len()),
            super::human_size(MAX_IMAGE_BYTES)
        ));
    }
    Ok(Body::image(
        encoded.0,
        encoded.1.into(),
        picture.width(),
        picture.height(),
    ))
}

/// `picture` with its long side at most `max_side`, aspect ratio kept.
pub(super) fn scale_down(picture: DynamicImage, max_side: u32) -> DynamicImage {
    let (w, h) = (picture.width(), picture.height());
    let long = w.max(h);
    if long <= max_side {
        return picture;
    }
    let scale = f64::from(max_side) / f64::from(long);
    let nw = ((f64::from(w) * scale).round() as u32).clamp(1, max_side);
    let nh = ((f64::from(h) * scale).round() as u32).clamp(1, max_side);
    // Area averaging (see `shrink`), on RGB or RGBA bytes.
    if picture.color().has_alpha() {
        let rgba = picture.into_rgba8();
        let out = super::shrink::shrink(rgba.as_raw(), w, h, 4, nw, nh);
        image::RgbaImage::from_raw(nw, nh, out)
            .map_or_else(|| DynamicImage::new_rgba8(nw, nh), DynamicImage::ImageRgba8)
    } else {
        let rgb = picture.into_rgb8();
        let out = super::shrink::shrink(rgb.as_raw(), w, h, 3, nw, nh);
        image::RgbImage::from_raw(nw, nh, out)
            .map_or_else(|| DynamicImage::new_rgb8(nw, nh), DynamicImage::ImageRgb8)
    }
}

/// True when some pixel is not fully opaque.
fn has_transparency(picture: &DynamicImage) -> bool {
    picture.color().has_alpha() && picture.to_rgba8().pixels().any(|p| p.0[3] < u8::MAX)
}

/// PNG when the picture has transparency (JPEG has none), else JPEG.
fn encode(picture: &DynamicImage) -> Result<(&'static str, Vec<u8>), String> {
    let mut out = Cursor::new(Vec::new());
    if has_transparency(picture) {
        picture
            .write_to(&mut out, ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        return Ok(("image/png", out.into_inner()));
    }
    let rgb = picture.to_rgb8();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| e.to_string())?;
    Ok(("image/jpeg", out.into_inner()))
}
