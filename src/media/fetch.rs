//! Downloading and decoding media at the edge of the program. The HTTP clients here are not the
//! chat client: a request carries the API key only when the runtime passes one, which it does
//! only for a link on the provider's own origin (the relay's `/v1/videos/{id}/content`); no
//! other host ever sees it.
//! Fetches for drawing go through `guard`: no local or private address unless allowed.

mod cache;
mod decode;
pub mod guard;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use futures_util::StreamExt;
use image::DynamicImage;

use super::{GENERATED_PREFIX, MediaKind, is_web_url, url_hash};
use crate::api::tls::SharedTls;
use crate::demo;
pub use cache::DEFAULT_MAX_BYTES as DEFAULT_CACHE_MAX_BYTES;
pub use decode::{Decoder, KEEP_SIDE, MAX_DIMENSION, MAX_PIXELS, decode, decode_full, reencode};
use guard::{GuardedResolver, HostPolicy};

/// Downloads for drawing stop past this size.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Saved files may be larger (videos), but not unbounded.
pub const MAX_SAVE_BYTES: usize = 1024 * 1024 * 1024;
/// Longest a download for drawing may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Longest silence while saving a file.
const SAVE_IDLE: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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
    #[error(transparent)]
    Refused(#[from] guard::Refused),
    #[error("not a media file ({0}): o opens it, y copies the link")]
    NotMedia(String),
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

/// Downloads with its own clients, caches image files by URL hash.
#[derive(Clone)]
pub struct Fetcher {
    /// Clients, one per local host they may reach besides public hosts and the allowed ones:
    /// the provider's for drawing, the link's own for a save the user asked for.
    guarded: Arc<Mutex<HashMap<Option<String>, reqwest::Client>>>,
    /// `media_allow_hosts`.
    allow_hosts: Vec<String>,
    cache_dir: Option<PathBuf>,
    cache_max_bytes: u64,
    /// Shared by the clones, so decodes stay one at a time across every fetch.
    decoder: Decoder,
    /// The TLS setup of the process's other clients (the roots are read once).
    tls: SharedTls,
}

/// A media client. It never asks for compressed bodies and does not decompress them, so the
/// byte caps count what comes off the wire and a compression bomb cannot grow past them.
fn client(policy: Arc<HostPolicy>, tls: &SharedTls) -> Result<reqwest::Client, MediaError> {
    let on_redirect = policy.clone();
    tls.apply(reqwest::Client::builder())
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("ecochat/", env!("CARGO_PKG_VERSION")))
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .no_zstd()
        .dns_resolver(GuardedResolver { policy })
        // A public host may redirect to `http://192.168.1.1/...`: refused the same way.
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 5 {
                return attempt.error("too many redirects");
            }
            match on_redirect.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(e) => attempt.error(e),
            }
        }))
        .build()
        .map_err(|e| MediaError::Io(e.to_string()))
}

impl Fetcher {
    /// A fetcher caching into `cache_dir` (none: no cache), with the default cache cap and no
    /// private host allowed.
    pub fn new(cache_dir: Option<PathBuf>) -> Result<Self, MediaError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Ok(Self {
            guarded: Arc::default(),
            allow_hosts: Vec::new(),
            cache_dir,
            cache_max_bytes: cache::DEFAULT_MAX_BYTES,
            decoder: Decoder::default(),
            tls: SharedTls::default(),
        })
    }

    /// Decodes through `decoder` (and whatever else shares it) instead of a decoder of its own.
    pub fn with_decoder(mut self, decoder: Decoder) -> Self {
        self.decoder = decoder;
        self
    }

    /// Builds its clients on `tls`, shared with the rest of the process.
    pub fn with_tls(mut self, tls: SharedTls) -> Self {
        self.tls = tls;
        self
    }

    /// Hosts (names or addresses) that fetches for drawing may reach though they are private.
    pub fn with_allowed_hosts(mut self, hosts: Vec<String>) -> Self {
        self.allow_hosts = hosts;
        self
    }

    /// The most the media cache may hold; older files go first.
    pub fn with_cache_max_bytes(mut self, max: u64) -> Self {
        self.cache_max_bytes = max;
        self
    }

    /// The client that may reach `local_host` (and the allowed hosts) besides public hosts.
    fn guarded(&self, local_host: Option<&str>) -> Result<reqwest::Client, MediaError> {
        let key = local_host.map(str::to_string);
        let mut clients = self
            .guarded
            .lock()
            .map_err(|_| MediaError::Io("media client lock poisoned".into()))?;
        if let Some(c) = clients.get(&key) {
            return Ok(c.clone());
        }
        let hosts = self.allow_hosts.iter().map(String::as_str);
        let policy = HostPolicy::new(hosts.chain(local_host));
        let c = client(Arc::new(policy), &self.tls)?;
        clients.insert(key, c.clone());
        Ok(c)
    }

    /// Where the cached copy of `url` lives.
    pub fn cache_path(&self, url: &str) -> Option<PathBuf> {
        self.cache_dir.as_ref().map(|d| d.join(url_hash(url)))
    }

    /// Fetches `url` for drawing: built-in, cached, or downloaded; images are decoded.
    /// `provider_host`: the host of the provider's `base_url`, which may be a local one.
    pub async fn fetch(
        &self,
        url: &str,
        provider_host: Option<&str>,
    ) -> Result<Fetched, MediaError> {
        self.fetch_keyed(url, provider_host, None).await
    }

    /// `fetch`, sending `key` as the bearer token: the caller passes one only for a link on
    /// the provider's own origin.
    pub async fn fetch_keyed(
        &self,
        url: &str,
        provider_host: Option<&str>,
        key: Option<&str>,
    ) -> Result<Fetched, MediaError> {
        let (bytes, content_type) = match self.local_bytes(url).await? {
            Some(bytes) => (bytes, None),
            None => match self.download(url, provider_host, key).await? {
                Download::Body(bytes, ct) => (bytes, ct),
                Download::NotImage(kind, ct) => {
                    return Ok(Fetched::NotImage {
                        kind,
                        content_type: ct,
                    });
                }
            },
        };
        let downloaded = content_type.is_some();
        let (decoded, bytes) = if downloaded {
            // The bytes are needed again for the cache.
            (self.decoder.decode(bytes.clone()).await, Some(bytes))
        } else {
            (self.decoder.decode(bytes).await, None)
        };
        match decoded {
            Ok(image) => {
                if let Some(bytes) = bytes {
                    self.store(url, bytes).await;
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
            Some(path) => match tokio::fs::read(&path).await {
                Ok(bytes) => {
                    let _ = tokio::task::spawn_blocking(move || cache::touch(&path)).await;
                    Some(bytes)
                }
                Err(_) => None,
            },
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

    /// Keeps `bytes` as the cached copy of `url` (0600 in a 0700 directory) and trims the
    /// cache to its cap. A failed cache write only costs a download next time.
    async fn store(&self, url: &str, bytes: Vec<u8>) {
        let Some(path) = self.cache_path(url) else {
            return;
        };
        let max = self.cache_max_bytes;
        let result = tokio::task::spawn_blocking(move || {
            cache::write_private(&path, &bytes)?;
            match path.parent() {
                Some(dir) => cache::prune(dir, max, &path).map(|_| ()),
                None => Ok(()),
            }
        })
        .await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "media cache write failed"),
            Err(e) => tracing::warn!(error = %e, "media cache write failed"),
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
        self.store(&url, bytes.to_vec()).await;
        Ok(url)
    }

    async fn download(
        &self,
        url: &str,
        provider_host: Option<&str>,
        key: Option<&str>,
    ) -> Result<Download, MediaError> {
        let host = super::display_host(url);
        let http = self.guarded(provider_host)?;
        let parsed = reqwest::Url::parse(url).map_err(|_| MediaError::NotWeb)?;
        HostPolicy::new(
            self.allow_hosts
                .iter()
                .map(String::as_str)
                .chain(provider_host),
        )
        .check_url(&parsed)?;
        let work = async {
            let resp = get(&http, url, &host, key).await?;
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

    /// Saves `url` into `dir` as `name` (or `name-1`...), streaming; returns the path written.
    /// Only media is saved: a `data:` URL must hold an image (written anew in its own format),
    /// and a link of unknown kind is asked for its type with a HEAD first.
    pub async fn save(
        &self,
        url: &str,
        kind: MediaKind,
        dir: &Path,
        name: &str,
    ) -> Result<PathBuf, MediaError> {
        self.save_keyed(url, kind, dir, name, None).await
    }

    /// `save`, sending `key` as the bearer token (only ever the provider's, for its origin).
    pub async fn save_keyed(
        &self,
        url: &str,
        kind: MediaKind,
        dir: &Path,
        name: &str,
        key: Option<&str>,
    ) -> Result<PathBuf, MediaError> {
        if let Some(bytes) = self.local_bytes(url).await? {
            let (dir, name) = (dir.to_path_buf(), name.to_string());
            return tokio::task::spawn_blocking(move || {
                let (bytes, ext) = reencode(&bytes)?;
                let name = with_extension(&name, ext);
                let (mut file, path) = super::save::create_unique(&dir, &name)
                    .map_err(|e| MediaError::Io(e.to_string()))?;
                std::io::Write::write_all(&mut file, &bytes)
                    .and_then(|()| file.sync_all())
                    .map_err(|e| {
                        let _ = std::fs::remove_file(&path);
                        MediaError::Io(e.to_string())
                    })?;
                Ok(path)
            })
            .await
            .map_err(|e| MediaError::Io(e.to_string()))?;
        }
        let host = super::display_host(url);
        // The user chose this link, local or not; where it redirects to is checked as usual.
        let own = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string));
        let http = self.guarded(own.as_deref())?;
        if kind == MediaKind::Other {
            probe(&http, url, &host, key).await?;
        }
        let resp = tokio::time::timeout(TIMEOUT, get(&http, url, &host, key))
            .await
            .unwrap_or(Err(MediaError::Timeout {
                secs: TIMEOUT.as_secs(),
            }))?;
        // Saved files are streamed into a file claimed with `create_new` and written through
        // that same handle, so nothing is replaced and no path is opened twice.
        let (d, n) = (dir.to_path_buf(), name.to_string());
        let (file, path) = tokio::task::spawn_blocking(move || super::save::create_unique(&d, &n))
            .await
            .map_err(|e| MediaError::Io(e.to_string()))?
            .map_err(|e| MediaError::Io(e.to_string()))?;
        match stream_to(resp, tokio::fs::File::from_std(file), &host).await {
            Ok(()) => Ok(path),
            Err(e) => {
                let _ = tokio::fs::remove_file(&path).await;
                Err(e)
            }
        }
    }

    /// Downloads a link the system opener cannot fetch itself (it needs the provider's key)
    /// into the cache directory, for the opener to get the file instead.
    pub async fn save_for_open(
        &self,
        url: &str,
        kind: MediaKind,
        key: Option<&str>,
    ) -> Result<PathBuf, MediaError> {
        let dir = self
            .cache_dir
            .clone()
            .ok_or(MediaError::Io("no cache directory".into()))?;
        let name = format!("open-{}", super::save::file_name(url, kind, 0));
        let d = dir.clone();
        tokio::task::spawn_blocking(move || std::fs::create_dir_all(&d))
            .await
            .map_err(|e| MediaError::Io(e.to_string()))?
            .map_err(|e| MediaError::Io(e.to_string()))?;
        self.save_keyed(url, kind, &dir, &name, key).await
    }

    /// A local file to hand to the system opener for a built-in URL: only an image that
    /// decodes, written anew in its real format under the matching extension.
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
        tokio::task::spawn_blocking(move || {
            let (bytes, ext) = reencode(&bytes)?;
            let path = dir.join(format!("open-{}", with_extension(&name, ext)));
            cache::write_private(&path, &bytes).map_err(|e| MediaError::Io(e.to_string()))?;
            Ok(path)
        })
        .await
        .map_err(|e| MediaError::Io(e.to_string()))?
    }
}

/// Asks a link of unknown kind what it is; anything but image, audio or video is refused.
async fn probe(
    http: &reqwest::Client,
    url: &str,
    host: &str,
    key: Option<&str>,
) -> Result<(), MediaError> {
    let resp = tokio::time::timeout(TIMEOUT, with_key(http.head(url), key).send())
        .await
        .map_err(|_| MediaError::Timeout {
            secs: TIMEOUT.as_secs(),
        })?
        .map_err(|e| match refusal(&e) {
            Some(refused) => MediaError::Refused(refused),
            None => MediaError::Connect {
                host: host.to_string(),
                detail: root_cause(&e),
            },
        })?;
    let ct = header(&resp, reqwest::header::CONTENT_TYPE).unwrap_or_default();
    if MediaKind::from_content_type(&ct).is_media() {
        Ok(())
    } else {
        let shown = if ct.is_empty() { "unknown type" } else { &ct };
        Err(MediaError::NotMedia(shown.to_string()))
    }
}

/// `name` with its extension replaced by `ext`.
fn with_extension(name: &str, ext: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    format!("{stem}.{ext}")
}

/// The request with `key` as its bearer token (marked sensitive: never in a Debug print).
/// reqwest drops the header on a redirect to another host, scheme or port.
fn with_key(req: reqwest::RequestBuilder, key: Option<&str>) -> reqwest::RequestBuilder {
    match key {
        Some(key) => req.bearer_auth(key),
        None => req,
    }
}

async fn get(
    http: &reqwest::Client,
    url: &str,
    host: &str,
    key: Option<&str>,
) -> Result<reqwest::Response, MediaError> {
    let resp = with_key(http.get(url), key).send().await.map_err(|e| {
        if let Some(refused) = refusal(&e) {
            MediaError::Refused(refused)
        } else if e.is_timeout() {
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

/// The guard's refusal somewhere in the causes of `e` (from the resolver or a redirect).
fn refusal(e: &(dyn std::error::Error + 'static)) -> Option<guard::Refused> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<guard::Refused>() {
            return Some(r.clone());
        }
        cur = err.source();
    }
    None
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

async fn stream_to(
    resp: reqwest::Response,
    mut file: tokio::fs::File,
    host: &str,
) -> Result<(), MediaError> {
    use tokio::io::AsyncWriteExt;
    let io = |e: std::io::Error| MediaError::Io(e.to_string());
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

#[cfg(test)]
mod tests;
