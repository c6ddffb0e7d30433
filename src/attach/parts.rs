//! Content parts on the wire: the text first, then one part per image or PDF.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{Attachment, Body};
use crate::api::client::WireMessage;

/// What replaces an image part sent earlier when the model now in use takes no images.
pub const IMAGE_OMITTED: &str = "[image omitted]";

/// The part for one attachment; `None` for text files, which go into the text part.
fn part(a: &Attachment) -> Option<Value> {
    match &a.body {
        Body::Image { mime, bytes, .. } => Some(json!({
            "type": "image_url",
            "image_url": {"url": format!("data:{mime};base64,{}", STANDARD.encode(bytes))},
        })),
        Body::ImageUrl(url) => Some(json!({"type": "image_url", "image_url": {"url": url}})),
        Body::Pdf(bytes) => Some(json!({
            "type": "file",
            "file": {
                "filename": a.name,
                "file_data": format!("data:application/pdf;base64,{}", STANDARD.encode(bytes)),
            },
        })),
        Body::Text(_) => None,
    }
}

/// The images of `attachments` as a task route takes them: a `data:` URI for a file, the link
/// for an image on the web. Text files and PDFs have none.
pub fn image_refs(attachments: &[Attachment]) -> Vec<String> {
    attachments
        .iter()
        .filter_map(|a| match &a.body {
            Body::Image { mime, bytes, .. } => {
                Some(format!("data:{mime};base64,{}", STANDARD.encode(bytes)))
            }
            Body::ImageUrl(url) => Some(url.clone()),
            Body::Text(_) | Body::Pdf(_) => None,
        })
        .collect()
}

/// A message as sent: text files inlined into its text, images and PDFs as parts after it.
pub fn wire_message(role: &str, text: &str, attachments: &[Attachment]) -> WireMessage {
    let mut wire = WireMessage::new(role, super::inline_text(text, attachments));
    wire.parts = attachments.iter().filter_map(part).collect();
    wire
}

/// Replaces the image and file parts of every message but the last with a placeholder in
/// its text, for a model that takes no images (DeepSeek refuses a request with any part).
pub fn omit_earlier_images(messages: &mut [WireMessage]) {
    let Some((_, earlier)) = messages.split_last_mut() else {
        return;
    };
    for m in earlier {
        for p in std::mem::take(&mut m.parts) {
            let placeholder = match p["file"]["filename"].as_str() {
                Some(name) => format!("[file omitted: {name}]"),
                None => IMAGE_OMITTED.to_string(),
            };
            if !m.content.is_empty() {
                m.content.push('\n');
            }
            m.content.push_str(&placeholder);
        }
    }
}
