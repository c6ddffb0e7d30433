//! The `[keys]` table and the `theme` key: how ecochat looks and which keys run which command.

use std::ops::Range;

use toml::Spanned;

use super::error::{ConfigError, did_you_mean};
use super::raw::{KeyTable, Text};
use super::spans::Doc;
use crate::app::keymap::{Combo, Command, KeyConflict, KeyMap};
use crate::config::ThemeName;

/// The `theme` key: `None` when absent.
pub(super) fn read_theme(
    doc: Doc<'_>,
    theme: Option<Spanned<Text>>,
) -> Result<Option<ThemeName>, ConfigError> {
    let Some(theme) = theme else {
        return Ok(None);
    };
    let (span, name) = (theme.span(), theme.into_inner().0);
    ThemeName::from_name(&name).map(Some).ok_or_else(|| {
        let hint = did_you_mean(&name, ThemeName::NAMES)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        let names = ThemeName::NAMES.join(", ");
        doc.invalid(
            "theme",
            &span,
            format!("{name:?} is not one of {names}{hint}"),
        )
    })
}

/// The default key map with the commands of the `[keys]` table rebound.
pub(super) fn read_keys(
    doc: Doc<'_>,
    keys: Option<Spanned<KeyTable>>,
) -> Result<KeyMap, ConfigError> {
    let Some(keys) = keys else {
        return Ok(KeyMap::default());
    };
    let start = keys.span().start;
    let mut entries = keys.into_inner().0;
    // The table arrives in key order; conflicts are reported in the user's order.
    entries.sort_by_key(|(_, value)| value.span.start);
    let mut overrides: Vec<(Command, Vec<Combo>)> = Vec::new();
    // Where each key was written, to point a conflict at the user's text.
    let mut written: Vec<(Command, Combo, Range<usize>)> = Vec::new();
    for (name, value) in entries {
        let Some(command) = Command::from_name(&name) else {
            continue; // unreachable: unknown names were rejected with the other unknown keys
        };
        let mut combos = Vec::with_capacity(value.items.len());
        for item in value.items {
            let combo =
                Combo::parse(item.get_ref()).map_err(|m| doc.invalid(&name, &item.span(), m))?;
            written.push((command, combo, item.span()));
            combos.push(combo);
        }
        overrides.push((command, combos));
    }
    KeyMap::default()
        .with_overrides(&overrides)
        .map_err(|c| conflict_error(doc, start, c, &written))
}

/// "`Ctrl+N` is bound to both `quit` and `new_chat`", at the key the user wrote.
fn conflict_error(
    doc: Doc<'_>,
    start: usize,
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
            let line = doc.loc(a.2.start).line;
            let hint =
                format!("; a key can run one command only (`{first}` has it on line {line})");
            return doc.invalid(second, &b.2, message + &hint);
        }
        (Some(a), None) => (a, second),
        (None, Some(b)) => (b, first),
        (None, None) => return doc.invalid("keys", &(start..start), message),
    };
    let hint = format!(
        " (`{other}` has it by default: give `{other}` other keys, or write `{other} = []` to unbind it)"
    );
    doc.invalid(mine.0.name(), &mine.2, message + &hint)
}
