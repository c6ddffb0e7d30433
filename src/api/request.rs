//! What is sent for a chat completion: the messages on the wire and the request body.

use serde::{Deserialize, Serialize};

/// A message as sent on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WireMessage {
    pub role: String,
    pub content: String,
    /// Image and file parts sent after the text (`src/attach`); with none, `content` goes as a
    /// plain string, which some relays require for text-only models.
    #[serde(skip)]
    pub parts: Vec<serde_json::Value>,
}

impl WireMessage {
    /// A message with the given role and text.
    pub fn new(role: &str, content: impl Into<String>) -> Self {
        Self {
            role: role.to_string(),
            content: content.into(),
            parts: Vec::new(),
        }
    }
}

impl Serialize for WireMessage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("role", &self.role)?;
        if self.parts.is_empty() {
            map.serialize_entry("content", &self.content)?;
        } else {
            let text = serde_json::json!({"type": "text", "text": self.content});
            let parts: Vec<&serde_json::Value> =
                std::iter::once(&text).chain(&self.parts).collect();
            map.serialize_entry("content", &parts)?;
        }
        map.end()
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

impl ChatRequest {
    /// The JSON body for `endpoint`.
    pub fn body(&self, include_usage: bool) -> serde_json::Value {
        let mut body = self.params.clone();
        body.insert("model".into(), self.model.clone().into());
        body.insert(
            "messages".into(),
            serde_json::to_value(&self.messages).unwrap_or_default(),
        );
        body.insert("stream".into(), self.stream.into());
        if self.stream && include_usage {
            body.insert(
                "stream_options".into(),
                serde_json::json!({ "include_usage": true }),
            );
        }
        serde_json::Value::Object(body)
    }
}
