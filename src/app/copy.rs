//! Selecting a message in the conversation pane and copying it, or its code, with OSC 52.
//! The copy itself is the media panel's `Copy` effect: one path to the terminal's clipboard.
//!
//! A copy is the text as the screen shows it, never the raw reply: escape sequences the screen
//! drops (a clipboard write, a title, an 8-bit OSC hiding `;touch x` in a code block) are dropped
//! from the copy too, and other control characters are the same stand-ins as on screen.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use std::borrow::Cow;

use super::{App, Effect, Notice};
use crate::chat::{Message, Role};
use crate::sanitize::sanitize;
use crate::view::markdown::shown_source;

/// Said after a copy whose text differs from the raw message.
pub const STRIPPED_NOTE: &str = " · control sequences left out, as on screen";

/// Past this many bytes some terminals drop or cut an OSC 52 copy (xterm's default limit is
/// about 100 KB of base64).
const OSC52_COMFORT: usize = 74_000;

/// A fenced or indented code block of a markdown text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The fence's language, when it names one.
    pub lang: Option<String>,
    /// The code, without the final line break.
    pub text: String,
}

/// Every code block of `markdown`, in order; an unclosed fence runs to the end, as it renders.
pub fn code_blocks(markdown: &str) -> Vec<CodeBlock> {
    let mut out = Vec::new();
    let mut open: Option<CodeBlock> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(|l| l.trim_matches(['{', '}', '.']).to_string())
                        .filter(|l| !l.is_empty()),
                    CodeBlockKind::Indented => None,
                };
                open = Some(CodeBlock {
                    lang,
                    text: String::new(),
                });
            }
            Event::Text(t) => {
                if let Some(block) = open.as_mut() {
                    block.text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(mut block) = open.take() {
                    if block.text.ends_with('\n') {
                        block.text.pop();
                    }
                    out.push(block);
                }
            }
            _ => {}
        }
    }
    out
}

/// Index of the selected message, when it is still in the conversation.
pub fn selected_index(app: &App) -> Option<usize> {
    let id = app.selected?;
    app.conv.messages().iter().position(|m| m.id == id)
}

/// `[` / `]`: moves the selection by `delta` messages (the first press selects the newest) and
/// scrolls it into view.
pub(super) fn select(app: &mut App, delta: isize) -> Vec<Effect> {
    let count = app.conv.messages().len();
    if count == 0 {
        notice(app, "no messages to select", false);
        return Vec::new();
    }
    let at = match selected_index(app) {
        Some(i) => i.saturating_add_signed(delta).min(count - 1),
        None => count - 1,
    };
    app.selected = Some(app.conv.messages()[at].id);
    reveal(app, at);
    Vec::new()
}

/// Scrolls so that message `index` is on screen: its start when it is taller than the pane.
fn reveal(app: &mut App, index: usize) {
    let (start, end, total) = {
        let layout = app.layout();
        let start = layout.start_of(index).unwrap_or(0);
        // The last line of every message is the blank one separating it from the next.
        let end = layout
            .start_of(index + 1)
            .unwrap_or(start)
            .saturating_sub(1);
        (start, end.max(start + 1), layout.total_lines())
    };
    let height = app.viewport_height().max(1);
    let top = app.scroll_top();
    let new_top = if start < top {
        start
    } else if end > top + height {
        start.max(end - height)
    } else {
        top
    };
    let max_top = total.saturating_sub(height);
    app.scroll.top = new_top.min(max_top);
    app.scroll.follow = app.scroll.top >= max_top;
}

/// The text of `msg` as the screen shows it: a reply is markdown drawn chunk by chunk, a prompt
/// plain text.
pub fn shown_text(msg: &Message) -> Cow<'_, str> {
    match msg.role {
        Role::Assistant => shown_source(&msg.content),
        Role::User | Role::System => sanitize(&msg.content),
    }
}

/// `y`: the selected message, or else the last reply, as written (markdown source) and shown.
pub(super) fn copy_message(app: &mut App) -> Vec<Effect> {
    let picked = match selected_index(app) {
        Some(i) => app.conv.messages().get(i),
        None => last_reply(app, |m| !m.content.trim().is_empty()),
    };
    let Some(msg) = picked else {
        notice(app, "nothing to copy yet", false);
        return Vec::new();
    };
    if msg.content.trim().is_empty() {
        notice(app, "the selected message has no text", false);
        return Vec::new();
    }
    let what = match msg.role {
        Role::User => "your prompt",
        Role::Assistant => "the reply",
        Role::System => "the system prompt",
    };
    let shown = shown_text(msg);
    let stripped = matches!(shown, Cow::Owned(_));
    let text = shown.into_owned();
    copied(app, what, text, stripped)
}

/// `Y`: the last code block of the selected message, or else of the newest reply that has one.
pub(super) fn copy_code(app: &mut App) -> Vec<Effect> {
    let found = match selected_index(app) {
        Some(i) => {
            let found = last_shown_block(&app.conv.messages()[i]);
            if found.is_none() {
                notice(app, "the selected message has no code block", false);
                return Vec::new();
            }
            found
        }
        None => {
            let found = app
                .conv
                .messages()
                .iter()
                .rev()
                .filter(|m| m.role == Role::Assistant)
                .find_map(last_shown_block);
            if found.is_none() {
                notice(app, "no reply has a code block", false);
                return Vec::new();
            }
            found
        }
    };
    let Some((block, stripped)) = found else {
        return Vec::new();
    };
    let what = match &block.lang {
        Some(lang) => format!("the {lang} code block"),
        None => "the code block".to_string(),
    };
    copied(app, &what, block.text, stripped)
}

/// The last code block of `msg` as shown, and whether it differs from the raw text's.
fn last_shown_block(msg: &Message) -> Option<(CodeBlock, bool)> {
    let shown = shown_text(msg);
    let mut blocks = code_blocks(&shown);
    let index = blocks.len().checked_sub(1)?;
    let block = blocks.pop()?;
    let stripped = match shown {
        Cow::Borrowed(_) => false,
        Cow::Owned(_) => code_blocks(&msg.content)
            .get(index)
            .is_none_or(|raw| raw.text != block.text),
    };
    Some((block, stripped))
}

fn last_reply(app: &App, wanted: impl Fn(&Message) -> bool) -> Option<&Message> {
    // Over a comparison, the reply read is the focused column's.
    if let Some(m) = app.focused_reply().filter(|m| wanted(m)) {
        return Some(m);
    }
    app.conv
        .messages()
        .iter()
        .rev()
        .find(|m| m.role == Role::Assistant && wanted(m))
}

/// The status line for a copy and the effect that makes it; `stripped` says the copy differs
/// from the raw text.
fn copied(app: &mut App, what: &str, text: String, stripped: bool) -> Vec<Effect> {
    let mut line = format!("copied {what}: {} (OSC 52)", size(&text));
    if stripped {
        line.push_str(STRIPPED_NOTE);
    }
    if text.len() > OSC52_COMFORT {
        line.push_str(" · large: some terminals cut copies this big");
    }
    notice(app, line, false);
    vec![Effect::Copy { text }]
}

/// `3 lines, 120 bytes`, `1 line, 2.4 KB`.
pub fn size(text: &str) -> String {
    let lines = text.lines().count().max(1);
    let plural = if lines == 1 { "" } else { "s" };
    let bytes = text.len();
    let amount = if bytes == 1 {
        "1 byte".to_string()
    } else if bytes < 1024 {
        format!("{bytes} bytes")
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    };
    format!("{lines} line{plural}, {amount}")
}

fn notice(app: &mut App, text: impl Into<String>, is_error: bool) {
    app.notice = Some(Notice {
        text: text.into(),
        is_error,
    });
}

#[cfg(test)]
mod tests;
