//! The one place a key is looked up: the open overlay's layer first, then the focused pane's,
//! then the global map.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[cfg(test)]
use super::Layers;
use super::layer::Layer;
use super::layers::{
    BrowserKey, CompareKey, ConversationKey, HelpKey, MediaKey, PickerKey, PromptKey,
};
use super::{Command, KeyMap};

/// What the key map needs to know about the app to resolve a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyContext {
    /// The open overlay that takes keys (`None` for none, or one that any key closes).
    pub overlay: Option<Layer>,
    /// The focused pane: `Prompt`, `Conversation` or `Media`.
    pub pane: Layer,
    /// The prompt is empty: global keys that would type act.
    pub prompt_empty: bool,
    /// The overlay's text field is idle (picker filter empty, browser list focused).
    pub field_idle: bool,
    /// A comparison's columns are on screen: its keys act in the conversation (and those with
    /// Alt in the prompt).
    pub comparing: bool,
}

/// A command found for a key, with its layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Global(Command),
    Prompt(PromptKey),
    Conversation(ConversationKey),
    Compare(CompareKey),
    Media(MediaKey),
    Picker(PickerKey),
    Browser(BrowserKey),
    Help(HelpKey),
}

impl Bound {
    /// True for what the focused pane or an overlay runs, before the prompt and the global map
    /// get the key.
    pub fn is_pane(self) -> bool {
        match self {
            Bound::Global(c) => c.in_conversation(),
            Bound::Prompt(_) => false,
            Bound::Conversation(_)
            | Bound::Compare(_)
            | Bound::Media(_)
            | Bound::Picker(_)
            | Bound::Browser(_)
            | Bound::Help(_) => true,
        }
    }
}

/// Global commands that still act while an overlay is open (when the overlay does not use the
/// key itself): quitting from the browser, which has no text to lose. The picker keeps every
/// key for its filter, and any key closes the help.
fn passes_overlay(overlay: Layer, command: Command) -> bool {
    match overlay {
        Layer::Browser => command == Command::Quit,
        Layer::Picker
        | Layer::Help
        | Layer::Prompt
        | Layer::Conversation
        | Layer::Compare
        | Layer::Media => false,
    }
}

impl KeyMap {
    /// Every command `key` may run in `ctx`, in the order to try them: a command may decline
    /// (`Esc` with nothing selected), and then the next one gets the key.
    pub fn resolve(&self, ctx: &KeyContext, key: &KeyEvent) -> Vec<Bound> {
        let mut hits = Vec::new();
        let layers = &self.layers;
        if let Some(overlay) = ctx.overlay {
            let idle = ctx.field_idle;
            let find = |key: &KeyEvent| match overlay {
                Layer::Picker => layers.picker.lookup(key, idle).map(Bound::Picker),
                Layer::Browser => layers.browser.lookup(key, idle).map(Bound::Browser),
                Layer::Help => layers.help.lookup(key, idle).map(Bound::Help),
                Layer::Prompt | Layer::Conversation | Layer::Compare | Layer::Media => None,
            };
            // A popup's arrows, Enter and Esc work whatever modifiers are held.
            let loose = (!matches!(key.code, KeyCode::Char(_)) && !key.modifiers.is_empty())
                .then(|| KeyEvent::new(key.code, KeyModifiers::NONE));
            hits.extend(find(key).or_else(|| loose.as_ref().and_then(find)));
            // Keys that act only on an empty prompt (Ctrl+D) edit the overlay's field instead.
            hits.extend(
                self.lookup(key, false)
                    .filter(|c| passes_overlay(overlay, *c))
                    .map(Bound::Global),
            );
            return hits;
        }
        // In a pane, Shift with an arrow, Enter or Esc is the plain key unless bound itself.
        let shifted = (!matches!(key.code, KeyCode::Char(_))
            && key.modifiers == KeyModifiers::SHIFT)
            .then(|| KeyEvent::new(key.code, KeyModifiers::NONE));
        // A comparison's keys come before the pane's own; from the prompt only those with Alt,
        // since the others type.
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        if ctx.comparing && (ctx.pane == Layer::Conversation || ctx.pane == Layer::Prompt && alt) {
            let find = |key: &KeyEvent| layers.compare.lookup(key, true);
            let found = find(key).or_else(|| shifted.as_ref().and_then(find));
            hits.extend(found.map(Bound::Compare));
        }
        match ctx.pane {
            Layer::Conversation => {
                hits.extend(self.lookup_in_conversation(key).map(Bound::Global));
                let find = |key: &KeyEvent| layers.conversation.lookup(key, true);
                let found = find(key).or_else(|| shifted.as_ref().and_then(find));
                hits.extend(found.map(Bound::Conversation));
            }
            Layer::Media => {
                let find = |key: &KeyEvent| layers.media.lookup(key, true);
                let found = find(key).or_else(|| shifted.as_ref().and_then(find));
                hits.extend(found.map(Bound::Media));
            }
            Layer::Prompt => hits.extend(
                layers
                    .prompt
                    .lookup(key, ctx.prompt_empty)
                    .map(Bound::Prompt),
            ),
            Layer::Picker | Layer::Browser | Layer::Help | Layer::Compare => {}
        }
        hits.extend(self.lookup(key, ctx.prompt_empty).map(Bound::Global));
        hits
    }
}

#[cfg(test)]
mod tests;
