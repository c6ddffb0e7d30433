//! OpenAI-compatible API client: SSE framing, chunk decoding, error classification, HTTP
//! (chat, `/models`, `/images/generations`).

pub mod billing;
pub mod chunk;
pub mod client;
pub mod error;
mod idle;
pub mod images;
pub mod models;
pub mod oversize;
pub mod request;
pub mod sink;
pub mod sse;
pub mod task_poll;
pub mod tasks;
pub mod tls;

pub use error::ApiError;

use serde::{Deserialize, Serialize};

/// One thing a reply told us, in the order it arrived.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// Visible answer text.
    Content(String),
    /// Chain-of-thought text (`reasoning_content`, `reasoning`, or a `<think>` block).
    Reasoning(String),
    /// Token usage as reported by the server.
    Usage(Usage),
    /// `finish_reason` of the choice (never `""` or `"null"`).
    Finish(String),
    /// Search references (Metaso `citations`).
    Citations(Vec<Citation>),
    /// An error object inside an otherwise successful stream; ends the turn.
    Error(ApiError),
}

/// Token counts of one reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
    pub reasoning_tokens: Option<u64>,
    /// Prompt tokens served from the provider's cache (`prompt_tokens_details.cached_tokens`).
    #[serde(default)]
    pub cached_tokens: Option<u64>,
}

impl Usage {
    /// Free-api proxies report a fake `{1,1,2}`; it carries no information.
    pub fn is_placeholder(&self) -> bool {
        self.prompt_tokens == 1 && self.completion_tokens == 1 && self.total_tokens == 2
    }
}

/// A search reference attached to a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub title: String,
    pub url: String,
}

/// A whole answer body, refused once it passes `cap` bytes (the images and task APIs answer
/// small JSON; a relay that streams more is broken or hostile).
pub(crate) async fn read_body_capped(
    resp: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, String> {
    use futures_util::StreamExt;
    let mut out = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        if out.len() + chunk.len() > cap {
            return Err(format!("answer larger than {} MB", cap / (1024 * 1024)));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
