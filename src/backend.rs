//! Sends a conversation to the selected model: the offline demo or an HTTP provider.

use tokio_util::sync::CancellationToken;

use crate::api::client::{ChatRequest, Client, ReplyEnd, WireMessage};
use crate::api::{ApiError, StreamEvent};
use crate::config::{ModelSpec, Provider};
use crate::demo;

/// A model on a provider: what a request goes to.
#[derive(Debug, Clone)]
pub struct Target {
    pub provider: Provider,
    pub model: ModelSpec,
}

impl Target {
    /// `provider:model`, as shown in the status bar and accepted by `-m`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.provider.name, self.model.id)
    }

    /// The request for `history` (oldest first), with the model's system prompt in front.
    pub fn request(&self, history: &[WireMessage], force_no_stream: bool) -> ChatRequest {
        let mut messages = Vec::with_capacity(history.len() + 1);
        if let Some(system) = self
            .model
            .system
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            if !history.iter().any(|m| m.role == "system") {
                messages.push(WireMessage::new("system", system));
            }
        }
        messages.extend_from_slice(history);
        ChatRequest {
            model: self.model.id.clone(),
            messages,
            params: self.model.request_params(),
            stream: !force_no_stream && self.model.stream.unwrap_or(true),
        }
    }
}

/// Reads a variable from the process environment (the production `env` for `Provider::endpoint`).
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Runs one reply for `history` against `target`, passing its pieces to `on_event`.
pub async fn chat(
    client: &Client,
    target: &Target,
    history: &[WireMessage],
    force_no_stream: bool,
    on_event: &mut (dyn FnMut(StreamEvent) + Send),
    cancel: &CancellationToken,
) -> Result<ReplyEnd, ApiError> {
    if target.provider.is_demo() {
        let prompt = history
            .iter()
            .rev()
            .find(|m| m.role == "user")
            .map(|m| m.content.as_str());
        return Ok(demo::chat(prompt.unwrap_or(""), on_event, cancel).await);
    }
    let endpoint = target.provider.endpoint(&process_env)?;
    let request = target.request(history, force_no_stream);
    client.chat(&endpoint, &request, on_event, cancel).await
}
