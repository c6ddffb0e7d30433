//! Transcripts: a conversation as readable Markdown or as JSON, written atomically.

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local};
use serde_json::{Value, json};

use super::links::{self, LinkKind};
use super::rows::status_text;
use super::{SessionId, StoredSession};
use crate::chat::{Message, Role, Status};
use crate::files::{self, Access};
use crate::sanitize::sanitize;

/// What a transcript says about the conversation as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptMeta {
    pub title: String,
    pub session: Option<SessionId>,
    pub created: DateTime<Local>,
}

/// The conversation as Markdown: title, date, each message under a heading naming its author
/// (the model for replies) and time, reasoning folded in `<details>`, media links listed with
/// images embedded. Text from the model is kept as Markdown; control sequences are neutralised.
pub fn markdown(meta: &TranscriptMeta, messages: &[Message]) -> String {
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", clean_line(&meta.title)));
    out.push_str(&format!(
        "- Date: {}\n",
        meta.created.format("%Y-%m-%d %H:%M")
    ));
    if let Some(id) = meta.session {
        out.push_str(&format!("- Session: {id}\n"));
    }
    let mut models: Vec<&str> = Vec::new();
    for m in messages.iter().filter_map(|m| m.model.as_deref()) {
        if !models.contains(&m) {
            models.push(m);
        }
    }
    if !models.is_empty() {
        out.push_str(&format!("- Models: {}\n", clean_line(&models.join(", "))));
    }
    let spent = crate::cost::book::totals(messages.iter().filter_map(|m| m.cost));
    if !spent.is_empty() {
        let total = crate::cost::book::totals_text(&spent);
        out.push_str(&format!("- Cost: {total}\n"));
    }
    out.push_str("\n---\n");
    for m in messages {
        message_markdown(&mut out, m, meta.created);
    }
    out
}

fn message_markdown(out: &mut String, m: &Message, day: DateTime<Local>) {
    let who = match m.role {
        Role::User => "You".to_string(),
        Role::System => "System".to_string(),
        Role::Assistant => clean_line(m.model.as_deref().unwrap_or("Assistant")),
    };
    let when = if m.created.date_naive() == day.date_naive() {
        m.created.format("%H:%M").to_string()
    } else {
        m.created.format("%Y-%m-%d %H:%M").to_string()
    };
    out.push_str(&format!("\n## {who} · {when}\n\n"));
    if !m.reasoning.trim().is_empty() {
        // A literal closing tag in the reasoning would end the fold early.
        let reasoning = sanitize(m.reasoning.trim()).replace("</details>", "&lt;/details>");
        out.push_str("<details>\n<summary>Reasoning</summary>\n\n");
        out.push_str(&reasoning);
        out.push_str("\n\n</details>\n\n");
    }
    let content = m.content.trim_end();
    if !content.is_empty() {
        out.push_str(&sanitize(content));
        out.push('\n');
    }
    let media: Vec<_> = links::extract(&m.content)
        .into_iter()
        .filter(|l| l.kind != LinkKind::Link)
        .collect();
    if !media.is_empty() {
        out.push_str("\n**Media**\n\n");
        for l in &media {
            let url = link_target(&l.url);
            // The alt text says what the image was; a `]` in it would end the link early.
            let label = l
                .label
                .as_deref()
                .map(|t| clean_line(t).replace(['[', ']'], ""))
                .filter(|t| !t.trim().is_empty());
            match (l.kind, label) {
                (LinkKind::Image, label) => {
                    out.push_str(&format!("- ![{}]({url})\n", label.unwrap_or_default()))
                }
                (LinkKind::Audio, label) => out.push_str(&format!(
                    "- [{}]({url})\n",
                    label.map_or("audio".into(), |t| format!("audio: {t}"))
                )),
                (LinkKind::Video, label) => out.push_str(&format!(
                    "- [{}]({url})\n",
                    label.map_or("video".into(), |t| format!("video: {t}"))
                )),
                (LinkKind::Link, _) => {}
            }
        }
    }
    out.push_str(&super::transcript_attach::markdown(m));
    if !m.citations.is_empty() {
        out.push_str("\n**Sources**\n\n");
        for (i, c) in m.citations.iter().enumerate() {
            let title = clean_line(&c.title).replace(['[', ']'], "");
            out.push_str(&format!("{}. [{title}]({})\n", i + 1, link_target(&c.url)));
        }
    }
    if let Some(cost) = m.cost {
        let line = crate::cost::reply_line(cost, m.usage.as_ref());
        out.push_str(&format!("\n*{line}*\n"));
    }
    if let Some(note) = status_note(m) {
        out.push_str(&format!("\n> *{}*\n", clean_line(&note)));
    }
}

/// A sentence for a reply that did not simply finish.
fn status_note(m: &Message) -> Option<String> {
    match &m.status {
        Status::Done if m.truncated => Some(
            "The stream ended without [DONE] or a finish reason: the reply may be truncated."
                .into(),
        ),
        Status::Done => None,
        Status::Waiting | Status::Streaming => Some("Still arriving when this was saved.".into()),
        Status::Cancelled => Some("Cancelled: the reply above is partial.".into()),
        Status::Interrupted(e) => Some(format!("Interrupted: {e}")),
        Status::Failed(e) => Some(format!("Failed: {e}")),
    }
}

/// Text for a single line: controls neutralised, line breaks turned into spaces.
fn clean_line(s: &str) -> String {
    sanitize(s).replace(['\n', '\r'], " ")
}

/// A URL as a Markdown link target; `<...>` when it holds characters that would end it.
fn link_target(url: &str) -> String {
    let url = clean_line(url);
    if url.contains([' ', '(', ')', '<', '>']) {
        format!("<{}>", url.replace(['<', '>'], ""))
    } else {
        url
    }
}

/// The session as JSON: every stored field of the session and its messages, the alternatives
/// off the branch shown included (`parent` links them; `shown` marks the branch).
pub fn json(session: &StoredSession) -> String {
    let s = &session.summary;
    let conv = crate::chat::Conversation::from_messages(session.messages.clone());
    let on_path: std::collections::HashSet<u64> = conv.messages().iter().map(|m| m.id).collect();
    let messages: Vec<Value> = session
        .messages
        .iter()
        .map(|m| message_json(m, on_path.contains(&m.id)))
        .collect();
    let doc = json!({
        "id": s.id,
        "title": s.title,
        "model": s.model,
        "created": s.created.to_rfc3339(),
        "updated": s.updated.to_rfc3339(),
        "cost": crate::cost::book::totals(session.messages.iter().filter_map(|m| m.cost))
            .into_iter()
            .map(cost_json)
            .collect::<Vec<_>>(),
        "messages": messages,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn message_json(m: &Message, shown: bool) -> Value {
    let (status, error) = status_text(&m.status);
    json!({
        "seq": m.id,
        "parent": m.parent,
        "shown": shown,
        "role": m.role.as_str(),
        "content": m.content,
        "reasoning": m.reasoning,
        "model": m.model,
        "created": m.created.to_rfc3339(),
        "status": status,
        "error": error,
        "finish_reason": m.finish_reason,
        "truncated": m.truncated,
        "usage": m.usage,
        "cost": m.cost.map(cost_json),
        "citations": m.citations,
        "media": links::extract(&m.content),
        "attachments": super::transcript_attach::json(m),
    })
}

/// An amount as JSON: exact micro-units, the currency code, and the decimal text.
fn cost_json(m: crate::cost::Money) -> Value {
    json!({
        "micros": m.micros,
        "currency": m.currency.code(),
        "amount": crate::cost::money::decimal(m.micros, 6),
    })
}

/// Saves a Markdown transcript in `dir` as `<stem>.md` (`<stem>-2.md`, ... when taken), or over
/// `previous` when this conversation was saved there before. Returns the path written.
/// Transcripts are chats: owner-only (0600), like the database; a new `dir` is made 0700.
pub fn save(dir: &Path, stem: &str, text: &str, previous: Option<&Path>) -> io::Result<PathBuf> {
    files::create_private_dir(dir)?;
    let path = match previous.filter(|p| p.parent() == Some(dir)) {
        Some(p) => p.to_path_buf(),
        None => (1..)
            .map(|n| match n {
                1 => dir.join(format!("{stem}.md")),
                n => dir.join(format!("{stem}-{n}.md")),
            })
            .find(|p| !p.exists())
            .unwrap_or_else(|| dir.join(format!("{stem}.md"))),
    };
    files::write_atomic(&path, text.as_bytes(), Access::Private)?;
    Ok(path)
}

#[cfg(test)]
#[path = "transcript_tests.rs"]
mod tests;
