//! Text files inlined into the prompt, each in a fenced block no line inside can close.

use super::{Attachment, Body};

/// A backtick fence longer than any run of backticks in `text` (at least three).
pub fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

/// The info string for a file's fence: its extension when it is a plain word.
fn language(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() && ext.chars().all(|c| c.is_ascii_alphanumeric()) => ext,
        _ => "",
    }
}

/// A file as inlined: its name, then its contents in a fence nothing inside can close.
pub fn fenced(name: &str, text: &str) -> String {
    let fence = fence_for(text);
    let mut out = String::with_capacity(name.len() + text.len() + 2 * fence.len() + 16);
    out.push_str(name);
    out.push_str(":\n");
    out.push_str(&fence);
    out.push_str(language(name));
    out.push('\n');
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out
}

/// The prompt followed by every text attachment: its name, then its contents fenced.
pub fn inline_text(prompt: &str, attachments: &[Attachment]) -> String {
    let mut out = prompt.to_string();
    for a in attachments {
        let Body::Text(text) = &a.body else {
            continue;
        };
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&fenced(&a.name, text));
    }
    out
}
