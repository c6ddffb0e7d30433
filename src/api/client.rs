//! HTTP side of a chat request: building it, retrying before the first byte, streaming, cancelling.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::chunk::{ChunkDecoder, decode_completion};
use super::error::{ErrorContext, classify_response};
use super::sse::{SseDecoder, SseEvent};
use super::{ApiError, StreamEvent, Usage};

/// Error bodies are read whole; past this they are cut (an HTML page or JSON error is far smaller).
const MAX_ERROR_BODY: usize = 1024 * 1024;
/// Non-streaming completions may carry base64 images, so they get a larger cap.
const MAX_COMPLETION_BODY: usize = 64 * 1024 * 1024;
/// Upper bound for one backoff sleep, also when the server's Retry-After asks for more.
const MAX_BACKOFF: Duration = Duration::from_secs(20);
/// Default cap on the bytes of one streamed reply (`max_reply_mb`).
pub const DEFAULT_REPLY_CAP: usize = crate::config::DEFAULT_MAX_REPLY_MB << 20;

pub use super::request::{ChatRequest, Part, WireMessage};
pub use super::sink::ReplySink;

/// Where and how to reach one provider. Built from the config; holds the key only in memory.
#[derive(Clone)]
pub struct Endpoint {
    /// Base URL such as `https://api.ecovai.cn/v1` (no trailing slash needed).
    pub base_url: String,
    /// The bearer token, if any (local servers may need none).
    pub api_key: Option<String>,
    /// Where the key came from, for error messages ("ECOVAI_API_KEY", "api_key in config.toml").
    pub key_source: String,
    /// Longest wait for a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// Longest silence tolerated while waiting for headers or between two reads.
    pub idle_timeout: Duration,
    /// Retries on 429/5xx/connect errors, only before the first byte of a reply.
    pub max_retries: u32,
    /// Send `stream_options.include_usage` on streaming requests.
    pub include_usage: bool,
}

impl std::fmt::Debug for Endpoint {
    // The key must never reach a log line, so Debug is written by hand.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("key_source", &self.key_source)
            .field("connect_timeout", &self.connect_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_retries", &self.max_retries)
            .field("include_usage", &self.include_usage)
            .finish()
    }
}

impl Endpoint {
    /// The host part of the base URL, for error sentences.
    pub fn host(&self) -> String {
        reqwest::Url::parse(&self.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| self.base_url.clone())
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base_url.trim_end_matches('/'), path)
    }
}

/// How a reply that did not fail ended.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReplyEnd {
    pub finish_reason: Option<String>,
    pub usage: Option<Usage>,
    /// The stream ended with content but with neither a `finish_reason` nor `[DONE]`.
    pub possibly_truncated: bool,
    /// Ended because the cancellation token fired.
    pub cancelled: bool,
    /// Reading stopped at the size cap (`max_reply_mb`); what came before it is kept.
    pub over_limit: bool,
}

/// A reusable HTTP client.
#[derive(Clone)]
pub struct Client {
    // reqwest sets the connect timeout per client, and providers may differ in it.
    by_connect_timeout: Arc<Mutex<HashMap<Duration, reqwest::Client>>>,
    /// Bytes of one streamed reply read at most.
    reply_cap: usize,
    /// Shared with the media clients: the root certificates are read once.
    tls: super::tls::SharedTls,
}

impl Default for Client {
    fn default() -> Self {
        Self {
            by_connect_timeout: Arc::default(),
            reply_cap: DEFAULT_REPLY_CAP,
            tls: super::tls::SharedTls::default(),
        }
    }
}

/// What one attempt produced before any reply byte was handed on.
enum Attempt {
    Response(reqwest::Response),
    Failed(ApiError, Option<Duration>),
}

impl Client {
    /// Builds the client (installs the rustls provider once per process).
    pub fn new() -> Result<Self, ApiError> {
        // Err only means another part of the process installed it first.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Ok(Self::default())
    }

    /// The same client reading at most `bytes` of a streamed reply (at least one byte).
    pub fn with_reply_cap(mut self, bytes: usize) -> Self {
        self.reply_cap = bytes.max(1);
        self
    }

    /// The TLS setup of this client, for the other HTTP clients of the process.
    pub fn tls(&self) -> super::tls::SharedTls {
        self.tls.clone()
    }

    fn http(&self, connect_timeout: Duration) -> Result<reqwest::Client, ApiError> {
        let mut map = self
            .by_connect_timeout
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(c) = map.get(&connect_timeout) {
            return Ok(c.clone());
        }
        let client = self
            .tls
            .apply(reqwest::Client::builder())
            .connect_timeout(connect_timeout)
            .user_agent(concat!("ecochat/", env!("CARGO_PKG_VERSION")))
            // reqwest drops Authorization when a redirect leaves the host; keep the chain short.
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| ApiError::Connect {
                host: String::new(),
                detail: e.to_string(),
            })?;
        map.insert(connect_timeout, client.clone());
        Ok(client)
    }

    /// Lists the model ids the provider serves (`GET {base_url}/models`), in the server's order.
    pub async fn list_models(&self, ep: &Endpoint) -> Result<Vec<String>, ApiError> {
        let host = ep.host();
        let ctx = ErrorContext {
            host: &host,
            key_source: &ep.key_source,
        };
        let http = self.http(ep.connect_timeout)?;
        let mut rb = http
            .get(ep.url("models"))
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(key) = &ep.api_key {
            rb = rb.bearer_auth(key);
        }
        let response =
            match tokio::time::timeout(ep.connect_timeout + ep.idle_timeout, rb.send()).await {
                Err(_) => {
                    return Err(ApiError::Timeout {
                        host,
                        secs: (ep.connect_timeout + ep.idle_timeout).as_secs(),
                        phase: "waiting for the model list",
                    });
                }
                Ok(Err(e)) => return Err(transport_error(&e, &host, ep)),
                Ok(Ok(r)) => r,
            };
        let status = response.status().as_u16();
        let ct = content_type(&response);
        let rid = request_id(&response);
        let body = read_capped(response, MAX_ERROR_BODY * 8, ep.idle_timeout)
            .await
            .unwrap_or_default();
        if !(200..300).contains(&status) {
            return Err(classify_response(
                status,
                ct.as_deref(),
                &body,
                rid.as_deref(),
                &ctx,
            ));
        }
        super::models::parse_model_list(&body)
            .ok_or_else(|| classify_response(status, ct.as_deref(), &body, rid.as_deref(), &ctx))
    }

    /// Sends `req`, handing each piece of the reply to `sink` as it arrives.
    /// Errors end the reply; whatever reached `sink` before stays valid (partial reply).
    pub async fn chat(
        &self,
        ep: &Endpoint,
        req: &ChatRequest,
        sink: &mut dyn ReplySink,
        cancel: &CancellationToken,
    ) -> Result<ReplyEnd, ApiError> {
        let host = ep.host();
        let ctx = ErrorContext {
            host: &host,
            key_source: &ep.key_source,
        };
        let http = self.http(ep.connect_timeout)?;
        let body = bytes::Bytes::from(req.body(ep.include_usage));
        let mut attempt = 0u32;
        let response = loop {
            let outcome = tokio::select! {
                () = cancel.cancelled() => return Ok(ReplyEnd { cancelled: true, ..ReplyEnd::default() }),
                o = send_once(&http, ep, req.stream, &body, &ctx) => o,
            };
            match outcome {
                Attempt::Response(r) => break r,
                Attempt::Failed(err, retry_after) => {
                    if attempt >= ep.max_retries || !err.is_retryable() {
                        return Err(super::oversize::explain(err, body.len()));
                    }
                    let wait = retry_after
                        .unwrap_or_else(|| Duration::from_millis(500 * 2u64.pow(attempt)))
                        .min(MAX_BACKOFF);
                    tracing::info!(%err, ?wait, attempt, "retrying before the first byte");
                    attempt += 1;
                    tokio::select! {
                        () = cancel.cancelled() => return Ok(ReplyEnd { cancelled: true, ..ReplyEnd::default() }),
                        () = tokio::time::sleep(wait) => {}
                    }
                }
            }
        };

        let is_sse = content_type(&response).is_some_and(|ct| ct.contains("text/event-stream"));
        if is_sse {
            read_stream(response, ep, &host, self.reply_cap, sink, cancel).await
        } else {
            read_completion(response, ep, &ctx, sink, cancel).await
        }
    }
}

async fn send_once(
    http: &reqwest::Client,
    ep: &Endpoint,
    stream: bool,
    body: &bytes::Bytes,
    ctx: &ErrorContext<'_>,
) -> Attempt {
    let mut rb = http
        .post(ep.url("chat/completions"))
        .header(
            reqwest::header::ACCEPT,
            if stream {
                "text/event-stream"
            } else {
                "application/json"
            },
        )
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        // A handle on the same bytes: a retry sends them again without a copy.
        .body(body.clone());
    if stream {
        // A proxy compressing an event stream holds events back to fill its buffers; a server
        // that compresses anyway is still decoded.
        rb = rb.header(reqwest::header::ACCEPT_ENCODING, "identity");
    }
    if let Some(key) = &ep.api_key {
        rb = rb.bearer_auth(key);
    }
    let sent = tokio::time::timeout(ep.connect_timeout + ep.idle_timeout, rb.send()).await;
    let response = match sent {
        Err(_) => {
            let secs = (ep.connect_timeout + ep.idle_timeout).as_secs();
            let err = ApiError::Timeout {
                host: ctx.host.to_string(),
                secs,
                phase: "waiting for the reply",
            };
            return Attempt::Failed(err, None);
        }
        Ok(Err(e)) => return Attempt::Failed(transport_error(&e, ctx.host, ep), None),
        Ok(Ok(r)) => r,
    };
    let status = response.status();
    if status.is_success() {
        return Attempt::Response(response);
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let ct = content_type(&response);
    let request_id = request_id(&response);
    let body = read_capped(response, MAX_ERROR_BODY, ep.idle_timeout)
        .await
        .unwrap_or_default();
    let err = classify_response(
        status.as_u16(),
        ct.as_deref(),
        &body,
        request_id.as_deref(),
        ctx,
    );
    Attempt::Failed(err, retry_after)
}

/// The response's `Content-Type`, lower-cased, for classifying what came back.
pub(super) fn content_type(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
}

/// new-api's request id, quoted in error messages so a relay operator can find the request.
pub(super) fn request_id(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get("x-oneapi-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn transport_error(e: &reqwest::Error, host: &str, ep: &Endpoint) -> ApiError {
    let host = host.to_string();
    if e.is_timeout() {
        return ApiError::Timeout {
            host,
            secs: ep.connect_timeout.as_secs(),
            phase: "connecting",
        };
    }
    ApiError::Connect {
        host,
        detail: error_chain(e),
    }
}

/// reqwest's top-level message is vague ("error sending request"); the cause says what happened.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Reads a whole body up to `cap` bytes, giving up after `idle` without data.
async fn read_capped(response: reqwest::Response, cap: usize, idle: Duration) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut stream = response.bytes_stream();
    loop {
        match tokio::time::timeout(idle, stream.next()).await {
            Ok(Some(Ok(bytes))) => {
                let room = cap.saturating_sub(out.len());
                out.extend_from_slice(&bytes[..bytes.len().min(room)]);
                if out.len() >= cap {
                    return Some(out);
                }
            }
            Ok(None) => return Some(out),
            Ok(Some(Err(_))) | Err(_) => return if out.is_empty() { None } else { Some(out) },
        }
    }
}

async fn read_completion(
    response: reqwest::Response,
    ep: &Endpoint,
    ctx: &ErrorContext<'_>,
    sink: &mut dyn ReplySink,
    cancel: &CancellationToken,
) -> Result<ReplyEnd, ApiError> {
    let status = response.status().as_u16();
    let ct = content_type(&response);
    let rid = request_id(&response);
    let body = tokio::select! {
        () = cancel.cancelled() => return Ok(ReplyEnd { cancelled: true, ..ReplyEnd::default() }),
        b = read_capped(response, MAX_COMPLETION_BODY, ep.idle_timeout) => b,
    };
    let Some(body) = body else {
        return Err(ApiError::Timeout {
            host: ctx.host.to_string(),
            secs: ep.idle_timeout.as_secs(),
            phase: "reading the reply",
        });
    };
    let looks_json = ct.as_deref().is_none_or(|c| c.contains("json"))
        || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if !looks_json {
        return Err(classify_response(
            status,
            ct.as_deref(),
            &body,
            rid.as_deref(),
            ctx,
        ));
    }
    // DeepSeek pads slow non-streaming answers with blank lines before the JSON.
    let text = String::from_utf8_lossy(&body);
    let events = decode_completion(text.trim_start(), ctx.host)?;
    Ok(deliver(events, sink))
}

/// Passes decoded events on and sums up how the reply ended.
fn deliver(events: Vec<StreamEvent>, sink: &mut dyn ReplySink) -> ReplyEnd {
    let mut end = ReplyEnd::default();
    let mut tally = Tally::default();
    for ev in events {
        tally.note(&ev, &mut end);
        sink.event(ev);
    }
    end
}

/// Tracks what a reply has produced so far, to tell "truncated" and "empty" apart at the end.
#[derive(Default)]
struct Tally {
    saw_text: bool,
}

impl Tally {
    fn note(&mut self, ev: &StreamEvent, end: &mut ReplyEnd) {
        match ev {
            StreamEvent::Content(t) | StreamEvent::Reasoning(t) if !t.is_empty() => {
                self.saw_text = true
            }
            StreamEvent::Usage(u) => end.usage = Some(*u),
            StreamEvent::Finish(r) => end.finish_reason = Some(r.clone()),
            _ => {}
        }
    }
}

async fn read_stream(
    response: reqwest::Response,
    ep: &Endpoint,
    host: &str,
    cap: usize,
    sink: &mut dyn ReplySink,
    cancel: &CancellationToken,
) -> Result<ReplyEnd, ApiError> {
    let mut sse = SseDecoder::new();
    let mut read = 0usize;
    let mut chunks = ChunkDecoder::new();
    let mut end = ReplyEnd::default();
    let mut tally = Tally::default();
    let mut body = response.bytes_stream();
    let mut got_bytes = false;
    let mut saw_done = false;

    let handle = |events: Vec<StreamEvent>,
                  end: &mut ReplyEnd,
                  tally: &mut Tally,
                  sink: &mut dyn ReplySink|
     -> Result<(), ApiError> {
        for ev in events {
            if let StreamEvent::Error(err) = ev {
                return Err(err);
            }
            tally.note(&ev, end);
            sink.event(ev);
        }
        Ok(())
    };

    // One cancellation wait and one idle timer for the whole reply, not one of each per read.
    let cancelled = cancel.cancelled();
    tokio::pin!(cancelled);
    let mut idle = super::idle::IdleTimer::new(ep.idle_timeout);
    'read: loop {
        // Nothing more is read until the pieces so far have somewhere to go.
        tokio::select! {
            () = &mut cancelled => {
                end.cancelled = true;
                return Ok(end);
            }
            () = sink.room() => {}
        }
        if read >= cap {
            tracing::warn!(cap, "reply over the size limit: stopped reading");
            end.over_limit = true;
            break 'read;
        }
        idle.restart();
        // A piece that came is taken before the timer is asked, as a timeout around the read
        // would.
        let next = tokio::select! {
            biased;
            () = &mut cancelled => {
                end.cancelled = true;
                return Ok(end);
            }
            n = body.next() => Some(n),
            () = idle.expired() => None,
        };
        let bytes = match next {
            None => {
                let phase = if got_bytes {
                    "mid-reply"
                } else {
                    "waiting for the first token"
                };
                return Err(ApiError::Timeout {
                    host: host.to_string(),
                    secs: ep.idle_timeout.as_secs(),
                    phase,
                });
            }
            Some(None) => break 'read,
            Some(Some(Err(e))) => {
                return Err(ApiError::Interrupted {
                    host: host.to_string(),
                    detail: error_chain(&e),
                });
            }
            Some(Some(Ok(b))) => b,
        };
        got_bytes = true;
        // The piece that crosses the cap is still read whole: the cap bounds memory, it does
        // not need to be exact to the byte.
        let bytes = &bytes[..bytes.len().min(cap.saturating_sub(read))];
        read += bytes.len();
        for event in sse.push(bytes)? {
            match event {
                SseEvent::Done => {
                    saw_done = true;
                    break 'read;
                }
                SseEvent::Data(payload) => {
                    handle(chunks.decode(&payload), &mut end, &mut tally, sink)?;
                }
            }
        }
    }
    if end.over_limit {
        // An event cut by the cap stays unfinished: no half event is decoded.
        handle(chunks.finish(), &mut end, &mut tally, sink)?;
        return Ok(end);
    }
    for event in sse.finish() {
        match event {
            SseEvent::Done => saw_done = true,
            SseEvent::Data(payload) => {
                handle(chunks.decode(&payload), &mut end, &mut tally, sink)?;
            }
        }
    }
    handle(chunks.finish(), &mut end, &mut tally, sink)?;

    if !tally.saw_text {
        return Err(ApiError::Empty {
            host: host.to_string(),
        });
    }
    // Spark ends a complete reply with usage and `[DONE]` but never a finish reason: only a
    // body that simply stops, with neither, may have lost its tail.
    end.possibly_truncated = end.finish_reason.is_none() && !saw_done;
    Ok(end)
}
