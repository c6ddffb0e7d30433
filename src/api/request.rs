//! What is sent for a chat completion: the messages on the wire and the request body.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A message as sent on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WireMessage {
    pub role: String,
    pub content: String,
    /// Image and file parts sent after the text (`src/attach`); with none, `content` goes as a
    /// plain string, which some relays require for text-only models.
    #[serde(skip)]
    pub parts: Vec<Part>,
}

/// One image or file part. The data URLs were encoded when the file was attached and are
/// shared: building a request clones a handle, never the base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// An image: a `data:` URL or a link.
    Image(Arc<str>),
    /// A PDF: a `file` part for a model that reads files; for any other model the request
    /// inlines `text` (the file's name and text, fenced) instead.
    Pdf {
        name: String,
        data_url: Arc<str>,
        /// The fenced text block, or why there is none (no text, unreadable).
        text: Result<Arc<str>, Arc<str>>,
    },
}

impl Serialize for Part {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Url<'a> {
            url: &'a str,
        }
        #[derive(Serialize)]
        struct File<'a> {
            filename: &'a str,
            file_data: &'a str,
        }
        #[derive(Serialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        enum Wire<'a> {
            ImageUrl { image_url: Url<'a> },
            File { file: File<'a> },
        }
        match self {
            Part::Image(url) => Wire::ImageUrl {
                image_url: Url { url },
            },
            Part::Pdf { name, data_url, .. } => Wire::File {
                file: File {
                    filename: name,
                    file_data: data_url,
                },
            },
        }
        .serialize(s)
    }
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
            #[derive(Serialize)]
            #[serde(untagged)]
            enum Item<'a> {
                Text { r#type: &'static str, text: &'a str },
                Part(&'a Part),
            }
            let text = Item::Text {
                r#type: "text",
                text: &self.content,
            };
            let parts: Vec<Item<'_>> = std::iter::once(text)
                .chain(self.parts.iter().map(Item::Part))
                .collect();
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
