//! HTTP side of a chat request: building it, retrying before the first byte, streaming, cancelling.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::{ApiError, StreamEvent, Usage};

/// Where and how to reach one provider. Built from the config; holds the key only in memory.
#[derive(Clone)]
pub struct Endpoint {
    /// Base URL such as `https://api.ecovai.cn/v1` (no trailing slash needed).
    pub base_url: String,
    /// The bearer token, if any (local servers may need none).
    pub api_key: Option<String>,
    /// Where the key came from, for error messages ("ECOVAI_API_KEY", "api_key in config.toml").
    pub key_source: String,
    pub connect_timeout: Duration,
    /// Longest silence tolerated between two reads.
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

/// A message as sent on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireMessage {
    pub role: String,
    pub content: String,
}

impl WireMessage {
    /// A message with the given role and text.
    pub fn new(role: &str, content: impl Into<String>) -> Self {
        Self { role: role.to_string(), content: content.into() }
    }
}

/// One chat completion request.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<WireMessage>,
    /// Model parameters that are set (temperature, top_k, ...), sent verbatim at the top level.
    pub params: serde_json::Map<String, serde_json::Value>,
    pub stream: bool,
}

/// How a reply that did not fail ended.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReplyEnd {
    pub finish_reason: Option<String>,
    pub usage: Option<Usage>,
    /// The stream ended with content but without a `finish_reason`.
    pub possibly_truncated: bool,
    /// Ended because the cancellation token fired.
    pub cancelled: bool,
}

/// A reusable HTTP client.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
}

#[allow(unused_variables)]
impl Client {
    /// Builds the client (installs the rustls provider once per process).
    pub fn new() -> Result<Self, ApiError> {
        todo!()
    }

    /// Sends `req`, calling `on_event` for each piece of the reply as it arrives.
    /// Errors end the reply; whatever was passed to `on_event` before stays valid (partial reply).
    pub async fn chat(
        &self,
        ep: &Endpoint,
        req: &ChatRequest,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
        cancel: &CancellationToken,
    ) -> Result<ReplyEnd, ApiError> {
        todo!()
    }
}
