//! Attachments in the store: one row per attachment of a message, the bytes once per content
//! in `attachment_blobs` (SHA-256 addressed), so a picture sent in ten sessions is kept once.
//! Triggers (schema v5) drop a message's rows with it and a blob with its last user.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::attach::{Attachment, Body};
use crate::chat::{Message, MessageFields};

fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes the attachments of `m` once: a message's attachments never change after it is sent,
/// so later saves of the same message (checkpoints, a title change) cost one lookup.
pub fn save(conn: &Connection, session: i64, m: &Message) -> rusqlite::Result<()> {
    if m.attachments.is_empty() {
        return Ok(());
    }
    let seq = m.id as i64;
    let written: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM message_attachments WHERE session_id = ?1 AND seq = ?2 LIMIT 1",
            params![session, seq],
            |r| r.get(0),
        )
        .optional()?;
    if written.is_some() {
        return Ok(());
    }
    for (position, a) in m.attachments.iter().enumerate() {
        let (kind, mime, size, url, bytes): (_, _, _, _, Option<&[u8]>) = match &a.body {
            Body::Image {
                mime,
                bytes,
                width,
                height,
                ..
            } => (
                "image",
                Some(*mime),
                Some((*width, *height)),
                None,
                Some(bytes),
            ),
            Body::Text(t) => ("text", None, None, None, Some(t.as_bytes())),
            Body::Pdf(p) => ("pdf", None, None, None, Some(&p.bytes)),
            Body::ImageUrl(u) => ("url", None, None, Some(u.as_str()), None),
        };
        let key = match bytes {
            Some(bytes) => {
                let key = hash(bytes);
                conn.execute(
                    "INSERT OR IGNORE INTO attachment_blobs (hash, bytes) VALUES (?1, ?2)",
                    params![key, bytes],
                )?;
                Some(key)
            }
            None => None,
        };
        conn.execute(
            "INSERT OR REPLACE INTO message_attachments
                 (session_id, seq, position, name, kind, mime, width, height, url, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                session,
                seq,
                position as i64,
                a.name,
                kind,
                mime,
                size.map(|s| s.0),
                size.map(|s| s.1),
                url,
                key
            ],
        )?;
    }
    Ok(())
}

/// The stored attachment, or `None` for a row this build cannot read back (a kind from a
/// newer ecochat, a blob that is not UTF-8 where text was expected).
fn attachment(
    name: String,
    kind: &str,
    mime: Option<String>,
    size: (Option<u32>, Option<u32>),
    url: Option<String>,
    bytes: Option<Vec<u8>>,
) -> Option<Attachment> {
    let body = match kind {
        // The store thread is an edge: the base64 and a PDF's text are made here, once, so
        // sending a resumed session encodes nothing.
        "image" => Body::image(
            match mime.as_deref()? {
                "image/png" => "image/png",
                "image/webp" => "image/webp",
                "image/gif" => "image/gif",
                _ => "image/jpeg",
            },
            Arc::from(bytes?),
            size.0?,
            size.1?,
        ),
        "text" => Body::Text(String::from_utf8(bytes?).ok()?.into()),
        "pdf" => Body::pdf(
            &name,
            Arc::from(bytes?),
            crate::attach::DEFAULT_MAX_TEXT_BYTES,
        ),
        "url" => Body::ImageUrl(url?),
        _ => return None,
    };
    Some(Attachment { name, body })
}

/// Puts each message's attachments back (`messages` are those of `session`).
pub fn load_into(
    conn: &Connection,
    session: i64,
    messages: &mut [MessageFields],
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "SELECT a.seq, a.name, a.kind, a.mime, a.width, a.height, a.url, b.bytes
         FROM message_attachments a LEFT JOIN attachment_blobs b ON b.hash = a.hash
         WHERE a.session_id = ?1 ORDER BY a.seq, a.position",
    )?;
    let mut by_seq: HashMap<u64, Vec<Attachment>> = HashMap::new();
    let mut rows = stmt.query([session])?;
    while let Some(r) = rows.next()? {
        let seq = r.get::<_, i64>(0)? as u64;
        let kind: String = r.get(2)?;
        if let Some(a) = attachment(
            r.get(1)?,
            &kind,
            r.get(3)?,
            (r.get(4)?, r.get(5)?),
            r.get(6)?,
            r.get(7)?,
        ) {
            by_seq.entry(seq).or_default().push(a);
        }
    }
    for m in messages {
        if let Some(list) = by_seq.remove(&m.id) {
            m.attachments = list;
        }
    }
    Ok(())
}

/// How many attachment blobs the store holds (tests of the garbage collection).
#[cfg(test)]
pub fn blob_count(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM attachment_blobs", [], |r| r.get(0))
        .unwrap_or(-1)
}

#[cfg(test)]
#[path = "attachments_tests.rs"]
mod tests;
