//! Sends a conversation to the selected model: the offline demo or an HTTP provider.

use tokio_util::sync::CancellationToken;

use crate::api::ApiError;
use crate::api::client::{ChatRequest, Client, Endpoint, ReplyEnd, ReplySink, WireMessage};
use crate::config::{Config, ModelSpec, Provider};
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
    pub fn request(&self, history: Vec<WireMessage>, force_no_stream: bool) -> ChatRequest {
        // Taken, not copied: late in a long session the history is most of a request.
        let mut messages = history;
        if let Some(system) = self
            .model
            .system
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            && !messages.iter().any(|m| m.role == "system")
        {
            messages.insert(0, WireMessage::new("system", system));
        }
        // Before images are dropped: a PDF's text reaches a model without vision too.
        if !crate::attach::vision::reads_files(&self.model.id) {
            crate::attach::inline_pdfs(&mut messages);
        }
        if self.model.takes_images() == Some(false) {
            crate::attach::omit_earlier_images(&mut messages);
        }
        ChatRequest {
            model: self.model.id.clone(),
            messages,
            params: self.model.request_params(),
            stream: !force_no_stream && self.model.stream.unwrap_or(true),
        }
    }
}

/// The model to start with: `-m`, else the config's explicit `default_model`, else the model
/// picked last time (if it still resolves), else the built-in default.
pub fn starting_model(cli_model: Option<&str>, cfg: &Config, last_used: Option<&str>) -> String {
    if let Some(m) = cli_model {
        return m.to_string();
    }
    if !cfg.default_model_explicit
        && let Some(last) = last_used.filter(|l| cfg.resolve(l).is_ok())
    {
        return last.to_string();
    }
    cfg.default_model.clone()
}

/// Reads a variable from the process environment (the production `env` for `Provider::endpoint`).
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// An environment holding exactly `vars`: `process_env` for tests.
#[cfg(test)]
pub(crate) fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: std::collections::HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

/// The provider's endpoint; a key command not yet run runs on a blocking thread, so waiting for
/// it (or for a passphrase prompt) never stalls the runtime.
pub async fn endpoint(provider: &Provider) -> Result<Endpoint, ApiError> {
    if !provider.needs_key_command() {
        return provider.endpoint(&process_env);
    }
    let owned = provider.clone();
    tokio::task::spawn_blocking(move || owned.endpoint(&process_env))
        .await
        .unwrap_or_else(|e| {
            Err(ApiError::KeyCommand {
                provider: provider.name.clone(),
                command: provider.api_key_cmd.clone().unwrap_or_default(),
                detail: format!("could not be run: {e}"),
            })
        })
}

/// Asks `provider` for its balance; the error is one sentence for the user.
pub async fn balance(
    provider: &Provider,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    tls: &crate::api::tls::SharedTls,
) -> Result<crate::api::billing::Balance, String> {
    if provider.is_demo() {
        return Err(format!(
            "the offline {} provider has no balance; name a provider: ecochat balance NAME",
            provider.name
        ));
    }
    let ep = provider.endpoint(env).map_err(|e| e.to_string())?;
    crate::api::billing::fetch_balance(&ep, tls)
        .await
        .map_err(|e| e.to_string())
}

/// Runs one reply for `history` against `target`, passing its pieces to `sink`.
pub async fn chat(
    client: &Client,
    target: &Target,
    history: Vec<WireMessage>,
    force_no_stream: bool,
    sink: &mut dyn ReplySink,
    cancel: &CancellationToken,
) -> Result<ReplyEnd, ApiError> {
    if target.provider.is_demo() {
        let prompt = history
            .iter()
            .rev()
            .find(|m| m.role == "user")
            .map(|m| m.content.as_str());
        let mut on_event = |ev| sink.event(ev);
        let model = target.model.id.as_str();
        return Ok(demo::chat(model, prompt.unwrap_or(""), &mut on_event, cancel).await);
    }
    let endpoint = endpoint(&target.provider).await?;
    let request = target.request(history, force_no_stream);
    client.chat(&endpoint, &request, sink, cancel).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn cfg(text: &str) -> Config {
        crate::config::parse_str(text, Path::new("t.toml"), &|_| None).unwrap()
    }

    #[test]
    fn cli_beats_explicit_default_beats_last_used_beats_builtin() {
        let plain = cfg("");
        assert_eq!(
            starting_model(Some("ecovai:kimi"), &plain, Some("demo:demo")),
            "ecovai:kimi"
        );
        assert_eq!(
            starting_model(None, &plain, Some("ecovai:kimi")),
            "ecovai:kimi"
        );
        assert_eq!(starting_model(None, &plain, None), plain.default_model);
        // A remembered model that no longer resolves is ignored.
        assert_eq!(
            starting_model(None, &plain, Some("gone:x")),
            plain.default_model
        );
        let explicit = cfg("default_model = \"ecovai:gpt-4o\"");
        assert_eq!(
            starting_model(None, &explicit, Some("ecovai:kimi")),
            "ecovai:gpt-4o"
        );
    }
}
