//! Deleting an exchange (a prompt and its reply) from the conversation: a failed or unwanted
//! turn goes from the screen, from later requests and, through `sessions::persist`, the store.

use super::{App, Effect, Notice};
use crate::chat::Role;

/// The ids of the exchange that message `id` belongs to: a prompt with the reply after it, or
/// a reply with the prompt before it. `None` for the system prompt or an unknown id.
pub fn exchange_of(app: &App, id: u64) -> Option<Vec<u64>> {
    let msgs = &app.conv.messages();
    let i = msgs.iter().position(|m| m.id == id)?;
    let (first, last) = match msgs[i].role {
        Role::System => return None,
        Role::User => (i, i + 1),
        Role::Assistant => (i.saturating_sub(1), i),
    };
    Some(
        (first..=last)
            .filter_map(|j| msgs.get(j))
            .filter(|m| m.id == id || (m.role != msgs[i].role && m.role != Role::System))
            .map(|m| m.id)
            .collect(),
    )
}

/// `d` in the conversation: the first press on a selected message asks, a second one deletes
/// its exchange. Any other key in between disarms it (see `update`).
pub(super) fn delete_selected(app: &mut App) -> Vec<Effect> {
    let Some(id) = app
        .selected
        .filter(|id| app.conv.messages().iter().any(|m| m.id == *id))
    else {
        notice(
            app,
            "select a message first ([ and ] in the conversation)",
            false,
        );
        return Vec::new();
    };
    if app.replying() || app.media.generating.is_some() {
        notice(app, "a reply is still arriving: Esc cancels it", false);
        return Vec::new();
    }
    let Some(ids) = exchange_of(app, id) else {
        notice(
            app,
            "the system prompt is removed with /system (no text)",
            false,
        );
        return Vec::new();
    };
    if app.delete_armed != Some(id) {
        app.delete_armed = Some(id);
        let what = if ids.len() > 1 {
            "this prompt and its reply"
        } else {
            "this message"
        };
        notice(app, &format!("press d again to delete {what}"), false);
        return Vec::new();
    }
    app.delete_armed = None;
    app.conv.remove(&ids);
    app.selected = None;
    let saved = if app.sessions.saving() {
        " (and from the saved session)"
    } else {
        ""
    };
    notice(
        app,
        &format!("deleted {} message(s){saved}", ids.len()),
        false,
    );
    Vec::new()
}

fn notice(app: &mut App, text: &str, is_error: bool) {
    app.notice = Some(Notice {
        text: text.into(),
        is_error,
    });
}
