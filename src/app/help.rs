//! The rows the help overlay lists, from the key map in use.

use super::App;
use super::line_edit::EDITING_KEYS;
use super::slash::COMMANDS;
use crate::view::help::Section;

impl App {
    /// The rows of the help in three sections: the key map in use, the editing keys every text
    /// field shares, and the slash commands (`None` marks a section heading).
    pub fn help_sections(&self) -> Vec<Section> {
        let bindings = self
            .keymap
            .help_rows()
            .into_iter()
            .map(|(keys, c)| (keys, c.describe()))
            .collect();
        let editing = EDITING_KEYS
            .iter()
            .map(|(k, what)| (k.to_string(), *what))
            .collect();
        let slash = COMMANDS
            .iter()
            .map(|c| {
                let name = if c.args.is_empty() {
                    c.name.to_string()
                } else {
                    format!("{} {}", c.name, c.args)
                };
                (name, c.about)
            })
            .collect();
        vec![
            (None, bindings),
            (Some("Editing, in the prompt and every text field"), editing),
            (Some("Slash commands, typed in the prompt"), slash),
        ]
    }
}
