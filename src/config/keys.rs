//! The `[keys]` table and the `theme` key: how ecochat looks and which keys run which command.

use std::ops::Range;

use toml::Spanned;

use super::error::{ConfigError, did_you_mean};
use super::raw::{KeyEntry, KeyExpected, KeyTable, Strings, Text};
use super::spans::Doc;
use crate::config::ThemeName;
use crate::keymap::{Combo, Command, KeyConflict, KeyMap, Layer, LayerConflict};

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

/// The default key map with the commands of the `[keys]` table and its layers rebound.
pub(super) fn read_keys(
    doc: Doc<'_>,
    keys: Option<Spanned<KeyTable>>,
) -> Result<KeyMap, ConfigError> {
    let Some(keys) = keys else {
        return Ok(KeyMap::default());
    };
    let start = keys.span().start;
    let mut global = Vec::new();
    let mut layers = Vec::new();
    for (name, entry) in keys.into_inner().0 {
        match entry {
            KeyEntry::Keys(value) => global.push((name, value)),
            KeyEntry::Layer(table) => layers.push((name, table)),
        }
    }
    // The table arrives in key order; conflicts are reported in the user's order.
    global.sort_by_key(|(_, value)| value.span.start);
    let mut overrides: Vec<(Command, Vec<Combo>)> = Vec::new();
    // Where each key was written, to point a conflict at the user's text.
    let mut written: Vec<(Command, Combo, Range<usize>)> = Vec::new();
    for (name, value) in global {
        let Some(command) = Command::from_name(&name) else {
            // Unknown names were rejected with the other unknown keys: this is a layer's.
            let message = format!("`{name}` is a layer: write its commands under [keys.{name}]");
            return Err(doc.invalid(&name, &value.span, message));
        };
        for (combo, span) in combos(doc, &name, value)? {
            written.push((command, combo, span));
        }
        let combos = written.iter().filter(|w| w.0 == command).map(|w| w.1);
        overrides.push((command, combos.collect()));
    }
    let mut map = KeyMap::default()
        .with_overrides(&overrides)
        .map_err(|c| conflict_error(doc, start, c, &written))?;
    layers.sort_by_key(|(_, table)| table.span().start);
    for (name, table) in layers {
        let Some(layer) = Layer::from_name(&name) else {
            continue; // unreachable: only layer names are read as tables
        };
        let at = table.span().start;
        let mut entries = table.into_inner().0;
        entries.sort_by_key(|(_, value)| value.span.start);
        let mut written: Vec<(String, Combo, Range<usize>)> = Vec::new();
        let mut overrides: Vec<(String, Vec<Combo>)> = Vec::new();
        for (name, value) in entries {
            let parsed = combos(doc, &name, value)?;
            overrides.push((name.clone(), parsed.iter().map(|(c, _)| *c).collect()));
            written.extend(parsed.into_iter().map(|(c, span)| (name.clone(), c, span)));
        }
        let by_name: Vec<(&str, Vec<Combo>)> = overrides
            .iter()
            .map(|(n, c)| (n.as_str(), c.clone()))
            .collect();
        map.layers
            .rebind(layer, &by_name)
            .map_err(|c| layer_conflict_error(doc, layer, at, c, &written))?;
    }
    Ok(map)
}

/// The keys of one entry, each with where it was written.
fn combos(
    doc: Doc<'_>,
    name: &str,
    value: Strings<KeyExpected>,
) -> Result<Vec<(Combo, Range<usize>)>, ConfigError> {
    value
        .items
        .into_iter()
        .map(|item| {
            let combo =
                Combo::parse(item.get_ref()).map_err(|m| doc.invalid(name, &item.span(), m))?;
            Ok((combo, item.span()))
        })
        .collect()
}

/// "`o` is bound to both `open` and `save` in [keys.media]", at the key the user wrote.
fn layer_conflict_error(
    doc: Doc<'_>,
    layer: Layer,
    at: usize,
    c: LayerConflict,
    written: &[(String, Combo, Range<usize>)],
) -> ConfigError {
    let find = |name: &str| written.iter().find(|(n, k, _)| n == name && *k == c.combo);
    let (first, second) = (c.first, c.second);
    let section = layer.section();
    let message = format!(
        "`{}` is bound to both `{first}` and `{second}` in {section}",
        c.combo.label()
    );
    let (mine, other) = match (find(first), find(second)) {
        (Some(a), Some(b)) => {
            let line = doc.loc(a.2.start).line;
            let hint =
                format!("; a key can run one command only (`{first}` has it on line {line})");
            return doc.invalid(second, &b.2, message + &hint);
        }
        (Some(a), None) => (a, second),
        (None, Some(b)) => (b, first),
        (None, None) => return doc.invalid(layer.name(), &(at..at), message),
    };
    let hint = format!(
        " (`{other}` has it by default: give `{other}` other keys, or write `{other} = []` to unbind it)"
    );
    doc.invalid(&mine.0, &mine.2, message + &hint)
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
