//! Reading the config file from disk: missing, directory, non-UTF-8 and permission checks.

use std::io::ErrorKind;
use std::path::Path;

use super::error::Location;
use super::parse::{fallback_default_model, parse_str};
use super::schema::Provider;
use super::{Config, ConfigError, EnvLookup, LoadedConfig, Paths};

/// Loads the config named by `paths`, reading the process environment.
///
/// A missing file at the XDG default means built-in defaults; a missing file named by
/// `--config`/`ECOCHAT_CONFIG` (`paths.config_explicit`) is an error.
pub fn load(paths: &Paths) -> Result<LoadedConfig, ConfigError> {
    load_with_env(paths, &|name| std::env::var(name).ok())
}

/// Like `load`, with the environment supplied by `env` (tests never touch the process env).
pub fn load_with_env(paths: &Paths, env: EnvLookup<'_>) -> Result<LoadedConfig, ConfigError> {
    let path = paths.config_file.as_path();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound && !paths.config_explicit => {
            return Ok(LoadedConfig {
                config: Config::builtin(env),
                source: None,
                warnings: Vec::new(),
            });
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(ConfigError::NotFound {
                path: path.to_path_buf(),
                origin: "--config or ECOCHAT_CONFIG",
            });
        }
        Err(source) => {
            return Err(ConfigError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if meta.is_dir() {
        return Err(ConfigError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(e) => {
            // Everything before the bad byte is valid, so it can be used to find line:col.
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            return Err(ConfigError::NotUtf8 {
                at: Location::at(path, valid, valid.len()),
            });
        }
    };
    let config = parse_str(text, path, env)?;
    let mut warnings = Vec::new();
    if config.providers.iter().any(Provider::has_inline_key) {
        warnings.extend(permission_warning(path, &meta));
    }
    Ok(LoadedConfig {
        config,
        source: Some(path.to_path_buf()),
        warnings,
    })
}

impl Config {
    /// The built-in config used when there is no file: ecovai and the offline demo.
    pub fn builtin(env: EnvLookup<'_>) -> Config {
        let mut config = Config {
            default_model: String::new(),
            default_model_explicit: false,
            providers: vec![Provider::builtin_ecovai(), Provider::builtin_demo()],
            media: Default::default(),
            transcripts_dir: None,
            theme: None,
            keymap: Default::default(),
            mouse: true,
            task_bell: false,
            max_reply_bytes: super::DEFAULT_MAX_REPLY_MB << 20,
            attach: Default::default(),
        };
        config.default_model = fallback_default_model(&config, env);
        config
    }
}

#[cfg(unix)]
fn permission_warning(path: &Path, meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} contains an api_key but other users may access it (mode {mode:o}); run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn permission_warning(_path: &Path, _meta: &std::fs::Metadata) -> Option<String> {
    None
}
