//! Downloading and decoding media at the edge of the program. The HTTP client here is not the
//! chat client and never carries an Authorization header: the API key must not reach media hosts.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use futures_util::StreamExt;
use image::{DynamicImage, ImageReader, Limits};

use super::{GENERATED_PREFIX, MediaKind, is_web_url, url_hash};
use crate::demo;

/// Downloads for drawing stop past this size.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Saved files may be larger (videos), but not unbounded.
pub const MAX_SAVE_BYTES: usize = 1024 * 1024 * 1024;
/// Longest a download for drawing may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Longest silence while saving a file.
const SAVE_IDLE: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Decoder limits against decompression bombs: a 20 MB file may claim any pixel count.
pub const MAX_DIMENSION: u32 = 8192;
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
/// Decoded images are kept at most this large; a panel never needs more.
pub const KEEP_SIDE: u32 = 2048;

/// Why a file could not be fetched or decoded; the text is shown in the panel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("not downloaded: only http and https links are fetched")]
    NotWeb,
    #[error("HTTP {status} from {host}")]
    Status { status: u16, host: String },
    #[error("larger than {} MB", .limit / (1024 * 1024))]
    TooLarge { limit: usize },
    #[error("timed out after {secs} s")]
    Timeout { secs: u64 },
    #[error("cannot reach {host}: {detail}")]
    Connect { host: String, detail: String },
    #[error("cannot decode the image: {0}")]
    Decode(String),
    #[error("{0}")]
    Io(String),
}

/// A decoded image, shrunk to at most `KEEP_SIDE` pixels a side.
#[derive(Debug, Clone)]
pub struct DecodedImage {
    pub image: DynamicImage,
    /// Size of the original.
    pub width: u32,
    pub height: u32,
    /// `png`, `jpeg`, `webp`, `gif`.
    pub format: String,
    /// Size of the file in bytes.
    pub file_size: usize,
}

/// What a fetch found.
#[derive(Debug, Clone)]
pub enum Fetched {
    Image(DecodedImage),
    /// The server said it is something else (audio, video, a web page).
    NotImage {
        kind: MediaKind,
        content_type: String,
    },
}

/// Downloads with its own client, caches image files by URL hash.
#[derive(Clone)]
pub struct Fetcher {
    http: reqwest::Client,
    cache_dir: Option<PathBuf>,
}

impl Fetcher {
    /// A fetcher caching into `cache_dir` (none: no cache).
    pub fn new(cache_dir: Option<PathBuf>) -> Result<Self, MediaError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("ecochat/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| MediaError::Io(e.to_string()))?;
        Ok(Self { http, cache_dir })
    }

    /// Where the cached copy of `url` lives.
    pub fn cache_path(&self, url: &str) -> Option<PathBuf> {
        self.cache_dir.as_ref().map(|d| d.join(url_hash(url)))
    }

    /// Fetches `url` for drawing: built-in, cached, or downloaded; images are decoded.
    pub async fn fetch(&self, url: &str) -> Result<Fetched, MediaError> {
        let (bytes, content_type) = match self.local_bytes(url).await? {
            Some(bytes) => (bytes, None),
            None => match self.download(url).await? {
                Download::Body(bytes, ct) => (bytes, ct),
                Download::NotImage(kind, ct) => {
                    return Ok(Fetched::NotImage {
                        kind,
                        content_type: ct,
                    });
                }
            },
        };
        let decoded = tokio::task::spawn_blocking({
            let bytes = bytes.clone();
            move || decode(&bytes)
        })
        .await
        .map_err(|e| MediaError::Decode(e.to_string()))?;
        match decoded {
            Ok(image) => {
                if content_type.is_some() {
                    self.store(url, &bytes).await;
                }
                Ok(Fetched::Image(image))
            }
            // A server that did not call it an image may be right.
            Err(_)
                if content_type
                    .as_deref()
                    .is_some_and(|ct| !ct.starts_with("image/")) =>
            {
                Ok(Fetched::NotImage {
                    kind: MediaKind::Other,
                    content_type: content_type.unwrap_or_default(),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The bytes of a built-in URL or of a cached download; `None` when it must be downloaded.
    async fn local_bytes(&self, url: &str) -> Result<Option<Vec<u8>>, MediaError> {
        if url == demo::DEMO_IMAGE_URL {
            return Ok(Some(demo::DEMO_IMAGE_PNG.to_vec()));
        }
        if let Some(payload) = url.strip_prefix("data:") {
            return decode_data_url(payload).map(Some);
        }
        let cached = match self.cache_path(url) {
            Some(path) => tokio::fs::read(path).await.ok(),
            None => None,
        };
        if cached.is_some() {
            return Ok(cached);
        }
        if url.starts_with(GENERATED_PREFIX) {
            return Err(MediaError::Io(
                "the generated image is no longer cached".into(),
            ));
        }
        if !is_web_url(url) {
            return Err(MediaError::NotWeb);
        }
        Ok(None)
    }

    async fn store(&self, url: &str, bytes: &[u8]) {
        let Some(path) = self.cache_path(url) else {
            return;
        };
        if let Some(dir) = path.parent() {
            let _ = tokio::fs::create_dir_all(dir).await;
        }
        // A failed cache write only costs a download next time.
        if let Err(e) = tokio::fs::write(&path, bytes).await {
            tracing::warn!(error = %e, "media cache write failed");
        }
    }

    /// Keeps base64 image bytes from `/image` in the cache and returns the URL that names them.
    pub async fn store_generated(&self, bytes: &[u8]) -> Result<String, MediaError> {
        let ext = image::guess_format(bytes)
            .ok()
            .and_then(|f| f.extensions_str().first().copied())
            .unwrap_or("png");
        let url = format!("{GENERATED_PREFIX}{}.{ext}", super::bytes_hash(bytes));
        if self.cache_dir.is_none() {
            return Err(MediaError::Io(
                "no cache directory for generated images".into(),
            ));
        }
        self.store(&url, bytes).await;
        Ok(url)
    }

    async fn download(&self, url: &str) -> Result<Download, MediaError> {
        let host = super::display_host(url);
        let work = async {
            let resp = self.get(url, &host).await?;
            let ct = header(&resp, reqwest::header::CONTENT_TYPE);
            if let Some(ct) = &ct {
                let kind = MediaKind::from_content_type(ct);
                let readable = kind == MediaKind::Image
                    || ct.starts_with("application/octet-stream")
                    || ct.starts_with("binary/");
                if !readable {
                    return Ok(Download::NotImage(kind, ct.clone()));
                }
            }
            let bytes = read_capped(resp, MAX_BYTES, &host).await?;
            Ok(Download::Body(bytes, ct.or(Some(String::new()))))
        };
        tokio::time::timeout(TIMEOUT, work)
            .await
            .unwrap_or(Err(MediaError::Timeout {
                secs: TIMEOUT.as_secs(),
            }))
    }

    async fn get(&self, url: &str, host: &str) -> Result<reqwest::Response, MediaError> {
        let resp = self.http.get(url).send().await.map_err(|e| {
            if e.is_timeout() {
                MediaError::Timeout {
                    secs: CONNECT_TIMEOUT.as_secs(),
                }
            } else {
                MediaError::Connect {
                    host: host.to_string(),
                    detail: root_cause(&e),
                }
            }
        })?;
        if !resp.status().is_success() {
            return Err(MediaError::Status {
                status: resp.status().as_u16(),
                host: host.to_string(),
            });
        }
        if let Some(len) = resp.content_length()
            && len > MAX_SAVE_BYTES as u64
        {
            return Err(MediaError::TooLarge {
                limit: MAX_SAVE_BYTES,
            });
        }
        Ok(resp)
    }

    /// Saves `url` into `dir` as `name` (or `name-1`...), streaming; returns the path written.
    pub async fn save(&self, url: &str, dir: &Path, name: &str) -> Result<PathBuf, MediaError> {
        if let Some(bytes) = self.local_bytes(url).await? {
            let (dir, name) = (dir.to_path_buf(), name.to_string());
            return tokio::task::spawn_blocking(move || {
                super::save::write_unique(&dir, &name, &bytes)
            })
            .await
            .map_err(|e| MediaError::Io(e.to_string()))?
            .map_err(|e| MediaError::Io(e.to_string()));
        }
        let host = super::display_host(url);
        let resp = tokio::time::timeout(TIMEOUT, self.get(url, &host))
            .await
            .unwrap_or(Err(MediaError::Timeout {
                secs: TIMEOUT.as_secs(),
            }))?;
        // Saved files are streamed into an empty placeholder claimed first, so nothing is replaced.
        let (d, n) = (dir.to_path_buf(), name.to_string());
        let path = tokio::task::spawn_blocking(move || super::save::write_unique(&d, &n, &[]))
            .await
            .map_err(|e| MediaError::Io(e.to_string()))?
            .map_err(|e| MediaError::Io(e.to_string()))?;
        match stream_to(resp, &path, &host).await {
            Ok(()) => Ok(path),
            Err(e) => {
                let _ = tokio::fs::remove_file(&path).await;
                Err(e)
            }
        }
    }

    /// A local file to hand to the system opener for a built-in URL (written on demand).
    pub async fn local_file(&self, url: &str) -> Result<PathBuf, MediaError> {
        let bytes = self
            .local_bytes(url)
            .await?
            .ok_or(MediaError::Io("not a built-in file".into()))?;
        let dir = self
            .cache_dir
            .clone()
            .ok_or(MediaError::Io("no cache directory".into()))?;
        let name = super::save::file_name(url, MediaKind::Image, 0);
        let path = dir.join(format!("open-{name}"));
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| MediaError::Io(e.to_string()))?;
        tokio::fs::write(&path, bytes)
            .await
            .map_err(|e| MediaError::Io(e.to_string()))?;
        Ok(path)
    }
}

enum Download {
    Body(Vec<u8>, Option<String>),
    NotImage(MediaKind, String),
}

fn header(resp: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_ascii_lowercase())
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

async fn read_capped(
    resp: reqwest::Response,
    limit: usize,
    host: &str,
) -> Result<Vec<u8>, MediaError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(MediaError::TooLarge { limit });
    }
    let mut out = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| MediaError::Connect {
            host: host.to_string(),
            detail: root_cause(&e),
        })?;
        if out.len() + chunk.len() > limit {
            return Err(MediaError::TooLarge { limit });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

async fn stream_to(resp: reqwest::Response, path: &Path, host: &str) -> Result<(), MediaError> {
    use tokio::io::AsyncWriteExt;
    let io = |e: std::io::Error| MediaError::Io(e.to_string());
    let mut file = tokio::fs::File::create(path).await.map_err(io)?;
    let mut written = 0usize;
    let mut stream = resp.bytes_stream();
    loop {
        let next = tokio::time::timeout(SAVE_IDLE, stream.next())
            .await
            .map_err(|_| MediaError::Timeout {
                secs: SAVE_IDLE.as_secs(),
            })?;
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|e| MediaError::Connect {
            host: host.to_string(),
            detail: root_cause(&e),
        })?;
        written += chunk.len();
        if written > MAX_SAVE_BYTES {
            return Err(MediaError::TooLarge {
                limit: MAX_SAVE_BYTES,
            });
        }
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    file.sync_all().await.map_err(io)
}

/// The bytes of a `data:` URL (after `data:`); only base64 payloads carry images.
fn decode_data_url(payload: &str) -> Result<Vec<u8>, MediaError> {
    let (meta, data) = payload
        .split_once(',')
        .ok_or_else(|| MediaError::Decode("malformed data URL".into()))?;
    if !meta.ends_with(";base64") {
        return Err(MediaError::Decode("data URL is not base64".into()));
    }
    if data.len() > MAX_BYTES * 4 / 3 + 4 {
        return Err(MediaError::TooLarge { limit: MAX_BYTES });
    }
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| MediaError::Decode(e.to_string()))
}

/// Decodes image bytes under the limits; a GIF gives its first frame. Pure CPU: run it off the
/// async threads.
pub fn decode(bytes: &[u8]) -> Result<DecodedImage, MediaError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| MediaError::Decode(e.to_string()))?;
    let format = reader
        .format()
        .ok_or_else(|| MediaError::Decode("unknown image format".into()))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = reader;
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| MediaError::Decode(e.to_string()))?;
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
        format: format
            .extensions_str()
            .first()
            .copied()
            .unwrap_or("image")
            .to_string(),
        file_size: bytes.len(),
    })
}

#[cfg(test)]
mod tests;
