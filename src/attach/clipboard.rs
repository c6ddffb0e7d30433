//! Alt+V: the image on the graphical clipboard, attached like a file. X11 and Wayland are
//! spoken in pure Rust (arboard over x11rb and wl-clipboard-rs); with no display there is no
//! clipboard to read, which is a notice, never a failure. Blocking: the edge runs it.

use std::io::Cursor;

use super::{Attachment, Limits};
use crate::media::fetch::{MAX_DIMENSION, MAX_PIXELS};

/// The name a pasted image goes by in chips, the conversation and the store.
pub const PASTED_NAME: &str = "clipboard.png";

/// What Alt+V says where no graphical session runs (ssh, a console, a container).
pub const NO_DISPLAY: &str =
    "no graphical clipboard here (no display): /attach the image file instead";

/// True when a graphical session is there to hold a clipboard: X11 or Wayland on Linux and
/// the BSDs (macOS and Windows always have one).
pub fn display_present() -> bool {
    if cfg!(all(unix, not(target_os = "macos"))) {
        std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
            || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
    } else {
        true
    }
}

/// The clipboard's image, prepared like an attached file, or why there is none.
/// `display`: `display_present()`, asked by the caller (without one, X11 would be tried and
/// time out).
pub fn image(display: bool, limits: Limits) -> Result<Attachment, String> {
    if !display {
        return Err(NO_DISPLAY.into());
    }
    let picture = arboard::Clipboard::new()
        .and_then(|mut c| c.get_image())
        .map_err(|e| explain(&e))?;
    from_rgba(picture.width, picture.height, &picture.bytes, limits)
}

/// What the user is told instead of the clipboard's error.
fn explain(e: &arboard::Error) -> String {
    match e {
        arboard::Error::ContentNotAvailable => {
            "the clipboard holds no image (copy one, or /attach a file)".into()
        }
        arboard::Error::ClipboardNotSupported => NO_DISPLAY.into(),
        other => format!(
            "cannot read the clipboard ({}): /attach the image file instead",
            crate::sanitize::sanitize(&other.to_string())
        ),
    }
}

/// RGBA pixels as a PNG attachment, under the media panel's decoding limits (a clipboard can
/// hold anything a program put there).
pub fn from_rgba(
    width: usize,
    height: usize,
    rgba: &[u8],
    limits: Limits,
) -> Result<Attachment, String> {
    let too_big = || format!("the clipboard's image is {width}x{height}, too large to attach");
    let (w, h) = (
        u32::try_from(width).map_err(|_| too_big())?,
        u32::try_from(height).map_err(|_| too_big())?,
    );
    if w.max(h) > MAX_DIMENSION || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(too_big());
    }
    let picture = image::RgbaImage::from_raw(w, h, rgba.to_vec())
        .ok_or("the clipboard's image is not whole (fewer pixels than its size)")?;
    let mut png = Cursor::new(Vec::new());
    picture
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode the clipboard's image: {e}"))?;
    super::classify(PASTED_NAME, PASTED_NAME.into(), png.into_inner(), limits)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attach::Body;

    #[test]
    fn clipboard_pixels_become_a_png_attachment_scaled_like_a_file() {
        let rgba: Vec<u8> = [10, 200, 30, 255].repeat(3000 * 1000);
        let a = from_rgba(3000, 1000, &rgba, Limits::default()).unwrap();
        assert_eq!(a.name, "clipboard.png");
        let Body::Image { width, height, .. } = a.body else {
            panic!("{a:?}");
        };
        assert_eq!((width, height), (2048, 683));
    }

    #[test]
    fn a_short_or_huge_clipboard_image_is_refused() {
        let short = from_rgba(4, 4, &[0; 10], Limits::default());
        assert!(short.is_err_and(|e| e.contains("not whole")));
        let huge = from_rgba(100_000, 100_000, &[], Limits::default());
        assert!(huge.is_err_and(|e| e.contains("100000x100000, too large")));
    }

    #[test]
    fn no_display_or_no_image_is_said_plainly() {
        assert_eq!(image(false, Limits::default()).unwrap_err(), NO_DISPLAY);
        assert_eq!(
            explain(&arboard::Error::ClipboardNotSupported),
            "no graphical clipboard here (no display): /attach the image file instead"
        );
        assert_eq!(
            explain(&arboard::Error::ContentNotAvailable),
            "the clipboard holds no image (copy one, or /attach a file)"
        );
    }
}
