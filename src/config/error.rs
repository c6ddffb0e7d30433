//! `ConfigError`: every way a config can be wrong, each naming the file, line, column and key.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// A position in a config file, printed as `path:line:col` (1-based, columns in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The config file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

impl Location {
    /// The location of byte `offset` in `text`, which was read from `path`.
    pub fn at(path: &Path, text: &str, offset: usize) -> Location {
        let (line, col) = line_col(text, offset);
        Location {
            path: path.to_path_buf(),
            line,
            col,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.col)
    }
}

/// Everything that can be wrong with a config file, or with a `provider:model` spec.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file was named by `--config` or `ECOCHAT_CONFIG` but does not exist.
    #[error("{}: config file not found (named by {origin})", path.display())]
    NotFound { path: PathBuf, origin: &'static str },

    /// The config path points at a directory.
    #[error("{}: is a directory, expected a TOML file", path.display())]
    IsDirectory { path: PathBuf },

    /// The file exists but could not be read.
    #[error("{}: cannot read the config file: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file holds bytes that are not UTF-8 (TOML must be UTF-8).
    #[error("{at}: the file is not valid UTF-8 (TOML files must be saved as UTF-8)")]
    NotUtf8 { at: Location },

    /// The TOML itself is malformed.
    #[error("{at}: invalid TOML: {message}")]
    Syntax { at: Location, message: String },

    /// A key the schema does not know.
    #[error("{at}: unknown key `{key}` in {section}{}", unknown_key_hint(suggestion.as_deref(), known))]
    UnknownKey {
        at: Location,
        key: String,
        section: &'static str,
        suggestion: Option<String>,
        known: &'static [&'static str],
    },

    /// A required key is absent.
    #[error("{at}: missing key `{key}` in {section}")]
    MissingKey {
        at: Location,
        key: &'static str,
        section: &'static str,
    },

    /// A value of the wrong TOML type (`temperature = "hot"`).
    #[error("{at}: `{key}` must be {expected}, found {found}")]
    WrongType {
        at: Location,
        key: String,
        expected: &'static str,
        found: String,
    },

    /// A number outside its allowed range (`top_k = 0`).
    #[error("{at}: `{key}` must be {rule}, got {value}")]
    OutOfRange {
        at: Location,
        key: String,
        rule: String,
        value: String,
    },

    /// A value of the right type that is still unusable (bad URL, duplicate name, unknown default model).
    #[error("{at}: `{key}`: {message}")]
    Invalid {
        at: Location,
        key: String,
        message: String,
    },

    /// `provider:model` names a provider that is not configured.
    #[error(
        "unknown provider `{provider}` in `{spec}`{} (configured providers: {known})",
        suggestion.as_deref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
    )]
    UnknownProvider {
        spec: String,
        provider: String,
        suggestion: Option<String>,
        known: String,
    },

    /// A bare model id that no provider lists.
    #[error(
        "model `{model}` is not listed by any provider; write it as provider:model (configured providers: {known})"
    )]
    UnknownModel { model: String, known: String },

    /// An empty spec, or `provider:` with nothing after the colon.
    #[error("`{spec}` does not name a model (expected provider:model)")]
    EmptyModel { spec: String },

    /// No home directory, so there is nowhere to look for config and data.
    #[error(
        "cannot determine the home directory (is $HOME set?); pass --config and set XDG_* directories"
    )]
    NoHome,
}

fn unknown_key_hint(suggestion: Option<&str>, known: &[&str]) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => format!(" (known keys: {})", known.join(", ")),
    }
}

/// 1-based line and character column of byte `offset` in `text` (clamped to the text).
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let off = crate::text::floor_char_boundary(text, offset);
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    // A third of the length tolerates one typo in short keys and two or three in long ones,
    // without suggesting `top_k` for `name`.
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        // Optimal string alignment: a swap of neighbours (`nmae`) is one typo, not two.
        .map(|c| (strsim::osa_distance(&word, &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
