//! `TableReader`: typed access to one TOML table that keeps spans, so every error has line:col.
//!
//! The config is read from `toml::de::DeTable` (the spanned document) rather than through serde
//! derives: serde reports unknown fields and range problems without the key's position, and we
//! want `path:line:col: unknown key `x` in [[providers.models]] (did you mean `y`?)`.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, Location, did_you_mean};

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
}

/// A value together with the byte span of its text in the file.
pub(super) type Span<T> = (T, Range<usize>);

/// One table of the document, checked against the keys its section allows.
pub(super) struct TableReader<'d, 'i> {
    doc: Doc<'d>,
    table: &'d DeTable<'i>,
    pub section: &'static str,
    /// Where the table starts, for "missing key" errors.
    pub start: usize,
}

impl<'d, 'i> TableReader<'d, 'i> {
    /// Wraps `table`, failing on the first (in file order) key not in `known`.
    pub fn new(
        doc: Doc<'d>,
        table: &'d DeTable<'i>,
        section: &'static str,
        start: usize,
        known: &'static [&'static str],
    ) -> Result<Self, ConfigError> {
        let mut unknown: Vec<&Spanned<_>> = table
            .keys()
            .filter(|k| !known.contains(&k.get_ref().as_ref()))
            .collect();
        // The map is sorted by key, but the user expects the first mistake in the file first.
        unknown.sort_by_key(|k| k.span().start);
        if let Some(key) = unknown.first() {
            let name: &str = key.get_ref();
            return Err(ConfigError::UnknownKey {
                at: doc.loc(key.span().start),
                key: name.to_string(),
                section,
                suggestion: did_you_mean(name, known).map(str::to_string),
                known,
            });
        }
        Ok(TableReader {
            doc,
            table,
            section,
            start,
        })
    }

    /// The document this table belongs to.
    pub fn doc(&self) -> Doc<'d> {
        self.doc
    }

    /// The raw value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'d Spanned<DeValue<'i>>> {
        self.table.get(key)
    }

    /// A type error for `key` whose value is `value`.
    pub fn wrong_type(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        expected: &'static str,
    ) -> ConfigError {
        ConfigError::WrongType {
            at: self.doc.loc(value.span().start),
            key: key.to_string(),
            expected,
            found: describe(value.get_ref()),
        }
    }

    /// An "unusable value" error pointing at `span`.
    pub fn invalid(
        &self,
        key: &str,
        span: &Range<usize>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::Invalid {
            at: self.doc.loc(span.start),
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// A "missing key" error pointing at the start of the table.
    pub fn missing(&self, key: &'static str) -> ConfigError {
        ConfigError::MissingKey {
            at: self.doc.loc(self.start),
            key,
            section: self.section,
        }
    }

    /// An optional string.
    pub fn string(&self, key: &str) -> Result<Option<Span<String>>, ConfigError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        match v.get_ref().as_str() {
            Some(s) => Ok(Some((s.to_string(), v.span()))),
            None => Err(self.wrong_type(key, v, "a string")),
        }
    }

    /// An optional string that must not be blank when present.
    pub fn non_empty_string(&self, key: &str) -> Result<Option<Span<String>>, ConfigError> {
        match self.string(key)? {
            Some((s, span)) if s.trim().is_empty() => {
                Err(self.invalid(key, &span, "must not be empty"))
            }
            other => Ok(other),
        }
    }

    /// An optional boolean.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        v.get_ref()
            .as_bool()
            .map(Some)
            .ok_or_else(|| self.wrong_type(key, v, "true or false"))
    }

    /// An optional number (integer or float) within `lo..=hi`.
    pub fn float(&self, key: &str, lo: f64, hi: f64) -> Result<Option<f64>, ConfigError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let n = match v.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|i| i as f64),
            _ => return Err(self.wrong_type(key, v, "a number")),
        };
        match n {
            Some(n) if (lo..=hi).contains(&n) => Ok(Some(n)),
            _ => Err(self.out_of_range(key, v, format!("between {lo} and {hi}"))),
        }
    }

    /// An optional integer within `lo..=hi`.
    pub fn int(&self, key: &str, lo: i64, hi: i64) -> Result<Option<i64>, ConfigError> {
        self.int_with_rule(key, lo, hi, || format!("between {lo} and {hi}"))
    }

    /// An optional `u32` of at least `lo`.
    pub fn u32_at_least(&self, key: &str, lo: u32) -> Result<Option<u32>, ConfigError> {
        let value = self.int_with_rule(key, i64::from(lo), i64::from(u32::MAX), || {
            format!("at least {lo}")
        })?;
        Ok(value.and_then(|n| u32::try_from(n).ok()))
    }

    fn int_with_rule(
        &self,
        key: &str,
        lo: i64,
        hi: i64,
        rule: impl Fn() -> String,
    ) -> Result<Option<i64>, ConfigError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let DeValue::Integer(i) = v.get_ref() else {
            return Err(self.wrong_type(key, v, "an integer"));
        };
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if (lo..=hi).contains(&n) => Ok(Some(n)),
            _ => Err(self.out_of_range(key, v, rule())),
        }
    }

    /// A string or an array of strings (`stop = "\n"` or `stop = ["\n", "User:"]`).
    pub fn string_or_list(&self, key: &str) -> Result<Option<Vec<String>>, ConfigError> {
        const EXPECTED: &str = "a string or an array of strings";
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        match v.get_ref() {
            DeValue::String(s) => Ok(Some(vec![s.to_string()])),
            DeValue::Array(items) => items
                .iter()
                .map(|item| {
                    item.get_ref()
                        .as_str()
                        .map(str::to_string)
                        .ok_or_else(|| self.wrong_type(key, item, EXPECTED))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            _ => Err(self.wrong_type(key, v, EXPECTED)),
        }
    }

    fn out_of_range(&self, key: &str, v: &Spanned<DeValue<'_>>, rule: String) -> ConfigError {
        let raw = &self.doc.text.get(v.span()).unwrap_or_default();
        ConfigError::OutOfRange {
            at: self.doc.loc(v.span().start),
            key: key.to_string(),
            rule,
            value: raw.to_string(),
        }
    }
}

/// "a string (\"hot\")", "an integer (3)", "a table": what the user wrote, for type errors.
pub(super) fn describe(value: &DeValue<'_>) -> String {
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
