//! Where ecochat keeps its files: the config file (flag > `ECOCHAT_CONFIG` > XDG) and data dirs.

use std::path::{Path, PathBuf};

use directories::ProjectDirs;

use super::{ConfigError, EnvLookup};

/// Environment variable that names the config file when `--config` is not given.
pub const CONFIG_ENV: &str = "ECOCHAT_CONFIG";

/// The files and directories ecochat uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The TOML file to read (it may not exist).
    pub config_file: PathBuf,
    /// True when the config file was named by `--config` or `ECOCHAT_CONFIG`: then it must exist.
    pub config_explicit: bool,
    /// Sessions and transcripts (`$XDG_DATA_HOME/ecochat`).
    pub data_dir: PathBuf,
    /// Logs and other state; the data dir where the platform has no state dir.
    pub state_dir: PathBuf,
    /// Downloaded media and other disposable files.
    pub cache_dir: PathBuf,
}

impl Paths {
    /// Resolves the paths from `--config` (if given), the process environment and the XDG dirs.
    pub fn discover(config_override: Option<&Path>) -> Result<Paths, ConfigError> {
        Paths::discover_with(config_override, &|name| std::env::var(name).ok())
    }

    /// Like `discover`, reading `ECOCHAT_CONFIG` through `env` (the XDG dirs still come from the
    /// process environment, via `directories`).
    pub fn discover_with(
        config_override: Option<&Path>,
        env: EnvLookup<'_>,
    ) -> Result<Paths, ConfigError> {
        let dirs = ProjectDirs::from("", "", "ecochat").ok_or(ConfigError::NoHome)?;
        let from_env = env(CONFIG_ENV).filter(|v| !v.is_empty()).map(PathBuf::from);
        let (config_file, config_explicit) = match (config_override, from_env) {
            (Some(path), _) => (path.to_path_buf(), true),
            (None, Some(path)) => (path, true),
            (None, None) => (dirs.config_dir().join("config.toml"), false),
        };
        Ok(Paths {
            config_file,
            config_explicit,
            data_dir: dirs.data_dir().to_path_buf(),
            state_dir: dirs.state_dir().unwrap_or(dirs.data_dir()).to_path_buf(),
            cache_dir: dirs.cache_dir().to_path_buf(),
        })
    }

    /// Creates the data, state and cache dirs owner-only (0700) and takes group and other access
    /// away from them where an older ecochat made them 0755: what is inside is the user's.
    pub fn secure_dirs(&self) -> std::io::Result<()> {
        let mut first_error = Ok(());
        for dir in [&self.data_dir, &self.state_dir, &self.cache_dir] {
            // One dir that cannot be changed (not ours, read-only) does not keep the others open.
            if let Err(e) = crate::files::ensure_private_dir(dir) {
                tracing::debug!(dir = %dir.display(), %e, "cannot secure a directory");
                if first_error.is_ok() {
                    first_error = Err(e);
                }
            }
        }
        first_error
    }
}
