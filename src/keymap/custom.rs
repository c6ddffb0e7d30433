//! Custom key bindings: command and key names as written in the config, and a key map with
//! some commands rebound, checked so that no key runs two commands.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Binding, Combo, Command, KeyMap};

/// Every command and its name in the `[keys]` table, in help order.
const NAMED: &[(Command, &str)] = &[
    (Command::Send, "send"),
    (Command::Newline, "newline"),
    (Command::CancelReply, "cancel_reply"),
    (Command::Interrupt, "interrupt"),
    (Command::Quit, "quit"),
    (Command::NewChat, "new_chat"),
    (Command::Regenerate, "regenerate"),
    (Command::ScrollUp, "scroll_up"),
    (Command::ScrollDown, "scroll_down"),
    (Command::PageUp, "page_up"),
    (Command::PageDown, "page_down"),
    (Command::ScrollTop, "scroll_top"),
    (Command::ScrollBottom, "scroll_bottom"),
    (Command::ToggleReasoning, "toggle_reasoning"),
    (Command::FocusNext, "focus_next"),
    (Command::ModelPicker, "model_picker"),
    (Command::ToggleMedia, "toggle_media"),
    (Command::Sessions, "sessions"),
    (Command::SaveTranscript, "save_transcript"),
    (Command::Help, "help"),
    (Command::ExternalEditor, "external_editor"),
    (Command::Suspend, "suspend"),
    (Command::ToggleMouse, "toggle_mouse"),
    (Command::PasteImage, "paste_image"),
    (Command::SelectPrev, "select_prev"),
    (Command::SelectNext, "select_next"),
    (Command::CopyMessage, "copy_message"),
    (Command::CopyCode, "copy_code"),
    (Command::DeleteExchange, "delete_exchange"),
];

const NAME_LIST: [&str; NAMED.len()] = {
    let mut out = [""; NAMED.len()];
    let mut i = 0;
    while i < NAMED.len() {
        out[i] = NAMED[i].1;
        i += 1;
    }
    out
};

/// The command names, then the layer names: every key `[keys]` accepts.
const TABLE_NAME_LIST: [&str; NAMED.len() + super::Layer::NAMES.len()] = {
    let layers = super::Layer::NAMES;
    let mut out = [""; NAMED.len() + super::Layer::NAMES.len()];
    let mut i = 0;
    while i < NAMED.len() {
        out[i] = NAMED[i].1;
        i += 1;
    }
    while i < out.len() {
        out[i] = layers[i - NAMED.len()];
        i += 1;
    }
    out
};

impl Command {
    /// Every command name a `[keys]` table accepts.
    pub const NAMES: &'static [&'static str] = &NAME_LIST;

    /// Every key a `[keys]` table accepts: the commands, then the layers' tables.
    pub const TABLE_NAMES: &'static [&'static str] = &TABLE_NAME_LIST;

    /// The command's name in the `[keys]` table (`new_chat`).
    pub fn name(self) -> &'static str {
        NAMED
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("", |(_, name)| name)
    }

    /// The command with this `[keys]` name.
    pub fn from_name(name: &str) -> Option<Command> {
        NAMED.iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
    }
}

/// Names of keys without a character, as accepted in the config (lower case).
const NAMED_KEYS: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pgup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("pgdn", KeyCode::PageDown),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("space", KeyCode::Char(' ')),
];

impl Combo {
    /// Parses a key as written in the config: `ctrl+q`, `alt+enter`, `shift+up`, `f1`, `?`,
    /// `pgdn`, `ctrl++`. Names and modifiers are case-insensitive; a lone letter is not.
    pub fn parse(text: &str) -> Result<Combo, String> {
        let t = text.trim();
        // The key itself may be '+': `+`, `ctrl++`.
        let (mods_text, key) = match t.strip_suffix("++") {
            Some(m) => (Some(m), "+"),
            None if t == "+" => (None, "+"),
            None => match t.rsplit_once('+') {
                Some((m, k)) => (Some(m), k),
                None => (None, t),
            },
        };
        let mut mods = KeyModifiers::NONE;
        for m in mods_text.into_iter().flat_map(|m| m.split('+')) {
            mods |= match m.trim().to_ascii_lowercase().as_str() {
                "ctrl" | "control" => KeyModifiers::CONTROL,
                "alt" | "meta" | "option" => KeyModifiers::ALT,
                "shift" => KeyModifiers::SHIFT,
                other => {
                    return Err(format!(
                        "unknown modifier `{other}` in {text:?} (use ctrl, alt or shift)"
                    ));
                }
            };
        }
        let code = key_code(key).ok_or_else(|| {
            format!(
                "{text:?} is not a key (examples: \"ctrl+q\", \"alt+enter\", \"f1\", \"?\", \"pgdn\")"
            )
        })?;
        // `alt+E` is how the help writes Alt+e; Alt+Shift+e is written with `shift`.
        let code = match code {
            KeyCode::Char(c) if mods == KeyModifiers::ALT && c.is_ascii_uppercase() => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        Ok(Combo::of(&as_terminal_reports(code, mods)))
    }

    /// True for keys that type, edit or move the cursor in the prompt: bound to a command, they act
    /// only while the prompt is empty, so typing and editing keep working.
    pub fn types_into_prompt(&self) -> bool {
        // The readline keys (Ctrl+A, Ctrl+K, Alt+F...) edit the prompt too.
        if crate::keymap::editing::decode(&KeyEvent::new(self.code, self.mods)).is_some() {
            return true;
        }
        match self.code {
            KeyCode::Char(_) => (self.mods - KeyModifiers::SHIFT).is_empty(),
            KeyCode::Home
            | KeyCode::End
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Up
            | KeyCode::Down
            | KeyCode::Backspace
            | KeyCode::Delete => self.mods.is_empty(),
            _ => false,
        }
    }
}

fn key_code(key: &str) -> Option<KeyCode> {
    let key = key.trim();
    let mut chars = key.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(KeyCode::Char(c));
    }
    let lower = key.to_ascii_lowercase();
    if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
        return (1..=24).contains(&n).then_some(KeyCode::F(n));
    }
    NAMED_KEYS
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, code)| *code)
}

/// The event a terminal sends for this key: capitals come with Shift, Shift+Tab is BackTab.
fn as_terminal_reports(code: KeyCode, mut mods: KeyModifiers) -> KeyEvent {
    let code = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => {
            mods |= KeyModifiers::SHIFT;
            code
        }
        KeyCode::Char(c) if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_lowercase() => {
            KeyCode::Char(c.to_ascii_uppercase())
        }
        KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        KeyCode::BackTab => {
            mods |= KeyModifiers::SHIFT;
            code
        }
        other => other,
    };
    KeyEvent::new(code, mods)
}

/// One key bound to two commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyConflict {
    /// The key both commands want.
    pub combo: Combo,
    /// The command that has the key earlier in binding order.
    pub first: Command,
    /// The other command.
    pub second: Command,
}

impl KeyMap {
    /// This map with each command of `overrides` bound to exactly the given keys (an empty
    /// list unbinds it); fails when that leaves a key bound to two commands.
    pub fn with_overrides(
        &self,
        overrides: &[(Command, Vec<Combo>)],
    ) -> Result<KeyMap, KeyConflict> {
        let bindings = rebind(
            &self.bindings,
            |b| b.command,
            overrides,
            |command, combo| Binding {
                combo,
                command,
                when_input_empty: combo.types_into_prompt(),
            },
        );
        let map = KeyMap {
            bindings,
            layers: self.layers.clone(),
        };
        match map.conflict() {
            Some(conflict) => Err(conflict),
            None => Ok(map),
        }
    }

    /// The first key bound to two different commands that act in the same place, if any (a
    /// conversation-only key may also be a key of the prompt: the focus decides).
    pub fn conflict(&self) -> Option<KeyConflict> {
        self.bindings.iter().enumerate().find_map(|(i, a)| {
            self.bindings[..i]
                .iter()
                .find(|b| {
                    b.combo == a.combo
                        && b.command != a.command
                        && b.command.in_conversation() == a.command.in_conversation()
                })
                .map(|b| KeyConflict {
                    combo: a.combo,
                    first: b.command,
                    second: a.command,
                })
        })
    }
}

/// `defaults` with each command of `overrides` bound to exactly the given keys: the new keys
/// take the place of the command's first default binding, or go last for a command with none.
pub(super) fn rebind<C: Copy + PartialEq, B: Copy>(
    defaults: &[B],
    command_of: impl Fn(&B) -> C,
    overrides: &[(C, Vec<Combo>)],
    bind: impl Fn(C, Combo) -> B,
) -> Vec<B> {
    let mut bindings = Vec::with_capacity(defaults.len());
    let mut placed: Vec<C> = Vec::new();
    for b in defaults {
        match overrides.iter().find(|(c, _)| *c == command_of(b)) {
            None => bindings.push(*b),
            Some((command, combos)) if !placed.contains(command) => {
                placed.push(*command);
                bindings.extend(combos.iter().map(|&k| bind(*command, k)));
            }
            Some(_) => {}
        }
    }
    for (command, combos) in overrides.iter().filter(|(c, _)| !placed.contains(c)) {
        bindings.extend(combos.iter().map(|&k| bind(*command, k)));
    }
    bindings
}

#[cfg(test)]
mod tests;
