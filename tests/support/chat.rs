//! Drives `ecochat::api::Client` against the mock and collects everything it reported.

use std::time::Duration;

use ecochat::api::client::{ChatRequest, Client, Endpoint, ReplyEnd, WireMessage};
use ecochat::api::{ApiError, Citation, StreamEvent, Usage};
use tokio_util::sync::CancellationToken;

use super::MockServer;

/// The key the tests hand to the client; it must never show up in any output.
pub const TEST_KEY: &str = "sk-mock-7f3a9c51-never-print-me";
/// Where the tests say the key comes from.
pub const KEY_ENV: &str = "ECOCHAT_TEST_KEY";

/// An endpoint at the mock: short timeouts, no retries, usage requested.
pub fn endpoint(server: &MockServer) -> Endpoint {
    Endpoint {
        base_url: server.base_url(),
        api_key: Some(TEST_KEY.to_string()),
        key_source: KEY_ENV.to_string(),
        connect_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(10),
        max_retries: 0,
        include_usage: true,
    }
}

/// A two-message conversation for `model`.
pub fn request(model: &str, stream: bool) -> ChatRequest {
    ChatRequest {
        model: model.to_string(),
        messages: vec![
            WireMessage::new("system", "你是一个乐于助人的助手。"),
            WireMessage::new("user", "你好"),
        ],
        params: serde_json::Map::new(),
        stream,
    }
}

/// Everything one `Client::chat` call reported.
#[derive(Debug)]
pub struct Outcome {
    /// Every event, in order.
    pub events: Vec<StreamEvent>,
    /// All `Content` text joined.
    pub content: String,
    /// All `Reasoning` text joined.
    pub reasoning: String,
    /// The last `Usage` event.
    pub usage: Option<Usage>,
    /// Every `Finish` reason.
    pub finishes: Vec<String>,
    /// Every citation.
    pub citations: Vec<Citation>,
    /// `Error` events.
    pub stream_errors: Vec<ApiError>,
    /// What `chat` returned.
    pub result: Result<ReplyEnd, ApiError>,
    /// How long the call took.
    pub elapsed: Duration,
}

impl Outcome {
    /// The error that ended the reply: the returned one, else the last `Error` event.
    pub fn error(&self) -> Option<&ApiError> {
        self.result.as_ref().err().or(self.stream_errors.last())
    }

    /// The ending error's sentence; panics when the reply did not fail.
    pub fn message(&self) -> String {
        match self.error() {
            Some(e) => e.to_string(),
            None => panic!("expected an error, got {:?}", self.result),
        }
    }

    /// How the reply ended; panics when it failed.
    pub fn end(&self) -> &ReplyEnd {
        match (&self.result, self.stream_errors.last()) {
            (Ok(end), None) => end,
            (result, err) => panic!("expected success, got {result:?} / stream error {err:?}"),
        }
    }

    fn push(&mut self, ev: StreamEvent) {
        match &ev {
            StreamEvent::Content(t) => self.content.push_str(t),
            StreamEvent::Reasoning(t) => self.reasoning.push_str(t),
            StreamEvent::Usage(u) => self.usage = Some(*u),
            StreamEvent::Finish(f) => self.finishes.push(f.clone()),
            StreamEvent::Citations(c) => self.citations.extend(c.iter().cloned()),
            StreamEvent::Error(e) => self.stream_errors.push(e.clone()),
        }
        self.events.push(ev);
    }
}

/// Runs one chat to its end.
pub async fn chat(ep: &Endpoint, req: &ChatRequest) -> Outcome {
    run(ep, req, false).await
}

/// Runs one chat and cancels it as soon as the first non-empty `Content` arrives.
pub async fn chat_cancel_after_first_content(ep: &Endpoint, req: &ChatRequest) -> Outcome {
    run(ep, req, true).await
}

async fn run(ep: &Endpoint, req: &ChatRequest, cancel_on_content: bool) -> Outcome {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = Client::new().expect("client");
    let cancel = CancellationToken::new();
    let mut out = Outcome {
        events: Vec::new(),
        content: String::new(),
        reasoning: String::new(),
        usage: None,
        finishes: Vec::new(),
        citations: Vec::new(),
        stream_errors: Vec::new(),
        result: Ok(ReplyEnd::default()),
        elapsed: Duration::ZERO,
    };
    let start = std::time::Instant::now();
    let trigger = cancel.clone();
    let mut events = Vec::new();
    let mut on_event = |ev: StreamEvent| {
        if cancel_on_content && matches!(&ev, StreamEvent::Content(t) if !t.is_empty()) {
            trigger.cancel();
        }
        events.push(ev);
    };
    // A hung client must fail the test, not stall the whole suite.
    let result = tokio::time::timeout(
        Duration::from_secs(60),
        client.chat(ep, req, &mut on_event, &cancel),
    )
    .await
    .expect("Client::chat did not return within 60 s");
    out.elapsed = start.elapsed();
    for ev in events {
        out.push(ev);
    }
    out.result = result;
    out
}
