//! The key map as a Markdown table, for the README (a test keeps the README's copy in step).

use super::KeyMap;

impl KeyMap {
    /// One row per command: its keys, what it does, its name in the `[keys]` table.
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
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Command, KeyMap};

    #[test]
    fn every_command_with_a_key_has_one_row_naming_it() {
        let map = KeyMap::default();
        let table = map.markdown_table();
        let rows: Vec<&str> = table.lines().skip(2).collect();
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
    }
}
