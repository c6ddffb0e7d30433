//! Key bindings as data: the event handler, the help overlay and the README table read this one list.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod custom;
pub mod editing;
pub mod layer;
pub mod layers;
mod resolve;
mod table;

pub use custom::KeyConflict;
pub use layer::{KeyRow, Layer, LayerConflict};
pub use layers::{
    BrowserKey, CompareKey, ConversationKey, HelpKey, Layers, MediaKey, PickerKey, PromptKey,
};
pub use resolve::{Bound, KeyContext};

/// Something the user can ask for with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Send,
    Newline,
    CancelReply,
    Interrupt,
    Quit,
    NewChat,
    Regenerate,
    ScrollUp,
    ScrollDown,
    PageUp,
    PageDown,
    ScrollTop,
    ScrollBottom,
    ToggleReasoning,
    FocusNext,
    ModelPicker,
    ToggleMedia,
    Help,
    Sessions,
    SaveTranscript,
    /// Conversation focus only, like the three below.
    SelectPrev,
    SelectNext,
    CopyMessage,
    CopyCode,
    /// Conversation focus: delete the selected exchange (asks first).
    DeleteExchange,
    ExternalEditor,
    /// Give the terminal back to the shell (job control); `fg` resumes.
    Suspend,
    ToggleMouse,
    /// Attach the image on the graphical clipboard.
    PasteImage,
}

impl Command {
    /// What the command does, for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Command::Send => "send the prompt",
            Command::Newline => "insert a newline",
            Command::CancelReply => "cancel the reply (partial text stays) / close a popup",
            Command::Interrupt => {
                "cancel the reply, else clear the prompt (Up brings it back), else quit"
            }
            Command::Quit => "quit",
            Command::NewChat => "start a new conversation",
            Command::Regenerate => "regenerate the last reply (the old one stays)",
            Command::ScrollUp => "scroll up one line",
            Command::ScrollDown => "scroll down one line",
            Command::PageUp => "scroll up one page",
            Command::PageDown => "scroll down one page",
            Command::ScrollTop => "jump to the first message",
            Command::ScrollBottom => "jump to the end and follow the reply",
            Command::ToggleReasoning => "show or hide the model's reasoning",
            Command::ModelPicker => "pick the model (type to filter, Ctrl+F fetches /models)",
            Command::FocusNext => {
                "move the focus: input, conversation (j/k/g/G scroll), media panel"
            }
            Command::ToggleMedia => "show or hide the media panel (image, audio and video links)",
            Command::Help => "show this help",
            Command::Sessions => "browse and search saved sessions",
            Command::SaveTranscript => "save the conversation as Markdown",
            Command::SelectPrev => "conversation: select the previous message",
            Command::SelectNext => "conversation: select the next message",
            Command::CopyMessage => "conversation: copy the selected message, else the last reply",
            Command::CopyCode => "conversation: copy its last code block, else the last reply's",
            Command::DeleteExchange => "conversation: delete the selected exchange (press twice)",
            Command::ExternalEditor => "edit the prompt in $VISUAL / $EDITOR",
            Command::Suspend => "suspend to the shell (`fg` resumes)",
            Command::ToggleMouse => "mouse capture on/off (while on, Shift+drag selects text)",
            Command::PasteImage => "attach the image on the clipboard",
        }
    }

    /// True for commands that act only while the conversation pane has the focus; their keys
    /// may be plain letters, since typing there does not go to the prompt.
    pub fn in_conversation(self) -> bool {
        matches!(
            self,
            Command::SelectPrev
                | Command::SelectNext
                | Command::CopyMessage
                | Command::CopyCode
                | Command::DeleteExchange
        )
    }
}

/// A key with modifiers, as the terminal reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Combo {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Combo {
    const fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        Self { code, mods }
    }

    /// The combo of a key event; SHIFT is dropped for characters, whose case already carries it.
    pub fn of(key: &KeyEvent) -> Self {
        let mut mods =
            key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if let KeyCode::Char(c) = key.code {
            if !c.is_ascii_alphabetic() || mods.contains(KeyModifiers::CONTROL) {
                mods.remove(KeyModifiers::SHIFT);
            } else if c.is_ascii_uppercase() {
                // A capital is Shift+letter, whether or not the terminal said so.
                mods.insert(KeyModifiers::SHIFT);
            }
        }
        if key.code == KeyCode::BackTab {
            // Shift+Tab, whether or not the terminal said Shift.
            mods.insert(KeyModifiers::SHIFT);
        }
        let code = match key.code {
            // Terminals report Ctrl+letter as lower or upper case depending on Shift/Caps Lock.
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        Self { code, mods }
    }

    /// Human form such as `Ctrl+Q`, `Shift+Enter`, `PgUp`.
    pub fn label(&self) -> String {
        let mut s = String::new();
        for (m, name) in [
            (KeyModifiers::CONTROL, "Ctrl+"),
            (KeyModifiers::ALT, "Alt+"),
            (KeyModifiers::SHIFT, "Shift+"),
        ] {
            if self.mods.contains(m) {
                s.push_str(name);
            }
        }
        let key = match self.code {
            KeyCode::Char(' ') => "Space".into(),
            // A plain letter is shown as typed (`y`); with modifiers, as on the keycap.
            KeyCode::Char(c) if self.mods.is_empty() => c.to_string(),
            KeyCode::Char(c) => c.to_ascii_uppercase().to_string(),
            KeyCode::BackTab => "Tab".into(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            other => format!("{other:?}"),
        };
        s.push_str(&key);
        s
    }
}

/// One binding: where it applies, the key, the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub combo: Combo,
    pub command: Command,
    /// Only when the input box is empty (Home/End would otherwise move the cursor).
    pub when_input_empty: bool,
}

/// The global bindings (first match wins) and the keys of every pane and overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyMap {
    pub bindings: Vec<Binding>,
    pub layers: Layers,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const ALT: KeyModifiers = KeyModifiers::ALT;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

impl Default for KeyMap {
    fn default() -> Self {
        use Command::{
            CancelReply, FocusNext, Help, Interrupt, ModelPicker, NewChat, Newline, Quit,
            Regenerate, ScrollBottom, ScrollDown, ScrollTop, ScrollUp, Send, ToggleMedia,
            ToggleReasoning,
        };
        use KeyCode::{Char, Down, End, Enter, Esc, F, Home, Tab, Up};
        let b = |code, mods, command| Binding {
            combo: Combo::new(code, mods),
            command,
            when_input_empty: false,
        };
        let empty = |code, mods, command| Binding {
            combo: Combo::new(code, mods),
            command,
            when_input_empty: true,
        };
        Self {
            bindings: vec![
                b(Enter, NONE, Send),
                b(Char('j'), CTRL, Newline),
                b(Enter, ALT, Newline),
                b(Enter, SHIFT, Newline),
                b(Esc, NONE, CancelReply),
                b(Char('c'), CTRL, Interrupt),
                b(Char('q'), CTRL, Quit),
                empty(Char('d'), CTRL, Quit),
                b(Char('n'), CTRL, NewChat),
                b(Char('r'), CTRL, Regenerate),
                b(Up, SHIFT, ScrollUp),
                b(Up, CTRL, ScrollUp),
                b(Down, SHIFT, ScrollDown),
                b(Down, CTRL, ScrollDown),
                b(KeyCode::PageUp, NONE, Command::PageUp),
                b(KeyCode::PageDown, NONE, Command::PageDown),
                b(Home, CTRL, ScrollTop),
                empty(Home, NONE, ScrollTop),
                b(End, CTRL, ScrollBottom),
                empty(End, NONE, ScrollBottom),
                b(Char('t'), CTRL, ToggleReasoning),
                b(Char('p'), CTRL, ModelPicker),
                b(F(2), NONE, ModelPicker),
                b(Tab, NONE, FocusNext),
                b(Char('g'), CTRL, ToggleMedia),
                b(F(3), NONE, ToggleMedia),
                b(F(1), NONE, Help),
                b(Char('o'), CTRL, Command::Sessions),
                b(Char('s'), CTRL, Command::SaveTranscript),
                empty(Char('?'), NONE, Help),
                b(Char('e'), ALT, Command::ExternalEditor),
                b(Char('z'), CTRL, Command::Suspend),
                b(F(4), NONE, Command::ToggleMouse),
                b(Char('v'), ALT, Command::PasteImage),
                empty(Char('['), NONE, Command::SelectPrev),
                empty(Char(']'), NONE, Command::SelectNext),
                empty(Char('y'), NONE, Command::CopyMessage),
                empty(Char('Y'), SHIFT, Command::CopyCode),
                empty(Char('d'), NONE, Command::DeleteExchange),
            ],
            layers: Layers::default(),
        }
    }
}

impl KeyMap {
    /// Fixed two-key sequences (handled in `update`, not rebindable) with their commands,
    /// listed before the command's own keys; none when the first key is bound to a command.
    pub fn sequence_labels(&self) -> Vec<(&'static str, Command)> {
        let ctrl_x = KeyEvent::new(KeyCode::Char('x'), CTRL);
        if self.lookup(&ctrl_x, true).is_some() || self.lookup(&ctrl_x, false).is_some() {
            return Vec::new();
        }
        vec![("Ctrl+X Ctrl+E", Command::ExternalEditor)]
    }

    /// The command bound to `key`, given whether the input box is empty.
    pub fn lookup(&self, key: &KeyEvent, input_empty: bool) -> Option<Command> {
        let combo = Combo::of(key);
        self.bindings
            .iter()
            .filter(|b| !b.command.in_conversation())
            .find(|b| b.combo == combo && (!b.when_input_empty || input_empty))
            .map(|b| b.command)
    }

    /// The conversation-only command bound to `key` (checked first while that pane has the focus).
    pub fn lookup_in_conversation(&self, key: &KeyEvent) -> Option<Command> {
        let combo = Combo::of(key);
        self.bindings
            .iter()
            .find(|b| b.command.in_conversation() && b.combo == combo)
            .map(|b| b.command)
    }

    /// Every command with all its key labels, in binding order, for the help overlay.
    pub fn help_rows(&self) -> Vec<(String, Command)> {
        let mut rows: Vec<(Vec<String>, Command)> = Vec::new();
        for b in &self.bindings {
            let mut label = b.combo.label();
            if b.when_input_empty && !b.command.in_conversation() {
                label.push_str(" (empty input)");
            }
            match rows.iter_mut().find(|(_, c)| *c == b.command) {
                Some((labels, _)) => labels.push(label),
                None => rows.push((vec![label], b.command)),
            }
        }
        for (label, command) in self.sequence_labels() {
            match rows.iter_mut().find(|(_, c)| *c == command) {
                Some((labels, _)) => labels.insert(0, label.into()),
                None => rows.push((vec![label.into()], command)),
            }
        }
        rows.into_iter()
            .map(|(labels, c)| (labels.join(", "), c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn ctrl_letters_match_regardless_of_case_and_shift() {
        let km = KeyMap::default();
        assert_eq!(
            km.lookup(&key(KeyCode::Char('q'), CTRL), false),
            Some(Command::Quit)
        );
        assert_eq!(
            km.lookup(&key(KeyCode::Char('Q'), CTRL | SHIFT), false),
            Some(Command::Quit)
        );
    }

    #[test]
    fn home_scrolls_only_when_the_input_is_empty() {
        let km = KeyMap::default();
        assert_eq!(
            km.lookup(&key(KeyCode::Home, NONE), true),
            Some(Command::ScrollTop)
        );
        assert_eq!(km.lookup(&key(KeyCode::Home, NONE), false), None);
        assert_eq!(
            km.lookup(&key(KeyCode::Home, CTRL), false),
            Some(Command::ScrollTop)
        );
    }

    #[test]
    fn plain_characters_are_not_bound() {
        let km = KeyMap::default();
        assert_eq!(km.lookup(&key(KeyCode::Char('q'), NONE), true), None);
        assert_eq!(km.lookup(&key(KeyCode::Char('你'), NONE), true), None);
    }

    #[test]
    fn help_lists_every_command_once_with_all_keys() {
        let rows = KeyMap::default().help_rows();
        let newline = rows.iter().find(|(_, c)| *c == Command::Newline).unwrap();
        assert_eq!(newline.0, "Ctrl+J, Alt+Enter, Shift+Enter");
        let mut commands: Vec<_> = rows.iter().map(|(_, c)| *c).collect();
        let n = commands.len();
        commands.dedup();
        assert_eq!(commands.len(), n);
    }
}
