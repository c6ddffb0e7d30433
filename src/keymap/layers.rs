//! The commands and default keys of every layer (panes and overlays), and `Layers`, the maps
//! in use.

use crossterm::event::{KeyCode, KeyModifiers};

use super::Combo;
use super::layer::{Layer, LayerBinding, LayerCommand, LayerConflict, LayerMap, layer_commands};

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const ALT: KeyModifiers = KeyModifiers::ALT;

layer_commands! {
    /// Keys of the input box while it has the focus.
    pub enum PromptKey in Layer::Prompt;
    HistoryPrev = "history_prev", "on the first row: the previous prompt (else up a row)";
    HistoryNext = "history_next", "on the last row: the next prompt (else down a row)";
    /// Declines when no slash command is typed, so the key goes on to the global map.
    Complete = "complete", "complete the slash command being typed (cycles /model matches)";
    CompleteBack = "complete_back", "cycle the /model matches backwards";
}

layer_commands! {
    /// Keys of the focused conversation pane (besides the global map's conversation commands).
    pub enum ConversationKey in Layer::Conversation;
    ScrollUp = "scroll_up", "scroll up one line";
    ScrollDown = "scroll_down", "scroll down one line";
    Top = "top", "jump to the first message";
    Bottom = "bottom", "jump to the end and follow the reply";
    /// Declines with no selection or while a reply streams, so Esc cancels as usual.
    Deselect = "deselect", "let go of the selected message (else as everywhere)";
    /// Declines when no Midjourney card has buttons.
    MjButton = "mj_button", "press a button of the selected Midjourney card (fills in /mj)";
    PrevAlternative = "prev_alternative", "previous alternative (‹n/m›) of the selected message or last reply";
    NextAlternative = "next_alternative", "next alternative of the selected message or last reply";
    /// Declines when no prompt is selected.
    Edit = "edit", "edit the selected prompt: sending it starts a new branch";
}

layer_commands! {
    /// Keys of a comparison's columns (`/compare`), while they are on screen.
    pub enum CompareKey in Layer::Compare;
    Pick1 = "pick_1", "continue with the reply of column 1 (the others stay as alternatives)";
    Pick2 = "pick_2", "continue with the reply of column 2";
    Pick3 = "pick_3", "continue with the reply of column 3";
    Pick4 = "pick_4", "continue with the reply of column 4";
    Pick = "pick", "continue with the reply of the focused column";
    NextColumn = "next_column", "focus the next column (tab)";
    PrevColumn = "prev_column", "focus the previous column (tab)";
    ScrollUp = "scroll_up", "scroll the focused column up one line";
    ScrollDown = "scroll_down", "scroll the focused column down one line";
    PageUp = "page_up", "scroll the focused column up one page";
    PageDown = "page_down", "scroll the focused column down one page";
}

layer_commands! {
    /// Keys of the focused media panel.
    pub enum MediaKey in Layer::Media;
    Up = "up", "select the item above";
    Down = "down", "select the item below";
    FullScreen = "full_screen", "show the selected image full screen (any key closes it)";
    Open = "open", "open the link ($BROWSER, else the system opener)";
    Copy = "copy", "copy the link";
    Save = "save", "save the file to the downloads folder";
}

layer_commands! {
    /// Keys of the model picker; other keys edit its filter.
    pub enum PickerKey in Layer::Picker;
    Close = "close", "close the picker";
    Choose = "choose", "switch to the selected model";
    Up = "up", "select the model above";
    Down = "down", "select the model below";
    PageUp = "page_up", "up one page";
    PageDown = "page_down", "down one page";
    First = "first", "select the first model";
    Last = "last", "select the last model";
    FetchModels = "fetch_models", "fetch the provider's /models";
    Mark = "mark", "mark or unmark the model to compare (Enter then compares the marked ones)";
}

layer_commands! {
    /// Keys of the session browser; other keys edit its search.
    pub enum BrowserKey in Layer::Browser;
    Close = "close", "close the browser";
    Open = "open", "open the selected session";
    Up = "up", "select the session above";
    Down = "down", "select the session below";
    PageUp = "page_up", "up one page";
    PageDown = "page_down", "down one page";
    First = "first", "select the first session";
    Last = "last", "select the last session";
    SwitchFocus = "switch_focus", "move between the search and the list";
    Delete = "delete", "delete the selected session (asks y/n)";
    Rename = "rename", "rename the selected session";
    Search = "search", "back to the search field";
}

layer_commands! {
    /// Keys of the help overlay; any other key closes it.
    pub enum HelpKey in Layer::Help;
    ScrollUp = "scroll_up", "scroll up one line";
    ScrollDown = "scroll_down", "scroll down one line";
    PageUp = "page_up", "scroll up one page";
    PageDown = "page_down", "scroll down one page";
}

/// A binding that always acts.
fn b<C>(code: KeyCode, mods: KeyModifiers, command: C) -> LayerBinding<C> {
    LayerBinding {
        combo: Combo::new(code, mods),
        command,
        idle_only: false,
    }
}

/// A binding that acts only while the layer's text field is idle.
fn idle<C>(code: KeyCode, mods: KeyModifiers, command: C) -> LayerBinding<C> {
    LayerBinding {
        idle_only: true,
        ..b(code, mods, command)
    }
}

/// True for keys a text field takes: characters and the editing keys.
fn edits_a_field(combo: &Combo) -> bool {
    let key = crossterm::event::KeyEvent::new(combo.code, combo.mods);
    crate::keymap::editing::decode(&key).is_some()
        || matches!(combo.code, KeyCode::Char(_)) && (combo.mods - SHIFT).is_empty()
}

macro_rules! impl_layer {
    ($ty:ident, $idle:expr, $defaults:expr) => {
        impl LayerCommand for $ty {
            const LAYER: Layer = $ty::LAYER_;
            const TABLE: &'static [super::layer::Named<Self>] = $ty::TABLE_;
            const NAMES: &'static [&'static str] = $ty::NAMES_;
            fn defaults() -> Vec<LayerBinding<Self>> {
                $defaults
            }
            fn idle_only(combo: &Combo) -> bool {
                $idle(combo)
            }
        }
    };
}

impl_layer!(PromptKey, Combo::types_into_prompt, {
    use KeyCode::{BackTab, Down, Tab, Up};
    vec![
        b(Up, NONE, PromptKey::HistoryPrev),
        b(Down, NONE, PromptKey::HistoryNext),
        b(Tab, NONE, PromptKey::Complete),
        b(BackTab, SHIFT, PromptKey::CompleteBack),
    ]
});

impl_layer!(ConversationKey, |_: &Combo| false, {
    use ConversationKey::{
        Bottom, Deselect, Edit, MjButton, NextAlternative, PrevAlternative, ScrollDown, ScrollUp,
        Top,
    };
    use KeyCode::{Char, Down, Esc, Up};
    vec![
        b(Up, NONE, ScrollUp),
        b(Char('k'), NONE, ScrollUp),
        b(Down, NONE, ScrollDown),
        b(Char('j'), NONE, ScrollDown),
        b(Char('g'), NONE, Top),
        b(Char('G'), SHIFT, Bottom),
        b(Esc, NONE, Deselect),
        b(Char('b'), NONE, MjButton),
        b(Char('<'), NONE, PrevAlternative),
        b(Char('>'), NONE, NextAlternative),
        b(Char('e'), NONE, Edit),
    ]
});

impl_layer!(CompareKey, |_: &Combo| false, {
    use CompareKey::{
        NextColumn, PageDown, PageUp, Pick, Pick1, Pick2, Pick3, Pick4, PrevColumn, ScrollDown,
        ScrollUp,
    };
    use KeyCode::{Char, Down, Enter, Left, Right, Up};
    let mut keys = Vec::new();
    for (digit, pick) in [('1', Pick1), ('2', Pick2), ('3', Pick3), ('4', Pick4)] {
        keys.push(b(Char(digit), NONE, pick));
        keys.push(b(Char(digit), ALT, pick));
    }
    keys.extend([
        b(Enter, NONE, Pick),
        b(Right, NONE, NextColumn),
        b(Char('l'), NONE, NextColumn),
        b(Left, NONE, PrevColumn),
        b(Char('h'), NONE, PrevColumn),
        b(Up, NONE, ScrollUp),
        b(Char('k'), NONE, ScrollUp),
        b(Down, NONE, ScrollDown),
        b(Char('j'), NONE, ScrollDown),
        b(KeyCode::PageUp, NONE, PageUp),
        b(KeyCode::PageDown, NONE, PageDown),
    ]);
    keys
});

impl_layer!(MediaKey, |_: &Combo| false, {
    use KeyCode::{Char, Down, Enter, Up};
    vec![
        b(Up, NONE, MediaKey::Up),
        b(Char('k'), NONE, MediaKey::Up),
        b(Down, NONE, MediaKey::Down),
        b(Char('j'), NONE, MediaKey::Down),
        b(Enter, NONE, MediaKey::FullScreen),
        b(Char('o'), NONE, MediaKey::Open),
        b(Char('y'), NONE, MediaKey::Copy),
        b(Char('s'), NONE, MediaKey::Save),
    ]
});

impl_layer!(PickerKey, edits_a_field, {
    use KeyCode::{Char, Down, End, Enter, Esc, Home, Up};
    vec![
        b(Esc, NONE, PickerKey::Close),
        b(Char('p'), CTRL, PickerKey::Close),
        b(Enter, NONE, PickerKey::Choose),
        b(Up, NONE, PickerKey::Up),
        b(Down, NONE, PickerKey::Down),
        b(Char('n'), CTRL, PickerKey::Down),
        b(KeyCode::PageUp, NONE, PickerKey::PageUp),
        b(KeyCode::PageDown, NONE, PickerKey::PageDown),
        b(Home, CTRL, PickerKey::First),
        idle(Home, NONE, PickerKey::First),
        b(End, CTRL, PickerKey::Last),
        idle(End, NONE, PickerKey::Last),
        b(Char('f'), CTRL, PickerKey::FetchModels),
        idle(Char(' '), NONE, PickerKey::Mark),
        b(KeyCode::Tab, NONE, PickerKey::Mark),
    ]
});

impl_layer!(BrowserKey, edits_a_field, {
    use BrowserKey::{
        Close, Delete, Down, First, Last, Open, PageDown, PageUp, Rename, Search, SwitchFocus, Up,
    };
    use KeyCode::{BackTab, Char, Enter, Esc, F, Tab};
    vec![
        b(Esc, NONE, Close),
        b(Char('c'), CTRL, Close),
        b(Char('o'), CTRL, Close),
        b(Enter, NONE, Open),
        b(KeyCode::Up, NONE, Up),
        b(Char('p'), CTRL, Up),
        idle(Char('k'), NONE, Up),
        b(KeyCode::Down, NONE, Down),
        b(Char('n'), CTRL, Down),
        idle(Char('j'), NONE, Down),
        b(KeyCode::PageUp, NONE, PageUp),
        b(KeyCode::PageDown, NONE, PageDown),
        idle(Char('g'), NONE, First),
        idle(Char('G'), SHIFT, Last),
        b(Tab, NONE, SwitchFocus),
        b(BackTab, SHIFT, SwitchFocus),
        b(KeyCode::Delete, NONE, Delete),
        b(Char('d'), CTRL, Delete),
        idle(Char('d'), NONE, Delete),
        b(F(2), NONE, Rename),
        b(Char('r'), CTRL, Rename),
        idle(Char('r'), NONE, Rename),
        idle(Char('/'), NONE, Search),
    ]
});

impl_layer!(HelpKey, |_: &Combo| false, {
    use KeyCode::{Char, Down, Up};
    vec![
        b(Up, NONE, HelpKey::ScrollUp),
        b(Char('k'), NONE, HelpKey::ScrollUp),
        b(Down, NONE, HelpKey::ScrollDown),
        b(Char('j'), NONE, HelpKey::ScrollDown),
        b(KeyCode::PageUp, NONE, HelpKey::PageUp),
        b(KeyCode::PageDown, NONE, HelpKey::PageDown),
    ]
});

/// The key maps of the panes and overlays.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layers {
    pub prompt: LayerMap<PromptKey>,
    pub conversation: LayerMap<ConversationKey>,
    pub compare: LayerMap<CompareKey>,
    pub media: LayerMap<MediaKey>,
    pub picker: LayerMap<PickerKey>,
    pub browser: LayerMap<BrowserKey>,
    pub help: LayerMap<HelpKey>,
}

impl Layers {
    /// The command names `[keys.LAYER]` accepts.
    pub fn names(layer: Layer) -> &'static [&'static str] {
        match layer {
            Layer::Prompt => PromptKey::NAMES,
            Layer::Conversation => ConversationKey::NAMES,
            Layer::Compare => CompareKey::NAMES,
            Layer::Media => MediaKey::NAMES,
            Layer::Picker => PickerKey::NAMES,
            Layer::Browser => BrowserKey::NAMES,
            Layer::Help => HelpKey::NAMES,
        }
    }

    /// Rebinds commands of `layer` by name; fails on a key bound twice in the layer.
    pub fn rebind(
        &mut self,
        layer: Layer,
        overrides: &[(&str, Vec<Combo>)],
    ) -> Result<(), LayerConflict> {
        match layer {
            Layer::Prompt => self.prompt = self.prompt.rebind_named(overrides)?,
            Layer::Conversation => {
                self.conversation = self.conversation.rebind_named(overrides)?;
            }
            Layer::Compare => self.compare = self.compare.rebind_named(overrides)?,
            Layer::Media => self.media = self.media.rebind_named(overrides)?,
            Layer::Picker => self.picker = self.picker.rebind_named(overrides)?,
            Layer::Browser => self.browser = self.browser.rebind_named(overrides)?,
            Layer::Help => self.help = self.help.rebind_named(overrides)?,
        }
        Ok(())
    }

    /// The rows of `layer` for F1 and the README.
    pub fn rows(&self, layer: Layer) -> Vec<super::layer::KeyRow> {
        match layer {
            Layer::Prompt => self.prompt.rows(),
            Layer::Conversation => self.conversation.rows(),
            Layer::Compare => self.compare.rows(),
            Layer::Media => self.media.rows(),
            Layer::Picker => self.picker.rows(),
            Layer::Browser => self.browser.rows(),
            Layer::Help => self.help.rows(),
        }
    }
}
