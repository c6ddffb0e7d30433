//! The `[keys]` table and the `theme` key: how ecochat looks and which keys run which command.

use std::ops::Range;

use toml::de::DeValue;

use super::error::{ConfigError, did_you_mean};
use super::reader::TableReader;
use crate::app::keymap::{Combo, Command, KeyConflict, KeyMap};
use crate::ui::theme::ThemeName;

const KEYS: &str = "[keys]";
const EXPECTED: &str = "a key (\"ctrl+q\") or a list of keys ([\"f1\", \"?\"])";

/// The `theme` key: `None` when absent.
pub(super) fn read_theme(top: &TableReader<'_, '_>) -> Result<Option<ThemeName>, ConfigError> {
    let Some((name, span)) = top.string("theme")? else {
        return Ok(None);
    };
    ThemeName::from_name(&name).map(Some).ok_or_else(|| {
        let hint = did_you_mean(&name, ThemeName::NAMES)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        let names = ThemeName::NAMES.join(", ");
        top.invalid(
            "theme",
            &span,
            format!("{name:?} is not one of {names}{hint}"),
        )
    })
}

/// The default key map with the commands of the `[keys]` table rebound.
pub(super) fn read_keys(top: &TableReader<'_, '_>) -> Result<KeyMap, ConfigError> {
    let Some(value) = top.get("keys") else {
        return Ok(KeyMap::default());
    };
    let DeValue::Table(table) = value.get_ref() else {
        return Err(top.wrong_type("keys", value, "a table ([keys])"));
    };
    let r = TableReader::new(top.doc(), table, KEYS, value.span().start, Command::NAMES)?;
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let mut overrides: Vec<(Command, Vec<Combo>)> = Vec::new();
    // Where each key was written, to point a conflict at the user's text.
    let mut written: Vec<(Command, Combo, Range<usize>)> = Vec::new();
    for (key, value) in entries {
        let name: &str = key.get_ref();
        let Some(command) = Command::from_name(name) else {
            continue; // unreachable: the reader rejected unknown names
        };
        let items: Vec<_> = match value.get_ref() {
            DeValue::String(_) => vec![value],
            DeValue::Array(items) => items.iter().collect(),
            _ => return Err(r.wrong_type(name, value, EXPECTED)),
        };
        let mut combos = Vec::with_capacity(items.len());
        for item in items {
            let Some(text) = item.get_ref().as_str() else {
                return Err(r.wrong_type(name, item, EXPECTED));
            };
            let combo = Combo::parse(text).map_err(|m| r.invalid(name, &item.span(), m))?;
            written.push((command, combo, item.span()));
            combos.push(combo);
        }
        overrides.push((command, combos));
    }
    KeyMap::default()
        .with_overrides(&overrides)
        .map_err(|c| conflict_error(&r, c, &written))
}

/// "`Ctrl+N` is bound to both `quit` and `new_chat`", at the key the user wrote.
fn conflict_error(
    r: &TableReader<'_, '_>,
    c: KeyConflict,
    written: &[(Command, Combo, Range<usize>)],
) -> ConfigError {
    let at = |command: Command| {
        written
            .iter()
            .find(|(cmd, combo, _)| *cmd == command && *combo == c.combo)
    };
    let (first, second) = (c.first.name(), c.second.name());
    let message = format!(
        "`{}` is bound to both `{first}` and `{second}`",
        c.combo.label()
    );
    // Point at the later of the two keys the user wrote; a key only one of them wrote clashes
    // with the other's default.
    let (mine, other) = match (at(c.first), at(c.second)) {
        (Some(a), Some(b)) => {
            let line = r.doc().loc(a.2.start).line;
            let hint =
                format!("; a key can run one command only (`{first}` has it on line {line})");
            return r.invalid(second, &b.2, message + &hint);
        }
        (Some(a), None) => (a, second),
        (None, Some(b)) => (b, first),
        (None, None) => return r.invalid("keys", &(r.start..r.start), message),
    };
    let hint = format!(
        " (`{other}` has it by default: give `{other}` other keys, or write `{other} = []` to unbind it)"
    );
    r.invalid(mine.0.name(), &mine.2, message + &hint)
}
