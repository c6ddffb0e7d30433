//! Configuration: TOML schema, XDG paths, built-in providers (ecovai + offline demo), validation
//! with `path:line:col` errors, and `provider:model` resolution.
//!
//! Typical start-up:
//! ```no_run
//! # fn main() -> Result<(), ecochat::config::ConfigError> {
//! let paths = ecochat::config::Paths::discover(None)?;
//! let loaded = ecochat::config::load(&paths)?;
//! for w in &loaded.warnings {
//!     eprintln!("warning: {w}");
//! }
//! let (provider, model) = loaded.config.resolve(&loaded.config.default_model)?;
//! # let _ = (provider, model);
//! # Ok(())
//! # }
//! ```

mod error;
mod keys;
mod load;
mod model_api;
mod parse;
mod paths;
mod prices;
mod raw;
mod schema;
pub mod secret;
mod spans;
mod theme_name;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use error::{ConfigError, Location};

use crate::keymap::KeyMap;
pub(crate) use error::did_you_mean;
pub use load::{load, load_with_env};
pub use model_api::ModelApi;
pub use parse::parse_str;
pub use paths::{CONFIG_ENV, Paths};
pub use schema::{
    Capability, DEFAULT_CONNECT_TIMEOUT_SECS, DEFAULT_IDLE_TIMEOUT_SECS, DEFAULT_MAX_RETRIES,
    DEMO_PROVIDER, ModelParams, ModelSpec, Provider,
};
pub use theme_name::ThemeName;

/// How the config reads environment variables: `|name| std::env::var(name).ok()` in the app,
/// a closure over a map in tests.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The model used at start-up, always as `provider:model` with a configured provider.
    pub default_model: String,
    /// True when the file set `default_model` (it then wins over the last used model).
    pub default_model_explicit: bool,
    /// Providers in file order; the offline `demo` provider is always among them.
    pub providers: Vec<Provider>,
    /// The media panel's top-level keys.
    pub media: MediaConfig,
    /// Where Ctrl+S saves transcripts; `None`: `$XDG_DATA_HOME/ecochat/transcripts`.
    pub transcripts_dir: Option<PathBuf>,
    /// The colour scheme named by `theme`; `None` follows `NO_COLOR`.
    pub theme: Option<ThemeName>,
    /// The default key map with the `[keys]` table applied.
    pub keymap: KeyMap,
    /// `mouse`: capture the mouse at start-up (default true; a key toggles it at run time).
    pub mouse: bool,
    /// `task_bell`: ring the terminal bell when a generation task ends (default false).
    pub task_bell: bool,
    /// `max_reply_mb` in bytes: a reply is cut off once this much has been read.
    pub max_reply_bytes: usize,
    /// `attach_max_side` and `attach_max_text_kb`: how attachments are prepared.
    pub attach: crate::attach::Limits,
}

/// Default `max_reply_mb`.
pub const DEFAULT_MAX_REPLY_MB: usize = 64;

/// Top-level `media_panel_auto_open`, `downloads_dir` and `image_protocol`.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaConfig {
    /// Open the media panel the first time a reply carries media (default true).
    pub auto_open: bool,
    /// Where the panel's `s` saves; `None`: the XDG download dir, else the data dir.
    pub downloads_dir: Option<PathBuf>,
    /// How images are drawn in the terminal.
    pub image_protocol: crate::media::ImageProtocol,
    /// `media_allow_hosts`: local or private hosts images may be fetched from by themselves.
    pub allow_hosts: Vec<String>,
    /// `media_cache_max_mb`: the cap of the media cache, in MiB (default 200).
    pub cache_max_mb: u64,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            auto_open: true,
            downloads_dir: None,
            image_protocol: crate::media::ImageProtocol::Auto,
            allow_hosts: Vec::new(),
            cache_max_mb: 200,
        }
    }
}

/// A config together with where it came from and what deserves a warning.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The validated configuration.
    pub config: Config,
    /// The file that was read; `None` when built-in defaults apply.
    pub source: Option<PathBuf>,
    /// Non-fatal problems (e.g. a key-holding file readable by others), to show the user.
    pub warnings: Vec<String>,
}

impl Config {
    /// The provider with this name.
    pub fn provider(&self, name: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.name == name)
    }

    /// Resolves `provider:model` (split at the first ':', since model ids may contain ':') or a
    /// bare model id (searched in every provider, in order). A model a provider does not list is
    /// still accepted with `provider:model`: aggregators serve more than anyone lists.
    pub fn resolve(&self, spec: &str) -> Result<(&Provider, ModelSpec), ConfigError> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(ConfigError::EmptyModel {
                spec: spec.to_string(),
            });
        }
        let prefixed = spec
            .split_once(':')
            .and_then(|(name, model)| Some((self.provider(name)?, model)));
        if let Some((provider, model)) = prefixed {
            if model.is_empty() {
                return Err(ConfigError::EmptyModel {
                    spec: spec.to_string(),
                });
            }
            let model = provider
                .model(model)
                .cloned()
                .unwrap_or_else(|| ModelSpec::new(model));
            return Ok((provider, model));
        }
        // A bare id, or one whose own ':' looks like a provider prefix (`qwen2.5:7b`).
        if let Some((provider, model)) = self.all_models().into_iter().find(|(_, m)| m.id == spec) {
            return Ok((provider, model.clone()));
        }
        let known = self.provider_names();
        match spec.split_once(':') {
            Some((name, _)) => {
                let names: Vec<&str> = self.providers.iter().map(|p| p.name.as_str()).collect();
                Err(ConfigError::UnknownProvider {
                    spec: spec.to_string(),
                    provider: name.to_string(),
                    suggestion: did_you_mean(name, &names).map(str::to_string),
                    known,
                })
            }
            None => Err(ConfigError::UnknownModel {
                model: spec.to_string(),
                known,
            }),
        }
    }

    /// Every listed model with its provider, in config order.
    pub fn all_models(&self) -> Vec<(&Provider, &ModelSpec)> {
        self.providers
            .iter()
            .flat_map(|p| p.models.iter().map(move |m| (p, m)))
            .collect()
    }

    fn provider_names(&self) -> String {
        self.providers
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
