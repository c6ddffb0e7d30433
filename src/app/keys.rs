//! A key's way to its command: the key map resolves it (overlay, focused pane, global) and
//! this runs the first command that takes it; a key no command takes types or edits.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::CursorMove;

use super::update::{run_command, scroll_by};
use super::{App, Effect, Focus, Overlay};
use crate::keymap::{
    Bound, Command, ConversationKey, HelpKey, KeyContext, Layer, PickerKey, PromptKey,
};

/// What the key map needs to know of the app to resolve a key.
pub fn context(app: &App) -> KeyContext {
    let (overlay, field_idle) = match &app.overlay {
        Some(Overlay::Picker(p)) => (Some(Layer::Picker), p.query.is_empty()),
        Some(Overlay::Sessions) => (Some(Layer::Browser), super::browser::list_focused(app)),
        Some(Overlay::Help) => (Some(Layer::Help), true),
        Some(Overlay::Image) | None => (None, true),
    };
    KeyContext {
        overlay,
        pane: match app.focus {
            Focus::Input => Layer::Prompt,
            Focus::Conversation => Layer::Conversation,
            Focus::Media => Layer::Media,
        },
        prompt_empty: app.prompt.is_empty(),
        field_idle,
        comparing: app.comparing(),
    }
}

/// True when `key`, typed in the focused prompt, runs no command and so types itself; `alone`
/// says whether nothing was typed before it in the same run of keys.
pub(super) fn types_into_prompt(app: &App, key: &KeyEvent, alone: bool) -> bool {
    let ctx = KeyContext {
        prompt_empty: app.prompt.is_empty() && alone,
        ..context(app)
    };
    app.keymap.resolve(&ctx, key).is_empty()
}

/// Handles one key press.
pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    if app.overlay == Some(Overlay::Image) {
        app.overlay = None;
        return Vec::new();
    }
    if app.overlay == Some(Overlay::Sessions)
        && let Some(effects) = super::browser::modal_key(app, key)
    {
        return effects;
    }
    let ctx = context(app);
    let hits = app.keymap.resolve(&ctx, &key);
    if let Some(overlay) = ctx.overlay {
        for hit in &hits {
            if let Some(effects) = run_bound(app, *hit, key) {
                return effects;
            }
        }
        return unbound_in_overlay(app, overlay, key);
    }
    let (pane, rest): (Vec<Bound>, Vec<Bound>) = hits.into_iter().partition(|b| b.is_pane());
    for hit in pane {
        if let Some(effects) = run_bound(app, hit, key) {
            return effects;
        }
    }
    let plain = (key.modifiers - KeyModifiers::SHIFT).is_empty();
    if app.focus != Focus::Input && plain && matches!(key.code, KeyCode::Char(_)) {
        // Typing goes to the prompt, wherever the focus was.
        app.focus = Focus::Input;
    }
    if let Some(effects) = ctrl_x_sequence(app, &key, !rest.is_empty()) {
        return effects;
    }
    for hit in rest {
        if let Some(effects) = run_bound(app, hit, key) {
            return effects;
        }
    }
    // Backspace on an empty prompt takes back the last attachment.
    if app.focus == Focus::Input
        && key.code == KeyCode::Backspace
        && key.modifiers.is_empty()
        && app.prompt.is_empty()
        && super::attach::remove_last(app)
    {
        return Vec::new();
    }
    app.prompt.input(key);
    Vec::new()
}

/// Runs a resolved command; `None` when it declines the key, which then goes to the next.
fn run_bound(app: &mut App, bound: Bound, key: KeyEvent) -> Option<Vec<Effect>> {
    match bound {
        Bound::Global(command) => Some(run_command(app, command)),
        Bound::Prompt(command) => prompt_command(app, command, key),
        Bound::Conversation(command) => conversation_command(app, command),
        Bound::Compare(command) => super::compare::run(app, command),
        Bound::Media(command) => Some(super::media::run(app, command)),
        Bound::Picker(command) => Some(super::switch::on_picker_key(app, Some(command), key)),
        Bound::Browser(command) => Some(super::browser::run(app, command)),
        Bound::Help(command) => {
            help_command(app, command);
            Some(Vec::new())
        }
    }
}

/// A key no command of the open overlay takes.
fn unbound_in_overlay(app: &mut App, overlay: Layer, key: KeyEvent) -> Vec<Effect> {
    match overlay {
        Layer::Picker => super::switch::on_picker_key(app, None::<PickerKey>, key),
        Layer::Browser => super::browser::typed(app, key),
        // Any key the help does not scroll with closes it without acting.
        Layer::Help => {
            app.overlay = None;
            Vec::new()
        }
        Layer::Prompt | Layer::Conversation | Layer::Compare | Layer::Media => Vec::new(),
    }
}

fn help_command(app: &mut App, command: HelpKey) {
    let page = app.viewport_height().max(1);
    let scroll = app.help_scroll;
    app.help_scroll = match command {
        HelpKey::ScrollUp => scroll.saturating_sub(1),
        HelpKey::ScrollDown => scroll + 1,
        HelpKey::PageUp => scroll.saturating_sub(page),
        HelpKey::PageDown => scroll + page,
    };
    app.help_scroll = app.help_scroll.min(crate::view::help::max_scroll(
        &app.help_sections(),
        &app.theme,
        app.area,
    ));
}

fn conversation_command(app: &mut App, command: ConversationKey) -> Option<Vec<Effect>> {
    Some(match command {
        ConversationKey::ScrollUp => scroll_by(app, -1),
        ConversationKey::ScrollDown => scroll_by(app, 1),
        ConversationKey::Top => run_command(app, Command::ScrollTop),
        ConversationKey::Bottom => run_command(app, Command::ScrollBottom),
        // Esc first lets go of a selection; with none, it does what it does everywhere.
        ConversationKey::Deselect if app.selected.is_some() && !app.replying() => {
            app.selected = None;
            Vec::new()
        }
        ConversationKey::Deselect => return None,
        ConversationKey::MjButton => return super::tasks::pick_button(app),
        ConversationKey::PrevAlternative => super::branch::switch(app, -1),
        ConversationKey::NextAlternative => super::branch::switch(app, 1),
        ConversationKey::Edit => return super::branch::edit_selected(app),
    })
}

fn prompt_command(app: &mut App, command: PromptKey, key: KeyEvent) -> Option<Vec<Effect>> {
    let theme = &app.theme;
    let width = app
        .area
        .width
        .saturating_sub(crate::view::layout::INPUT_CHROME_WIDTH);
    // Up and Down move between screen rows of the wrapped text; past the first or last row
    // they walk the history.
    let handled = match command {
        PromptKey::Complete => return complete_slash(app, false),
        PromptKey::CompleteBack => return complete_slash(app, true),
        PromptKey::HistoryPrev if app.prompt.on_first_row(width) => app.prompt.history_prev(theme),
        PromptKey::HistoryNext if app.prompt.on_last_row(width) => app.prompt.history_next(theme),
        PromptKey::HistoryPrev => app.prompt.move_row(width, CursorMove::Up),
        PromptKey::HistoryNext => app.prompt.move_row(width, CursorMove::Down),
    };
    if !handled {
        app.prompt.input(key);
    }
    Some(Vec::new())
}

/// Ctrl+X starts a two-key sequence, as in bash (Ctrl+X Ctrl+E edits the prompt); `None` when
/// the key is not part of one. A key `bound` to a command in the map keeps its command.
fn ctrl_x_sequence(app: &mut App, key: &KeyEvent, bound: bool) -> Option<Vec<Effect>> {
    let ctrl = key.modifiers - KeyModifiers::SHIFT == KeyModifiers::CONTROL;
    if app.pending_ctrl_x {
        app.pending_ctrl_x = false;
        return Some(match key.code {
            KeyCode::Char('e' | 'E') if ctrl => run_command(app, Command::ExternalEditor),
            // Like readline, an unknown sequence does nothing.
            _ => Vec::new(),
        });
    }
    if ctrl && matches!(key.code, KeyCode::Char('x' | 'X')) && !bound {
        app.pending_ctrl_x = true;
        return Some(Vec::new());
    }
    None
}

/// Tab while a slash command is typed completes it (Tab and Shift+Tab cycle through the models
/// a `/model` argument matches); `None` when the prompt holds no command.
fn complete_slash(app: &mut App, back: bool) -> Option<Vec<Effect>> {
    let text = app.prompt.text();
    super::slash::hint(&text)?;
    if let Some(effects) = super::attach::complete(app, &text) {
        return Some(effects);
    }
    let completed =
        super::slash::complete(&text).or_else(|| super::slash::complete_model(app, &text, back));
    if let Some(completed) = completed {
        app.prompt.set_text(&completed, &app.theme);
    }
    // Tab does not move the focus away from a command being typed.
    Some(Vec::new())
}
