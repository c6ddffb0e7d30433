//! Decoding images under limits. A small file can claim a huge picture (an 8192x8192 PNG is
//! 196 KB on the wire and 200 MB decoded), so the size is read from the header first and
//! pictures over a pixel budget are refused; a `Decoder` runs decodes one at a time.

use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use tokio::sync::Semaphore;

use super::{DecodedImage, MediaError};

/// Decoder limits against decompression bombs: a 20 MB file may claim any pixel count.
pub const MAX_DIMENSION: u32 = 8192;
/// Largest picture decoded, in pixels (40 megapixels: 160 MB as RGBA).
pub const MAX_PIXELS: u64 = 40_000_000;
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
/// Decoded images are kept at most this large; a panel never needs more.
pub const KEEP_SIDE: u32 = 2048;

/// Runs decodes one at a time for everyone holding a clone: each may briefly hold `MAX_PIXELS`
/// of pixels. The runtime makes one (inside its `Fetcher`); tests make their own.
#[derive(Debug, Clone)]
pub struct Decoder {
    gate: Arc<Semaphore>,
    /// Decodes running now and the most there ever were at once (the gate's test reads it).
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl Default for Decoder {
    fn default() -> Self {
        Self {
            gate: Arc::new(Semaphore::new(1)),
            running: Arc::default(),
            peak: Arc::default(),
        }
    }
}

impl Decoder {
    /// Decodes `bytes` off the async threads, waiting for the decodes before it first.
    pub async fn decode(&self, bytes: Vec<u8>) -> Result<DecodedImage, MediaError> {
        let _permit = self
            .gate
            .acquire()
            .await
            .map_err(|e| MediaError::Decode(e.to_string()))?;
        let (running, peak) = (self.running.clone(), self.peak.clone());
        tokio::task::spawn_blocking(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let result = decode(&bytes);
            running.fetch_sub(1, Ordering::SeqCst);
            result
        })
        .await
        .map_err(|e| MediaError::Decode(e.to_string()))?
    }

    /// The most decodes that ever ran at once through this decoder and its clones.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// Decodes image bytes under the limits; a GIF gives its first frame. Pure CPU: run it off the
/// async threads.
pub fn decode(bytes: &[u8]) -> Result<DecodedImage, MediaError> {
    let (image, format) = decode_full(bytes)?;
    let (width, height) = (image.width(), image.height());
    let image = if width > KEEP_SIDE || height > KEEP_SIDE {
        image.thumbnail(KEEP_SIDE, KEEP_SIDE)
    } else {
        image
    };
    Ok(DecodedImage {
        image,
        width,
        height,
        format: extension(format).to_string(),
        file_size: bytes.len(),
    })
}

/// The usual file extension of `format`.
pub fn extension(format: ImageFormat) -> &'static str {
    format.extensions_str().first().copied().unwrap_or("image")
}

/// The whole picture and its format, refused before any pixel is allocated when its header
/// claims more than `MAX_PIXELS`.
pub fn decode_full(bytes: &[u8]) -> Result<(DynamicImage, ImageFormat), MediaError> {
    let reader = || {
        let mut reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| MediaError::Decode(e.to_string()))?;
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_DIMENSION);
        limits.max_image_height = Some(MAX_DIMENSION);
        limits.max_alloc = Some(MAX_ALLOC);
        reader.limits(limits);
        Ok::<_, MediaError>(reader)
    };
    let format = reader()?
        .format()
        .ok_or_else(|| MediaError::Decode("unknown image format".into()))?;
    let (width, height) = reader()?
        .into_dimensions()
        .map_err(|e| MediaError::Decode(e.to_string()))?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(MediaError::Decode(format!(
            "{width}x{height} is more than {} megapixels",
            MAX_PIXELS / 1_000_000
        )));
    }
    let image = reader()?
        .decode()
        .map_err(|e| MediaError::Decode(e.to_string()))?;
    Ok((image, format))
}

/// The image in `bytes` written anew in its own format (PNG when ecochat cannot write that
/// one), with the extension that names it: only pixels survive, never a payload riding along.
pub fn reencode(bytes: &[u8]) -> Result<(Vec<u8>, &'static str), MediaError> {
    let (image, format) = decode_full(bytes)?;
    let write = |format: ImageFormat| {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).map(|()| out.into_inner())
    };
    match write(format) {
        Ok(out) => Ok((out, extension(format))),
        Err(_) => write(ImageFormat::Png)
            .map(|out| (out, "png"))
            .map_err(|e| MediaError::Decode(e.to_string())),
    }
}
