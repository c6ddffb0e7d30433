//! Unit tests of the config module; each file covers one concern.

mod errors;
mod files;
mod keys;
mod models;
mod prices;
mod task_models;

use std::path::Path;

use super::{Config, ConfigError, parse_str};

/// The path every in-memory test pretends to have read.
const PATH: &str = "/home/u/.config/ecochat/config.toml";

use crate::providers::env_of;

/// Parses `text` with an empty environment.
fn parse(text: &str) -> Result<Config, ConfigError> {
    parse_str(text, Path::new(PATH), &env_of(&[]))
}

/// The error message of a config that must fail.
fn error_of(text: &str) -> String {
    match parse(text) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(e) => e.to_string(),
    }
}

/// A one-provider config whose single model table holds `model_lines`.
fn with_model(model_lines: &str) -> String {
    format!(
        "[[providers]]\nname = \"p\"\nbase_url = \"https://x.test/v1\"\n\n[[providers.models]]\nid = \"m\"\n{model_lines}\n"
    )
}
