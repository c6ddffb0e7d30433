//! The mouse: the wheel scrolls what is under the pointer, a click focuses the pane under it,
//! a click on a media item selects it.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::{App, Focus, Overlay};
use crate::keymap::MediaKey;
use crate::view::media::{list_skip, panel_parts};

/// Lines moved by one wheel notch in the conversation.
const WHEEL_LINES: isize = 3;

/// Where the pointer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pane {
    Conversation,
    Media(Rect),
    Input,
}

fn pane_at(app: &App, m: &MouseEvent) -> Option<Pane> {
    let panes = app.panes()?;
    let at = Position::new(m.column, m.row);
    if panes.conversation.contains(at) {
        Some(Pane::Conversation)
    } else if let Some(panel) = panes.media.filter(|p| p.contains(at)) {
        Some(Pane::Media(panel))
    } else if panes.input.contains(at) {
        Some(Pane::Input)
    } else {
        None
    }
}

/// Applies one mouse event.
pub(super) fn on_mouse(app: &mut App, m: MouseEvent) {
    let up = match m.kind {
        MouseEventKind::ScrollUp => Some(true),
        MouseEventKind::ScrollDown => Some(false),
        _ => None,
    };
    match (&mut app.overlay, up) {
        (None, _) => {}
        (Some(Overlay::Help), Some(up)) => {
            app.help_scroll = if up {
                app.help_scroll.saturating_sub(WHEEL_LINES as usize)
            } else {
                app.help_scroll + WHEEL_LINES as usize
            }
            .min(crate::view::help::max_scroll(
                &app.help_sections(),
                &app.theme,
                app.area,
            ));
            return;
        }
        (Some(Overlay::Picker(p)), Some(up)) => {
            p.move_by(if up { -1 } else { 1 });
            return;
        }
        // Other popups, and clicks on any popup, are left alone.
        (Some(_), _) => return,
    }
    let Some(pane) = pane_at(app, &m) else { return };
    if let Some(up) = up {
        match pane {
            Pane::Conversation => {
                let delta = if up { -WHEEL_LINES } else { WHEEL_LINES };
                if !super::compare::mouse(app, m.column, Some(delta)) {
                    super::update::scroll_by(app, delta);
                }
            }
            // The list follows its selection, so the wheel moves the selection.
            Pane::Media(_) => {
                let command = if up { MediaKey::Up } else { MediaKey::Down };
                super::media::run(app, command);
            }
            Pane::Input => {}
        }
        return;
    }
    if m.kind != MouseEventKind::Down(MouseButton::Left) {
        return;
    }
    app.focus = match pane {
        Pane::Conversation => {
            if !super::compare::mouse(app, m.column, None) {
                select_message_row(app, m.row);
            }
            Focus::Conversation
        }
        Pane::Input => Focus::Input,
        Pane::Media(panel) => {
            select_media_row(app, panel, m.row);
            Focus::Media
        }
    };
}

/// Selects the message drawn on screen row `row`, if any.
fn select_message_row(app: &mut App, row: u16) {
    let Some(panes) = app.panes() else { return };
    let line = app.scroll_top() + usize::from(row - panes.conversation.y);
    let index = {
        let layout = app.layout();
        (0..app.conv.messages().len()).find(|&i| {
            layout.start_of(i).is_some_and(|s| s <= line)
                && layout.start_of(i + 1).is_some_and(|e| line < e)
        })
    };
    if let Some(i) = index {
        app.selected = Some(app.conv.messages()[i].id);
    }
}

/// Selects the media item drawn on screen row `row`, if any.
fn select_media_row(app: &mut App, panel: Rect, row: u16) {
    let media = &mut app.media;
    let list = panel_parts(panel, media.items.len()).list;
    if row < list.y || row >= list.bottom() {
        return;
    }
    let selected = media.selected_index().unwrap_or(0);
    let index = list_skip(selected, usize::from(list.height)) + usize::from(row - list.y);
    let url = media.newest_first().nth(index).map(|i| i.link.url.clone());
    if url.is_some() {
        media.selected = url;
    }
}

#[cfg(test)]
mod tests;
