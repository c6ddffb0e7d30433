//! The common chunk shape decoded straight into borrowed fields, without building a
//! `serde_json::Value`: a paced reply is thousands of such chunks, and the general path (a tree
//! per chunk, pointer look-ups, the error-shape ladder) was most of the reply task's own CPU.
//!
//! The shape is closed: any field outside it, or a field of another type, makes the parse fail
//! and the chunk goes the general way. So a chunk this path takes decodes exactly as the
//! general path would decode it (compared on the recorded payloads in the tests).

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::think::ThinkSplitter;
use crate::api::StreamEvent;

/// `{"id","object","created","model","system_fingerprint","choices":[…],"usage":null}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Chunk<'a> {
    #[serde(borrow)]
    choices: Vec<Choice<'a>>,
    #[serde(borrow, default)]
    object: Option<Cow<'a, str>>,
    // Only a missing or null usage is taken here; usage objects come once a reply and take
    // the general path with its field variants.
    #[serde(default, rename = "usage")]
    _usage: Option<Null>,
    #[serde(default, rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(default, rename = "created")]
    _created: Option<IgnoredAny>,
    #[serde(default, rename = "model")]
    _model: Option<IgnoredAny>,
    #[serde(default, rename = "system_fingerprint")]
    _system_fingerprint: Option<IgnoredAny>,
}

/// `{"index","delta":{…},"logprobs","finish_reason"}`; `text`, `message` or a choice's
/// `usage` (Kimi) take the general path.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Choice<'a> {
    #[serde(borrow)]
    delta: Delta<'a>,
    #[serde(borrow, default)]
    finish_reason: Option<Cow<'a, str>>,
    #[serde(default, rename = "index")]
    _index: Option<IgnoredAny>,
    #[serde(default, rename = "logprobs")]
    _logprobs: Option<IgnoredAny>,
}

/// Text deltas only: content parts, citations or tool calls take the general path.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Delta<'a> {
    #[serde(borrow, default)]
    content: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reasoning_content: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reasoning: Option<Cow<'a, str>>,
    #[serde(default, rename = "role")]
    _role: Option<IgnoredAny>,
}

/// Accepts nothing but JSON `null` (as `Option<Null>`, a missing or null field).
enum Null {}

impl<'de> Deserialize<'de> for Null {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(serde::de::Error::custom("not null"))
    }
}

/// Decodes `payload` if it has the common shape; `false` (and nothing pushed) sends it the
/// general way.
pub(super) fn decode(payload: &str, think: &mut ThinkSplitter, out: &mut Vec<StreamEvent>) -> bool {
    // A struct also parses from a JSON array; the general path refuses anything but an object.
    if payload.trim_start().as_bytes().first() != Some(&b'{') {
        return false;
    }
    let Ok(chunk) = serde_json::from_str::<Chunk<'_>>(payload) else {
        return false;
    };
    // `"object":"error"` is an error shape (vLLM) even without other error fields.
    if chunk.object.as_deref() == Some("error") {
        return false;
    }
    for choice in &chunk.choices {
        // Older new-api copies reasoning into both fields; show it once.
        let reasoning = [&choice.delta.reasoning_content, &choice.delta.reasoning]
            .into_iter()
            .find_map(|r| r.as_deref().filter(|s| !s.is_empty()));
        if let Some(r) = reasoning {
            out.push(StreamEvent::Reasoning(r.to_string()));
        }
        if let Some(text) = choice.delta.content.as_deref().filter(|s| !s.is_empty()) {
            think.push(text, out);
        }
        let finish = choice.finish_reason.as_deref().map(str::trim);
        if let Some(reason) = finish.filter(|r| !r.is_empty() && *r != "null") {
            think.flush(out);
            out.push(StreamEvent::Finish(reason.to_string()));
        }
    }
    true
}

#[cfg(test)]
mod tests;
