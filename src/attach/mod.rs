//! Attachments: files and images sent with a prompt. Reading and encoding are blocking CPU and
//! disk work, so the TUI runs `load` on a blocking thread and `update` only sees the result.

pub mod clipboard;
mod complete;
mod parts;
pub mod pdf;
mod picture;
pub mod shrink;
mod text;
pub mod vision;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use complete::complete_path;
pub use parts::{IMAGE_OMITTED, image_refs, inline_pdfs, omit_earlier_images, wire_message};
pub use picture::{MAX_IMAGE_BYTES, prepare_image};
pub use text::{fence_for, fenced, inline_text};

/// Default `attach_max_side`: images larger than this on their long side are scaled down.
pub const DEFAULT_MAX_SIDE: u32 = 2048;
/// Default `attach_max_text_kb`: the largest text file inlined into a prompt.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 1024 * 1024;
/// No file larger than this is read at all (a raw PNG photo may be large; nothing needs more).
pub const MAX_READ_BYTES: u64 = 100 * 1024 * 1024;

/// Limits that apply while preparing attachments (from the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Long side an image is scaled down to, in pixels.
    pub max_side: u32,
    /// Largest text file inlined, in bytes.
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_side: DEFAULT_MAX_SIDE,
            max_text_bytes: DEFAULT_MAX_TEXT_BYTES,
        }
    }
}

/// What an attachment carries. The base64 of images and PDFs is encoded once, when the file
/// is attached or read back from the store (at the edge): a request shares it.
#[derive(Clone, PartialEq, Eq)]
pub enum Body {
    /// An image ready to send: png, jpeg, webp or gif bytes.
    Image {
        mime: &'static str,
        bytes: Arc<[u8]>,
        width: u32,
        height: u32,
        /// `data:<mime>;base64,…` of `bytes`.
        data_url: Arc<str>,
    },
    /// A UTF-8 text file, inlined into the text part.
    Text(Arc<str>),
    /// A PDF: a `file` part for models that read files, its text for the others.
    Pdf(Pdf),
    /// An image on the web, sent as its URL.
    ImageUrl(String),
}

/// A PDF as attached.
#[derive(Clone, PartialEq, Eq)]
pub struct Pdf {
    pub bytes: Arc<[u8]>,
    /// `data:application/pdf;base64,…` of `bytes`.
    pub data_url: Arc<str>,
    /// Its name and text fenced as a text file is inlined, or why it has none.
    pub text: Result<Arc<str>, Arc<str>>,
}

/// `data:<mime>;base64,…` of `bytes`.
fn data_url(mime: &str, bytes: &[u8]) -> Arc<str> {
    use base64::Engine;
    let mut url = format!("data:{mime};base64,");
    base64::engine::general_purpose::STANDARD.encode_string(bytes, &mut url);
    url.into()
}

impl Body {
    /// An image with its data URL encoded (blocking CPU work for a large picture).
    pub fn image(mime: &'static str, bytes: Arc<[u8]>, width: u32, height: u32) -> Self {
        Body::Image {
            mime,
            data_url: data_url(mime, &bytes),
            bytes,
            width,
            height,
        }
    }

    /// A PDF named `name`, its text read (in a child process from the ecochat binary, up to
    /// `max_text` bytes) and its data URL encoded. Blocking: run it off the async threads.
    pub fn pdf(name: &str, bytes: Arc<[u8]>, max_text: usize) -> Self {
        let text = match pdf::read_text(&bytes, max_text) {
            Ok(text) => Ok(fenced(name, &text).into()),
            Err(e) => Err(e.to_string().into()),
        };
        Body::Pdf(Pdf {
            data_url: data_url("application/pdf", &bytes),
            bytes,
            text,
        })
    }
}

/// One file or image attached to a prompt.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name shown in chips and sent with text and PDF files.
    pub name: String,
    pub body: Body,
}

impl std::fmt::Debug for Attachment {
    // The bytes would flood a log line or a failed assertion.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Attachment({:?}, {:?})", self.name, self.body)
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Image {
                mime,
                bytes,
                width,
                height,
                ..
            } => write!(f, "Image({mime}, {} bytes, {width}x{height})", bytes.len()),
            Body::Text(t) => write!(f, "Text({} bytes)", t.len()),
            Body::Pdf(p) => write!(
                f,
                "Pdf({} bytes, text {})",
                p.bytes.len(),
                match &p.text {
                    Ok(t) => format!("{} bytes", t.len()),
                    Err(why) => format!("none: {why}"),
                }
            ),
            Body::ImageUrl(u) => write!(f, "ImageUrl({u:?})"),
        }
    }
}

impl Attachment {
    /// True for an image (bytes or URL).
    pub fn is_image(&self) -> bool {
        matches!(self.body, Body::Image { .. } | Body::ImageUrl(_))
    }

    /// Bytes it adds to a request before base64 (0 for a URL).
    pub fn size(&self) -> usize {
        match &self.body {
            Body::Image { bytes, .. } | Body::Pdf(Pdf { bytes, .. }) => bytes.len(),
            Body::Text(t) => t.len(),
            Body::ImageUrl(_) => 0,
        }
    }

    /// Size and, for images, dimensions: `1.2 MB, 2048x1536`.
    pub fn describe(&self) -> String {
        match &self.body {
            Body::Image { width, height, .. } => {
                format!("{}, {width}x{height}", human_size(self.size()))
            }
            // Said on the chip, so "no text" is known before Enter refuses it.
            Body::Pdf(Pdf { text: Err(_), .. }) => format!("{}, no text", human_size(self.size())),
            Body::Text(_) | Body::Pdf(_) => human_size(self.size()),
            Body::ImageUrl(_) => "link".into(),
        }
    }

    /// A short tag for chips and the conversation (ASCII: emoji widths differ by terminal).
    pub fn tag(&self) -> &'static str {
        match self.body {
            Body::Image { .. } => "img",
            Body::ImageUrl(_) => "url",
            Body::Text(_) => "txt",
            Body::Pdf(_) => "pdf",
        }
    }

    /// An image on the web, sent by URL (pipe mode's `-a https://…`).
    pub fn image_url(url: &str) -> Self {
        let name = url
            .rsplit('/')
            .find(|s| !s.is_empty())
            .unwrap_or(url)
            .to_string();
        Self {
            name,
            body: Body::ImageUrl(url.to_string()),
        }
    }
}

/// `812 B`, `14.2 KB`, `3.4 MB`.
pub fn human_size(bytes: usize) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// Why a path cannot be attached; the text names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachError {
    #[error("cannot read {path}: {detail}")]
    Unreadable { path: String, detail: String },
    #[error("{path} is not a file")]
    NotAFile { path: String },
    #[error("{path} is {size}, more than the {limit} an attachment may be")]
    TooLarge {
        path: String,
        size: String,
        limit: String,
    },
    #[error("{path} is a binary file ecochat cannot send (attach images, text files or PDFs)")]
    Binary { path: String },
    #[error("{path}: {detail}")]
    Image { path: String, detail: String },
}

/// True for an argument that names an image on the web rather than a file.
pub fn is_url(arg: &str) -> bool {
    arg.starts_with("https://") || arg.starts_with("http://")
}

/// `~` and `~/…` made absolute with `home`; other paths as given.
pub fn expand_tilde(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(""), Some(home)) => home.to_path_buf(),
        (Some(rest), Some(home)) if rest.starts_with('/') => home.join(&rest[1..]),
        _ => PathBuf::from(path),
    }
}

/// Reads and prepares the file at `path`: blocking; run it off the async threads.
pub fn load(path: &Path, limits: Limits) -> Result<Attachment, AttachError> {
    let shown = path.display().to_string();
    let unreadable = |e: std::io::Error| AttachError::Unreadable {
        path: shown.clone(),
        detail: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(AttachError::NotAFile { path: shown });
    }
    if meta.len() > MAX_READ_BYTES {
        return Err(AttachError::TooLarge {
            path: shown,
            size: human_size(usize::try_from(meta.len()).unwrap_or(usize::MAX)),
            limit: human_size(MAX_READ_BYTES as usize),
        });
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    classify(&shown, name, bytes, limits)
}

/// Turns the bytes of a file into an attachment: an image by its magic bytes, a PDF, UTF-8
/// text, or a refusal naming `path`.
pub fn classify(
    path: &str,
    name: String,
    bytes: Vec<u8>,
    limits: Limits,
) -> Result<Attachment, AttachError> {
    if let Some(format) = picture::sniff(&bytes) {
        let body = prepare_image(&bytes, format, limits.max_side).map_err(|detail| {
            AttachError::Image {
                path: path.to_string(),
                detail,
            }
        })?;
        return Ok(Attachment { name, body });
    }
    if bytes.starts_with(b"%PDF-") {
        let body = Body::pdf(&name, bytes.into(), limits.max_text_bytes);
        return Ok(Attachment { name, body });
    }
    // NUL never appears in text people write, and UTF-16 files are full of it.
    if bytes.contains(&0) {
        return Err(AttachError::Binary {
            path: path.to_string(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| AttachError::Binary {
        path: path.to_string(),
    })?;
    if text.len() > limits.max_text_bytes {
        return Err(AttachError::TooLarge {
            path: path.to_string(),
            size: human_size(text.len()),
            limit: human_size(limits.max_text_bytes),
        });
    }
    Ok(Attachment {
        name,
        body: Body::Text(text.into()),
    })
}

/// True when a paste has the shape of dropped files: every line one or more shell words that
/// each start like a path (`/`, `~/`, `./`, `../`, `file://`). Pure: whether they exist is
/// for `pasted_paths`, off the event loop.
pub fn looks_like_paths(text: &str) -> bool {
    let starts_like_path = |w: &str| {
        ["/", "~/", "./", "../", "file://"]
            .iter()
            .any(|p| w.starts_with(p))
    };
    let text = text.trim();
    !text.is_empty()
        && text.len() <= 16 * 1024
        && text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .all(|line| {
                starts_like_path(line)
                    || shell_words(line)
                        .is_some_and(|w| !w.is_empty() && w.iter().all(|w| starts_like_path(w)))
            })
}

/// The paths in a paste, when it is nothing but paths of existing files (one a line, or
/// shell-quoted and separated by spaces as terminals write a drag-and-drop); else `None`.
/// It reads file metadata: the edge calls it, never `update`.
pub fn pasted_paths(text: &str, home: Option<&Path>) -> Option<Vec<PathBuf>> {
    let text = text.trim();
    if text.is_empty() || text.len() > 16 * 1024 {
        return None;
    }
    let mut paths = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let words = shell_words(line)?;
        // A single unquoted path with spaces in it is one path, not several.
        let candidates = if words.len() > 1 && expand_tilde(line, home).is_file() {
            vec![line.to_string()]
        } else {
            words
        };
        for word in candidates {
            let word = word.strip_prefix("file://").unwrap_or(&word).to_string();
            let path = expand_tilde(&word, home);
            if !path.is_file() {
                return None;
            }
            paths.push(path);
        }
    }
    (!paths.is_empty()).then_some(paths)
}

/// Splits a line the way a shell would for quotes and backslashes; `None` for unbalanced quotes.
pub fn shell_words(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => word.push(chars.next()?),
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next()?);
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

#[cfg(test)]
mod tests;
