//! Content parts on the wire: the text first, then one part per image or PDF. The base64 in
//! them was encoded when the file was attached: a part holds a shared handle to it.

use super::{Attachment, Body};
use crate::api::client::{Part, WireMessage};

/// What replaces an image part sent earlier when the model now in use takes no images.
pub const IMAGE_OMITTED: &str = "[image omitted]";

/// The part for one attachment; `None` for text files, which go into the text part.
fn part(a: &Attachment) -> Option<Part> {
    match &a.body {
        Body::Image { data_url, .. } => Some(Part::Image(data_url.clone())),
        Body::ImageUrl(url) => Some(Part::Image(url.as_str().into())),
        Body::Pdf(pdf) => Some(Part::Pdf {
            name: a.name.clone(),
            data_url: pdf.data_url.clone(),
            text: pdf.text.clone(),
        }),
        Body::Text(_) => None,
    }
}

/// The images of `attachments` as a task route takes them: a `data:` URI for a file, the link
/// for an image on the web. Text files and PDFs have none.
pub fn image_refs(attachments: &[Attachment]) -> Vec<String> {
    attachments
        .iter()
        .filter_map(|a| match &a.body {
            Body::Image { data_url, .. } => Some(data_url.to_string()),
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

fn push_block(content: &mut String, block: &str, separator: &str) {
    if !content.is_empty() {
        content.push_str(separator);
    }
    content.push_str(block);
}

/// For a model that reads no `file` parts: each PDF's text goes into its message's text, as
/// a text file's does; a PDF without text becomes a placeholder (sending was refused for
/// the prompt itself, so this is an earlier turn's).
pub fn inline_pdfs(messages: &mut [WireMessage]) {
    for m in messages {
        if !m.parts.iter().any(|p| matches!(p, Part::Pdf { .. })) {
            continue;
        }
        for p in std::mem::take(&mut m.parts) {
            match p {
                Part::Pdf { text: Ok(text), .. } => push_block(&mut m.content, &text, "\n\n"),
                Part::Pdf { name, .. } => {
                    push_block(&mut m.content, &format!("[file omitted: {name}]"), "\n");
                }
                image => m.parts.push(image),
            }
        }
    }
}

/// Replaces the image and file parts of every message but the last with a placeholder in
/// its text, for a model that takes no images (DeepSeek refuses a request with any part).
pub fn omit_earlier_images(messages: &mut [WireMessage]) {
    let Some((_, earlier)) = messages.split_last_mut() else {
        return;
    };
    for m in earlier {
        for p in std::mem::take(&mut m.parts) {
            let placeholder = match p {
                Part::Pdf { name, .. } => format!("[file omitted: {name}]"),
                Part::Image(_) => IMAGE_OMITTED.to_string(),
            };
            push_block(&mut m.content, &placeholder, "\n");
        }
    }
}
