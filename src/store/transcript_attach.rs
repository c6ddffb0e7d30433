//! Attachments in transcripts: listed under their prompt, images written beside the Markdown
//! file (`attachments/<hash>.<ext>`, so the same picture is one file) and linked from it.

use std::io;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::attach::{Attachment, Body};
use crate::chat::Message;
use crate::files::{self, Access};
use crate::sanitize::sanitize;

/// Where an image attachment goes, relative to the transcript.
fn image_path(mime: &str, bytes: &[u8]) -> String {
    let hash: String = Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let ext = mime.strip_prefix("image/").unwrap_or("img");
    format!("attachments/{hash}.{ext}")
}

/// A name for link text: one line, no brackets to end the link early.
fn label(a: &Attachment) -> String {
    sanitize(&a.name).replace(['\n', '\r', '[', ']'], " ")
}

/// The `**Attachments**` list of a message (empty with none).
pub fn markdown(m: &Message) -> String {
    if m.attachments.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n**Attachments**\n\n");
    for a in &m.attachments {
        let name = label(a);
        let line = match &a.body {
            Body::Image {
                mime,
                bytes,
                width,
                height,
                ..
            } => format!(
                "- ![{name}]({}) ({}, {width}x{height})\n",
                image_path(mime, bytes),
                crate::attach::human_size(bytes.len())
            ),
            Body::ImageUrl(url) => {
                format!("- ![{name}](<{}>)\n", sanitize(url).replace(['<', '>'], ""))
            }
            Body::Text(_) => format!("- {name} ({}, text sent inline)\n", a.describe()),
            Body::Pdf(_) => format!("- {name} ({}, PDF)\n", a.describe()),
        };
        out.push_str(&line);
    }
    out
}

/// The image files a Markdown transcript of `messages` links to: relative path and bytes.
pub fn files(messages: &[Message]) -> Vec<(String, Arc<[u8]>)> {
    let mut out: Vec<(String, Arc<[u8]>)> = Vec::new();
    for a in messages.iter().flat_map(|m| &m.attachments) {
        if let Body::Image { mime, bytes, .. } = &a.body {
            let path = image_path(mime, bytes);
            if !out.iter().any(|(p, _)| *p == path) {
                out.push((path, bytes.clone()));
            }
        }
    }
    out
}

/// Writes `files` under `dir` (the transcript's directory), owner-only like the transcript.
pub fn write_files(dir: &Path, files: &[(String, Arc<[u8]>)]) -> io::Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    files::create_private_dir(&dir.join("attachments"))?;
    for (rel, bytes) in files {
        let path = dir.join(rel);
        // Named by content: a file already there holds these bytes.
        if !path.exists() {
            files::write_atomic(&path, bytes, Access::Private)?;
        }
    }
    Ok(())
}

/// The attachments of a message in the JSON export: what they were, not their bytes.
pub fn json(m: &Message) -> Value {
    m.attachments
        .iter()
        .map(|a| {
            let (kind, extra) = match &a.body {
                Body::Image {
                    mime,
                    width,
                    height,
                    ..
                } => (
                    "image",
                    json!({"mime": mime, "width": width, "height": height}),
                ),
                Body::ImageUrl(url) => ("url", json!({"url": url})),
                Body::Text(_) => ("text", json!({})),
                Body::Pdf(_) => ("pdf", json!({})),
            };
            let mut v = json!({"name": a.name, "kind": kind, "bytes": a.size()});
            if let (Some(v), Value::Object(extra)) = (v.as_object_mut(), extra) {
                v.extend(extra);
            }
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::Role;
    use crate::store::commands::{ExportFormat, export};
    use crate::store::{NewSession, Store};

    fn sent_with_attachments() -> Message {
        let mut m = Message::new(0, Role::User, "看图", chrono::Local::now());
        m.attach(vec![
            Attachment {
                name: "猫[1].png".into(),
                body: Body::image("image/png", b"png bytes".to_vec().into(), 64, 48),
            },
            Attachment {
                name: "notes.md".into(),
                body: Body::Text("# a".into()),
            },
        ]);
        m
    }

    #[test]
    fn export_lists_attachments_and_writes_images_next_to_the_markdown() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let mut store = Store::open(&db).unwrap();
        let id = store
            .create_session(&NewSession {
                title: "图".into(),
                model: "m".into(),
                created: chrono::Local::now(),
            })
            .unwrap();
        let m = sent_with_attachments();
        store.save_messages(id, "m", &[m.clone(), m]).unwrap();
        drop(store);
        let out_dir = dir.path().join("out");
        std::fs::create_dir(&out_dir).unwrap();
        let md = out_dir.join("t.md");
        export(&db, id, ExportFormat::Md, Some(&md), &mut Vec::new()).unwrap();
        let text = std::fs::read_to_string(&md).unwrap();
        let rel = image_path("image/png", b"png bytes");
        assert!(
            text.contains(&format!(
                "**Attachments**\n\n- ![猫 1 .png]({rel}) (9 B, 64x48)\n- notes.md (3 B, text sent inline)\n"
            )),
            "{text}"
        );
        assert_eq!(std::fs::read(out_dir.join(&rel)).unwrap(), b"png bytes");
        let mut json = Vec::new();
        export(&db, id, ExportFormat::Json, None, &mut json).unwrap();
        let json: Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(
            json["messages"][0]["attachments"][0],
            json!({"name": "猫[1].png", "kind": "image", "bytes": 9, "mime": "image/png", "width": 64, "height": 48})
        );
    }

    #[test]
    fn the_same_picture_twice_is_one_file() {
        let m = sent_with_attachments();
        assert_eq!(files(&[m.clone(), m]).len(), 1);
    }
}
