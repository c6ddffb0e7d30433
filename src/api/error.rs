//! One error type for everything that can go wrong talking to a provider, each with a human sentence.

use thiserror::Error;

/// Everything that can go wrong with a request, rendered as one sentence a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// The provider has no key configured.
    #[error("provider `{provider}` has no API key: set {hint}")]
    MissingKey { provider: String, hint: String },

    /// 401/403: the key was refused. `key_source` names where the key came from.
    #[error("{status} from {host}: {message} (check the API key in {key_source})")]
    Auth { status: u16, host: String, message: String, key_source: String },

    /// Any other non-2xx answer with a readable (JSON or text) message.
    #[error("{status} from {host}: {message}{}", hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Status { status: u16, host: String, message: String, hint: Option<String> },

    /// An HTML page where JSON or SSE was expected (nginx, Cloudflare, a web UI).
    #[error("{status} {title} from {host}{}", if *status == 200 { " (got an HTML page: check the base URL, does it need /v1?)" } else { "" })]
    Html { status: u16, host: String, title: String },

    /// A 200 answer whose JSON body is an error (Spark, free-api proxies, MiniMax).
    #[error("{host} answered with an error: {message}")]
    Body { host: String, message: String },

    /// An error object inside a stream that had started.
    #[error("the server reported an error mid-reply: {message}")]
    InStream { message: String },

    /// No connection could be made.
    #[error("cannot connect to {host}: {detail}")]
    Connect { host: String, detail: String },

    /// Nothing arrived for too long.
    #[error("{host} sent nothing for {secs} s ({phase})")]
    Timeout { host: String, secs: u64, phase: &'static str },

    /// The connection broke after the reply had started.
    #[error("the connection to {host} dropped mid-reply: {detail}")]
    Interrupted { host: String, detail: String },

    /// One SSE line grew past the buffer cap.
    #[error("event too large: one line exceeded {limit} bytes")]
    EventTooLarge { limit: usize },

    /// The body could not be understood.
    #[error("unexpected response from {host}: {detail}")]
    Decode { host: String, detail: String },

    /// The stream ended without any content.
    #[error("no content received from {host}")]
    Empty { host: String },
}
