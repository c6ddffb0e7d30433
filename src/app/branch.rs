//! Alternatives and branches: `<` and `>` show another alternative of a turn (a retried reply,
//! an edited prompt, another model's answer); `e` puts a prompt back in the input, and sending
//! it starts a new branch in its place. The tree's rules are `chat::Conversation`'s.

use super::{App, Effect, Focus, Notice};
use crate::chat::Role;

/// Shows the alternative `step` places from the selected message, else from the last reply.
pub(super) fn switch(app: &mut App, step: isize) -> Vec<Effect> {
    if app.replying() {
        say(app, super::notice::STILL_STREAMING);
        return Vec::new();
    }
    let target = app.selected.or_else(|| {
        app.conv
            .messages()
            .iter()
            .rev()
            .find(|m| m.role == Role::Assistant)
            .map(|m| m.id)
    });
    let Some(id) = target else {
        say(app, "nothing to switch: no reply yet");
        return Vec::new();
    };
    let fork = app.conv.get(id).and_then(|m| m.fork);
    match app.conv.switch(id, step) {
        Some(shown) => {
            if app.selected.is_some() {
                app.selected = Some(shown);
            }
            if let Some(f) = app.conv.get(shown).and_then(|m| m.fork) {
                say(app, &format!("alternative {}/{}", f.index, f.count));
            }
        }
        None if fork.is_none() => say(
            app,
            "no alternatives here: Ctrl+R keeps the old reply as one, e edits a prompt",
        ),
        None if step < 0 => say(app, "this is the first alternative"),
        None => say(app, "this is the last alternative"),
    }
    Vec::new()
}

/// Puts the selected prompt (and its attachments) in the input; sending it starts a new
/// branch. `None` when no prompt is selected, so the key can mean something else.
pub(super) fn edit_selected(app: &mut App) -> Option<Vec<Effect>> {
    let id = app.selected?;
    let m = app.conv.get(id)?;
    if m.role != Role::User {
        say(app, "e edits a prompt of yours: select one with [ and ]");
        return Some(Vec::new());
    }
    if app.replying() {
        say(app, super::notice::STILL_STREAMING);
        return Some(Vec::new());
    }
    let (text, attachments) = (m.content.clone(), m.attachments.clone());
    // A draft is never lost: it goes to the history, where Up finds it.
    let had_draft = !app.prompt.is_empty();
    if had_draft {
        app.prompt.take(&app.theme);
    }
    app.prompt.set_text(&text, &app.theme);
    for a in attachments {
        if !app.attach.pending.contains(&a) {
            app.attach.pending.push(a);
        }
    }
    app.editing = Some(id);
    app.selected = None;
    app.focus = Focus::Input;
    let mut text = String::from("editing: sending starts a new branch; the old one stays");
    if had_draft {
        text.push_str(" · your draft is in the history (Up)");
    }
    say(app, &text);
    Some(Vec::new())
}

/// Esc while editing a prompt: the text stays, and sending it continues the conversation.
pub(super) fn stop_editing(app: &mut App) -> bool {
    if app.editing.take().is_none() {
        return false;
    }
    say(
        app,
        "stopped editing: the text stays and continues the conversation",
    );
    true
}

/// Before a prompt edited with `e` is added: the branch it replaces is set aside.
pub(super) fn before_send(app: &mut App) {
    if let Some(id) = app.editing.take() {
        app.conv.branch_before(id);
    }
}

fn say(app: &mut App, text: &str) {
    app.notice = Some(Notice {
        text: text.into(),
        is_error: false,
    });
}

#[cfg(test)]
#[path = "branch_tests.rs"]
mod tests;
