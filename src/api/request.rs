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
    /// The JSON body, with `stream_options` asking for usage when `include_usage`.
    ///
    /// Written straight from the messages: a `serde_json::Value` of the body copied the whole
    /// history into a tree first, which late in a long session cost more than the reply.
    pub fn body(&self, include_usage: bool) -> Vec<u8> {
        let body = Body {
            req: self,
            include_usage,
        };
        // Strings, numbers and maps with string keys always serialize.
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

/// The request body's fields: the set parameters, then the model, messages and stream flag.
struct Body<'a> {
    req: &'a ChatRequest,
    include_usage: bool,
}

impl Serialize for Body<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        #[derive(Serialize)]
        struct StreamOptions {
            include_usage: bool,
        }
        let req = self.req;
        let mut map = s.serialize_map(None)?;
        for (key, value) in &req.params {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("model", &req.model)?;
        map.serialize_entry("messages", &req.messages)?;
        map.serialize_entry("stream", &req.stream)?;
        if req.stream && self.include_usage {
            map.serialize_entry(
                "stream_options",
                &StreamOptions {
                    include_usage: true,
                },
            )?;
        }
        map.end()
    }
}
