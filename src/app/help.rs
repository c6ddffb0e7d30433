//! The rows the help overlay lists, from the key map in use.

use super::App;
use super::line_edit::EDITING_KEYS;
use super::slash::COMMANDS;
use crate::keymap::Layer;
use crate::view::help::Section;

impl App {
    /// The rows of the help in sections: the global keys in use, each pane's and overlay's, the
    /// editing keys every text field shares, and the slash commands (`None` marks no heading).
    pub fn help_sections(&self) -> Vec<Section> {
        let bindings = self
            .keymap
            .help_rows()
            .into_iter()
            .map(|(keys, c)| (keys, c.describe()))
            .collect();
        let layers = Layer::ALL.into_iter().map(|layer| {
            let rows = self.keymap.layers.rows(layer);
            let rows = rows.into_iter().map(|r| (r.keys.join(", "), r.about));
            (Some(layer.heading()), rows.collect())
        });
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
        let mut sections = vec![(None, bindings)];
        sections.extend(layers);
        sections.extend([
            (Some("Editing, in the prompt and every text field"), editing),
            (Some("Slash commands, typed in the prompt"), slash),
        ]);
        sections
    }
}
