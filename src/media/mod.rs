//! Media links in replies: finding them (pure), fetching and decoding images,
//! the terminal image protocol, and where files go when saved.

pub mod extract;
pub mod fetch;
pub mod opener;
pub mod protocol;
pub mod save;

pub use extract::{MediaLink, extract_links};
pub use protocol::ImageProtocol;

/// What a link points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    Audio,
    Video,
    /// A web page or a file of unknown type.
    Other,
}

impl MediaKind {
    /// Short name shown in the panel.
    pub fn label(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
            MediaKind::Other => "link",
        }
    }

    /// True for the kinds that make the panel open by itself.
    pub fn is_media(self) -> bool {
        self != MediaKind::Other
    }

    /// The kind a `Content-Type` value names (`image/webp; charset=...` -> image).
    pub fn from_content_type(content_type: &str) -> MediaKind {
        let ct = content_type.trim().to_ascii_lowercase();
        if ct.starts_with("image/") {
            MediaKind::Image
        } else if ct.starts_with("audio/") {
            MediaKind::Audio
        } else if ct.starts_with("video/") {
            MediaKind::Video
        } else {
            MediaKind::Other
        }
    }

    /// The kind a file extension names (lower case, without the dot).
    pub fn from_extension(ext: &str) -> Option<MediaKind> {
        match ext {
            "png" | "jpg" | "jpeg" | "webp" | "gif" | "bmp" | "avif" | "svg" | "heic" => {
                Some(MediaKind::Image)
            }
            "mp3" | "wav" | "m4a" | "flac" | "ogg" | "oga" | "aac" | "opus" => {
                Some(MediaKind::Audio)
            }
            "mp4" | "webm" | "mov" | "m4v" | "mkv" | "avi" => Some(MediaKind::Video),
            _ => None,
        }
    }
}

/// URL of an image that `/image` received as base64: its bytes live only in the media cache.
pub const GENERATED_PREFIX: &str = "ecochat://generated/";

/// True for URLs ecochat may download or hand to the system opener.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// True for the links ecochat serves itself (the demo image, generated images, data URLs).
pub fn is_builtin_url(url: &str) -> bool {
    url == crate::demo::DEMO_IMAGE_URL
        || url.starts_with(GENERATED_PREFIX)
        || url.starts_with("data:")
}

/// The host of a URL for display, or its scheme when it has none (`data`, `ecochat`).
pub fn display_host(url: &str) -> String {
    if url.starts_with("data:") {
        return "inline data".into();
    }
    if url == crate::demo::DEMO_IMAGE_URL {
        return "built-in demo".into();
    }
    if url.starts_with(GENERATED_PREFIX) {
        return "generated".into();
    }
    match reqwest::Url::parse(url) {
        Ok(u) => u
            .host_str()
            .map(str::to_string)
            .unwrap_or_else(|| u.scheme().to_string()),
        Err(_) => "?".into(),
    }
}

/// A stable 128-bit FNV-1a hash as 32 hex digits: cache file names must survive Rust upgrades,
/// which `DefaultHasher` does not promise.
pub fn url_hash(url: &str) -> String {
    bytes_hash(url.as_bytes())
}

/// `url_hash` over any bytes.
pub fn bytes_hash(bytes: &[u8]) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h = OFFSET;
    for b in bytes {
        h ^= u128::from(*b);
        h = h.wrapping_mul(PRIME);
    }
    format!("{h:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_extensions_classify() {
        assert_eq!(
            MediaKind::from_content_type("image/webp; q=1"),
            MediaKind::Image
        );
        assert_eq!(MediaKind::from_content_type("Audio/MPEG"), MediaKind::Audio);
        assert_eq!(MediaKind::from_content_type("video/mp4"), MediaKind::Video);
        assert_eq!(MediaKind::from_content_type("text/html"), MediaKind::Other);
        assert_eq!(MediaKind::from_extension("mp3"), Some(MediaKind::Audio));
        assert_eq!(MediaKind::from_extension("html"), None);
    }

    #[test]
    fn url_hash_is_stable_and_distinct() {
        assert_eq!(url_hash(""), "6c62272e07bb014262b821756295c58d");
        assert_ne!(url_hash("https://a/1.png"), url_hash("https://a/2.png"));
        assert_eq!(url_hash("x").len(), 32);
    }

    #[test]
    fn hosts_for_display() {
        assert_eq!(
            display_host("https://filesystem.site/cdn/a.png"),
            "filesystem.site"
        );
        assert_eq!(display_host(crate::demo::DEMO_IMAGE_URL), "built-in demo");
        assert_eq!(display_host("data:image/png;base64,AAAA"), "inline data");
        assert!(is_web_url("HTTPS://x.y/"));
        assert!(!is_web_url("ftp://x.y/"));
    }
}
