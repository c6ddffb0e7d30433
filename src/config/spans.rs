//! Spans to `path:line:col` errors: the document being read, unknown keys in file order, and
//! serde's errors turned back into the key and the value the user wrote.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, Location, did_you_mean};
use super::raw::{
    ALL_EXPECTED, Expected, Int, KEYS_TABLE, LAYER_TABLE, ModelsExpected, Num, ProvidersExpected,
    RawModel, RawProvider, RawTop, Text, WRONG_TYPE, fields_of,
};
use crate::keymap::{Command, Layer, Layers};

pub(super) const TOP: &str = "the top-level table";
pub(super) const PROVIDERS: &str = "[[providers]]";
pub(super) const MODELS: &str = "[[providers.models]]";
pub(super) const KEYS: &str = "[keys]";

/// The text being read and where it came from, to turn byte spans into locations.
#[derive(Clone, Copy)]
pub(super) struct Doc<'a> {
    pub text: &'a str,
    pub path: &'a Path,
}

impl Doc<'_> {
    /// The location of a byte offset.
    pub fn loc(&self, offset: usize) -> Location {
        Location::at(self.path, self.text, offset)
    }

    /// An "unusable value" error pointing at `span`.
    pub fn invalid(
        &self,
        key: &str,
        span: &Range<usize>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::Invalid {
            at: self.loc(span.start),
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// A value outside `rule`, quoting the value as written.
    pub(super) fn out_of_range(&self, key: &str, span: Range<usize>, rule: String) -> ConfigError {
        ConfigError::OutOfRange {
            at: self.loc(span.start),
            key: key.to_string(),
            rule,
            value: self.text.get(span).unwrap_or_default().to_string(),
        }
    }

    /// A string that must not be blank when present.
    pub(super) fn non_empty(
        &self,
        key: &str,
        value: Option<Spanned<Text>>,
    ) -> Result<Option<Spanned<String>>, ConfigError> {
        match value {
            Some(v) if v.get_ref().0.trim().is_empty() => {
                Err(self.invalid(key, &v.span(), "must not be empty"))
            }
            Some(v) => Ok(Some(Spanned::new(v.span(), v.into_inner().0))),
            None => Ok(None),
        }
    }

    /// An integer within `lo..=hi`.
    pub(super) fn int(
        &self,
        key: &str,
        v: Option<Spanned<Int>>,
        lo: i64,
        hi: i64,
    ) -> Result<Option<i64>, ConfigError> {
        match v {
            Some(v) if !(lo..=hi).contains(&v.get_ref().0) => {
                Err(self.out_of_range(key, v.span(), format!("between {lo} and {hi}")))
            }
            v => Ok(v.map(|v| v.get_ref().0)),
        }
    }

    /// A `u32` of at least `lo`.
    pub(super) fn u32_at_least(
        &self,
        key: &str,
        v: Option<Spanned<Int>>,
        lo: u32,
    ) -> Result<Option<u32>, ConfigError> {
        match v {
            None => Ok(None),
            Some(v) => match u32::try_from(v.get_ref().0) {
                Ok(n) if n >= lo => Ok(Some(n)),
                _ => Err(self.out_of_range(key, v.span(), format!("at least {lo}"))),
            },
        }
    }

    /// A number within `lo..=hi` (NaN is outside every range).
    pub(super) fn num(
        &self,
        key: &str,
        v: Option<Spanned<Num>>,
        lo: f64,
        hi: f64,
    ) -> Result<Option<f64>, ConfigError> {
        match v {
            Some(v) if !(lo..=hi).contains(&v.get_ref().0) => {
                Err(self.out_of_range(key, v.span(), format!("between {lo} and {hi}")))
            }
            v => Ok(v.map(|v| v.get_ref().0)),
        }
    }
}

/// Rejects the first key (in file order) that its table's serde type does not have; serde's
/// own check goes in key order and without the key's position.
pub(super) fn check_keys(doc: Doc<'_>, top: &DeTable<'_>) -> Result<(), ConfigError> {
    check_table(doc, top, TOP, fields_of::<RawTop>())?;
    no_datetime(doc, "keys", KEYS_TABLE, top.get("keys"))?;
    for item in items_in(top.get("providers")) {
        no_datetime(doc, "providers", ProvidersExpected::WHAT, Some(item))?;
    }
    for provider in tables_in(top.get("providers")) {
        check_table(doc, provider, PROVIDERS, fields_of::<RawProvider>())?;
        for item in items_in(provider.get("models")) {
            no_datetime(doc, "models", ModelsExpected::WHAT, Some(item))?;
        }
        for model in tables_in(provider.get("models")) {
            check_table(doc, model, MODELS, fields_of::<RawModel>())?;
        }
    }
    if let Some(DeValue::Table(keys)) = top.get("keys").map(Spanned::get_ref) {
        check_table(doc, keys, KEYS, Command::TABLE_NAMES)?;
        for layer in Layer::ALL {
            no_datetime(doc, layer.name(), LAYER_TABLE, keys.get(layer.name()))?;
            if let Some(DeValue::Table(t)) = keys.get(layer.name()).map(Spanned::get_ref) {
                check_table(doc, t, layer.section(), Layers::names(layer))?;
            }
        }
    }
    Ok(())
}

/// toml hands serde a date-time as a one-key table, which a table type would take for a table;
/// no table position accepts one, so it is rejected before serde sees it.
fn no_datetime(
    doc: Doc<'_>,
    key: &str,
    expected: &'static str,
    value: Option<&Spanned<DeValue<'_>>>,
) -> Result<(), ConfigError> {
    match value {
        Some(v) if matches!(v.get_ref(), DeValue::Datetime(_)) => Err(ConfigError::WrongType {
            at: doc.loc(v.span().start),
            key: key.to_string(),
            expected,
            found: describe(v.get_ref()),
        }),
        _ => Ok(()),
    }
}

/// The items of an array value (none for other values).
fn items_in<'a, 'i>(
    value: Option<&'a Spanned<DeValue<'i>>>,
) -> impl Iterator<Item = &'a Spanned<DeValue<'i>>> {
    let items = match value.map(Spanned::get_ref) {
        Some(DeValue::Array(items)) => Some(items.iter()),
        _ => None,
    };
    items.into_iter().flatten()
}

/// The tables of an array (others are left to the type check).
fn tables_in<'a, 'i>(
    value: Option<&'a Spanned<DeValue<'i>>>,
) -> impl Iterator<Item = &'a DeTable<'i>> {
    items_in(value).filter_map(|i| match i.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    })
}

fn check_table(
    doc: Doc<'_>,
    table: &DeTable<'_>,
    section: &'static str,
    known: &'static [&'static str],
) -> Result<(), ConfigError> {
    let first = table
        .keys()
        .filter(|k| !known.contains(&k.get_ref().as_ref()))
        .min_by_key(|k| k.span().start);
    match first {
        Some(key) => {
            let name: &str = key.get_ref();
            Err(ConfigError::UnknownKey {
                at: doc.loc(key.span().start),
                key: name.to_string(),
                section,
                suggestion: did_you_mean(name, known).map(str::to_string),
                known,
            })
        }
        None => Ok(()),
    }
}

/// A leaf's type error, with the key and the value found at its span.
pub(super) fn de_error(doc: Doc<'_>, root: &DeTable<'_>, e: &toml::de::Error) -> ConfigError {
    let span = e.span().unwrap_or(0..0);
    let at = doc.loc(span.start);
    let expected = e
        .message()
        .rsplit_once(WRONG_TYPE)
        .and_then(|(_, x)| ALL_EXPECTED.iter().find(|e| **e == x));
    match (expected, find_in_table(root, &span)) {
        (Some(expected), Some((key, value))) => ConfigError::WrongType {
            at,
            key: key.to_string(),
            expected,
            found: describe(value),
        },
        _ => ConfigError::Syntax {
            at,
            message: e.message().trim().to_string(),
        },
    }
}

/// The key and value whose value has exactly this span.
fn find_in_table<'a>(
    table: &'a DeTable<'_>,
    span: &Range<usize>,
) -> Option<(&'a str, &'a DeValue<'a>)> {
    table
        .iter()
        .find_map(|(k, v)| find_in_value(k.get_ref(), v, span))
}

fn find_in_value<'a>(
    key: &'a str,
    value: &'a Spanned<DeValue<'_>>,
    span: &Range<usize>,
) -> Option<(&'a str, &'a DeValue<'a>)> {
    if value.span() == *span {
        return Some((key, value.get_ref()));
    }
    match value.get_ref() {
        DeValue::Table(t) => find_in_table(t, span),
        DeValue::Array(items) => items.iter().find_map(|i| find_in_value(key, i, span)),
        _ => None,
    }
}

/// "a string (\"hot\")", "an integer (3)", "a table": what the user wrote, for type errors.
fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => format!("a string ({s:?})"),
        DeValue::Integer(i) => format!("an integer ({i})"),
        DeValue::Float(f) => format!("a float ({f})"),
        DeValue::Boolean(b) => format!("a boolean ({b})"),
        DeValue::Datetime(d) => format!("a date-time ({d})"),
        DeValue::Array(_) => "an array".to_string(),
        DeValue::Table(_) => "a table".to_string(),
    }
}

/// toml's message, plus the offending text when it is short (`duplicate key` alone does not
/// say which key).
pub(super) fn syntax_error(doc: Doc<'_>, e: &toml::de::Error) -> ConfigError {
    let span = e.span().unwrap_or(0..0);
    let mut message = e.message().trim().to_string();
    match doc.text.get(span.clone()).map(str::trim) {
        Some(snippet)
            if !snippet.is_empty() && snippet.chars().count() <= 40 && !snippet.contains('\n') =>
        {
            message.push_str(&format!(": `{snippet}`"));
        }
        _ => {}
    }
    ConfigError::Syntax {
        at: doc.loc(span.start),
        message,
    }
}
