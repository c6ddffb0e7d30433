//! The key map as a Markdown table, for the README (a test keeps the README's copy in step).

use super::{KeyMap, Layer};

impl KeyMap {
    /// One row per command: its keys, what it does, its name in the `[keys]` table; then a
    /// table per layer, with the command names of `[keys.LAYER]`.
    pub fn markdown_table(&self) -> String {
        let mut out = String::from("| Keys | Action | `[keys]` name |\n| --- | --- | --- |\n");
        let mut rows: Vec<(Vec<String>, super::Command)> = Vec::new();
        for b in &self.bindings {
            let mut key = format!("`{}`", b.combo.label());
            if b.when_input_empty && !b.command.in_conversation() {
                key.push_str(" (empty input)");
            }
            match rows.iter_mut().find(|(_, c)| *c == b.command) {
                Some((keys, _)) => keys.push(key),
                None => rows.push((vec![key], b.command)),
            }
        }
        for (label, command) in self.sequence_labels() {
            match rows.iter_mut().find(|(_, c)| *c == command) {
                Some((keys, _)) => keys.insert(0, format!("`{label}`")),
                None => rows.push((vec![format!("`{label}`")], command)),
            }
        }
        for (keys, command) in rows {
            // A `|` inside a cell would end it.
            let what = command.describe().replace('|', "\\|");
            out.push_str(&format!(
                "| {} | {what} | `{}` |\n",
                keys.join(", "),
                command.name()
            ));
        }
        for layer in Layer::ALL {
            out.push_str(&format!(
                "\n{}, `[keys.{}]`:\n\n| Keys | Action | Name |\n| --- | --- | --- |\n",
                layer.heading(),
                layer.name()
            ));
            for row in self.layers.rows(layer) {
                let keys: Vec<String> = row.keys.iter().map(|k| quote_key(k)).collect();
                let what = row.about.replace('|', "\\|");
                out.push_str(&format!(
                    "| {} | {what} | `{}` |\n",
                    keys.join(", "),
                    row.name
                ));
            }
        }
        out
    }
}

/// `` `Home` (empty filter) ``: the key in backticks, its note after.
fn quote_key(label: &str) -> String {
    match label.split_once(" (") {
        Some((key, note)) => format!("`{key}` ({note}"),
        None => format!("`{label}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Command, KeyMap};

    #[test]
    fn every_command_with_a_key_has_one_row_naming_it() {
        let map = KeyMap::default();
        let table = map.markdown_table();
        let rows: Vec<&str> = table
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .collect();
        assert_eq!(rows.len(), map.help_rows().len());
        for (_, command) in map.help_rows() {
            let name = format!("`{}`", command.name());
            assert_eq!(
                rows.iter()
                    .filter(|r| r.ends_with(&format!("{name} |")))
                    .count(),
                1,
                "{name}"
            );
        }
        assert!(table.contains("| `Enter` | send the prompt | `send` |"));
        assert!(table.contains("| `F1`, `?` (empty input) |"), "{table}");
        // Conversation keys are plain letters without the empty-input note.
        assert!(
            table.contains(&format!("| `y` | {} |", Command::CopyMessage.describe())),
            "{table}"
        );
        // Every layer follows with its own names.
        for layer in crate::keymap::Layer::ALL {
            assert!(
                table.contains(&format!("`[keys.{}]`:", layer.name())),
                "{table}"
            );
            for row in map.layers.rows(layer) {
                assert!(table.contains(&format!("| `{}` |\n", row.name)), "{table}");
            }
        }
        assert!(
            table.contains("| `Ctrl+Home`, `Home` (empty filter) | select the first model |"),
            "{table}"
        );
    }
}
