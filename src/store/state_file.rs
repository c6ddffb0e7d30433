//! Small things remembered across runs (the last used model) and the `/models` cache.
//! Plain JSON files written atomically; a damaged file is ignored, never fatal.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::models::{MAX_DISCOVERED, cap_discovered};
use crate::files::{self, Access};

/// What ecochat remembers between runs, in `$XDG_STATE_HOME/ecochat/state.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RememberedState {
    /// `provider:model` picked last in the model picker.
    #[serde(default)]
    pub last_model: Option<String>,
}

impl RememberedState {
    /// The state file inside `state_dir`.
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join("state.json")
    }

    /// Reads the state; a missing or unreadable file gives the default.
    pub fn load(state_dir: &Path) -> Self {
        read_json(&Self::path(state_dir)).unwrap_or_default()
    }

    /// Writes the state atomically.
    pub fn save(&self, state_dir: &Path) -> io::Result<()> {
        write_json_atomic(&Self::path(state_dir), self)
    }
}

/// Model ids fetched from providers' `/models`, with when they were fetched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelCache {
    /// Provider name -> fetched list.
    #[serde(default)]
    pub providers: BTreeMap<String, CachedModels>,
}

/// One provider's fetched model list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedModels {
    /// Unix seconds of the fetch.
    pub fetched_at: i64,
    pub ids: Vec<String>,
}

impl ModelCache {
    /// The cache file inside `cache_dir`.
    pub fn path(cache_dir: &Path) -> PathBuf {
        cache_dir.join("models.json")
    }

    /// Reads the cache; a missing or damaged file gives an empty cache. A list longer than
    /// [`MAX_DISCOVERED`] (written before the cap, or by hand) is cut to it.
    pub fn load(cache_dir: &Path) -> Self {
        let mut cache: Self = read_json(&Self::path(cache_dir)).unwrap_or_default();
        for (name, cached) in &mut cache.providers {
            let dropped = cap_discovered(&mut cached.ids);
            if dropped > 0 {
                tracing::info!(provider = %name, dropped, "cached model list cut to the cap");
            }
        }
        cache
    }

    /// Writes the cache atomically, at most [`MAX_DISCOVERED`] ids a provider.
    pub fn save(&self, cache_dir: &Path) -> io::Result<()> {
        #[derive(Serialize)]
        struct Capped<'a> {
            fetched_at: i64,
            ids: &'a [String],
        }
        #[derive(Serialize)]
        struct View<'a> {
            providers: BTreeMap<&'a str, Capped<'a>>,
        }
        let view = View {
            providers: self
                .providers
                .iter()
                .map(|(name, c)| {
                    let ids = &c.ids[..c.ids.len().min(MAX_DISCOVERED)];
                    let capped = Capped {
                        fetched_at: c.fetched_at,
                        ids,
                    };
                    (name.as_str(), capped)
                })
                .collect(),
        };
        write_json_atomic(&Self::path(cache_dir), &view)
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
    let text = std::fs::read(path).ok()?;
    match serde_json::from_slice(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(path = %path.display(), %e, "ignoring an unreadable state file");
            None
        }
    }
}

/// Writes `value` owner-only (0600) through a temp file beside `path`, then renames it over
/// `path`, so a crash never leaves half a file; a missing directory is created 0700.
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        files::create_private_dir(dir)?;
    }
    let bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    files::write_atomic(path, &bytes, Access::Private)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_damage_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            RememberedState::load(dir.path()),
            RememberedState::default()
        );
        let s = RememberedState {
            last_model: Some("ecovai:kimi".into()),
        };
        s.save(dir.path()).unwrap();
        assert_eq!(RememberedState::load(dir.path()), s);
        std::fs::write(RememberedState::path(dir.path()), b"{not json").unwrap();
        assert_eq!(
            RememberedState::load(dir.path()),
            RememberedState::default()
        );
    }

    #[test]
    fn model_cache_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = ModelCache::default();
        c.providers.insert(
            "ecovai".into(),
            CachedModels {
                fetched_at: 1_700_000_000,
                ids: vec!["a".into()],
            },
        );
        c.save(&dir.path().join("nested")).unwrap();
        assert_eq!(ModelCache::load(&dir.path().join("nested")), c);
    }

    #[test]
    fn an_oversized_model_cache_is_capped_when_saved_and_when_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let ids: Vec<String> = (0..450_000).map(|i| format!("m-{i}")).collect();
        let mut c = ModelCache::default();
        c.providers.insert(
            "relay".into(),
            CachedModels {
                fetched_at: 1,
                ids: ids.clone(),
            },
        );
        c.save(dir.path()).unwrap();
        let loaded = ModelCache::load(dir.path());
        assert_eq!(loaded.providers["relay"].ids.len(), MAX_DISCOVERED);
        // A models.json written before the cap (or by hand) holds them all: cut on loading.
        let json = serde_json::json!({"providers": {"relay": {"fetched_at": 1, "ids": ids}}});
        std::fs::write(ModelCache::path(dir.path()), json.to_string()).unwrap();
        let loaded = ModelCache::load(dir.path());
        let relay = &loaded.providers["relay"];
        assert_eq!(relay.ids.len(), MAX_DISCOVERED);
        assert_eq!(relay.ids[0], "m-0");
    }

    #[test]
    fn symlinks_planted_under_the_old_temp_names_are_not_followed_and_files_are_0600() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let victim = elsewhere.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        let pid = std::process::id();
        for name in ["state.json", "models.json"] {
            for p in pid.saturating_sub(50)..pid + 50 {
                symlink(&victim, dir.path().join(format!(".{name}.{p}.tmp"))).unwrap();
            }
        }
        let s = RememberedState {
            last_model: Some("ecovai:kimi".into()),
        };
        s.save(dir.path()).unwrap();
        ModelCache::default().save(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        assert_eq!(RememberedState::load(dir.path()), s);
        for path in [
            RememberedState::path(dir.path()),
            ModelCache::path(dir.path()),
        ] {
            let meta = std::fs::symlink_metadata(&path).unwrap();
            assert!(meta.is_file(), "{}", path.display());
            assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        }
        let made = dir.path().join("new/state");
        s.save(&made).unwrap();
        let dir_mode = std::fs::metadata(&made).unwrap().permissions().mode();
        assert_eq!(
            dir_mode & 0o777,
            0o700,
            "a dir made for the state is private"
        );
    }
}
