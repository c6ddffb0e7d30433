//! Loading from disk (missing, directory, non-UTF-8, BOM, permissions) and path discovery.

use std::path::{Path, PathBuf};

use super::super::{LoadedConfig, Paths, load_with_env};
use super::{PATH, env_of, parse};
use crate::config::parse_str;

/// Paths whose config file is `file` (data dirs are never touched by loading).
fn paths_for(file: &Path, explicit: bool) -> Paths {
    let dir = file.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    Paths {
        config_file: file.to_path_buf(),
        config_explicit: explicit,
        data_dir: dir.clone(),
        state_dir: dir.clone(),
        cache_dir: dir,
    }
}

fn load_file(file: &Path, explicit: bool) -> Result<LoadedConfig, String> {
    load_with_env(&paths_for(file, explicit), &env_of(&[])).map_err(|e| e.to_string())
}

fn write(dir: &tempfile::TempDir, bytes: &[u8]) -> PathBuf {
    let file = dir.path().join("config.toml");
    std::fs::write(&file, bytes).unwrap();
    file
}

#[test]
fn missing_default_file_means_builtin_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = load_file(&dir.path().join("config.toml"), false).unwrap();
    assert_eq!(loaded.source, None);
    assert!(loaded.warnings.is_empty());
    assert_eq!(loaded.config.default_model, "demo:demo");
    assert_eq!(loaded.config.providers.len(), 2);
}

#[test]
fn missing_explicit_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nope.toml");
    assert_eq!(
        load_file(&file, true).unwrap_err(),
        format!(
            "{}: config file not found (named by --config or ECOCHAT_CONFIG)",
            file.display()
        )
    );
}

#[test]
fn a_directory_is_not_a_config_file() {
    let dir = tempfile::tempdir().unwrap();
    for explicit in [true, false] {
        assert_eq!(
            load_file(dir.path(), explicit).unwrap_err(),
            format!(
                "{}: is a directory, expected a TOML file",
                dir.path().display()
            )
        );
    }
}

#[test]
fn non_utf8_bytes_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, b"default_model = \"demo:demo\"\n# caf\xe9\n");
    assert_eq!(
        load_file(&file, true).unwrap_err(),
        format!(
            "{}:2:6: the file is not valid UTF-8 (TOML files must be saved as UTF-8)",
            file.display()
        )
    );
}

#[test]
fn empty_file_is_valid_and_recorded_as_source() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, b"");
    let loaded = load_file(&file, true).unwrap();
    assert_eq!(loaded.source.as_deref(), Some(file.as_path()));
    assert_eq!(loaded.config.providers.len(), 2);
}

#[test]
fn a_leading_bom_is_ignored_and_columns_stay_true() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "\u{feff}default_model = \"demo:demo\"\n".as_bytes());
    assert_eq!(
        load_file(&file, true).unwrap().config.default_model,
        "demo:demo"
    );
    let file = write(&dir, "\u{feff}colour = 1\n".as_bytes());
    let err = load_file(&file, true).unwrap_err();
    assert!(
        err.starts_with(&format!("{}:1:1: unknown key `colour`", file.display())),
        "{err}"
    );
}

#[test]
fn errors_from_disk_carry_the_real_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, b"[[providers]]\nname = \"p\"\nbase_url = \"https://x.test\"\nmodels = [{ id = \"m\", top_k = 0 }]\n");
    assert_eq!(
        load_file(&file, false).unwrap_err(),
        format!("{}:4:31: `top_k` must be at least 1, got 0", file.display())
    );
}

#[cfg(unix)]
#[test]
fn inline_key_in_a_shared_file_warns() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let with_key =
        b"[[providers]]\nname = \"p\"\nbase_url = \"https://x.test\"\napi_key = \"sk-abc\"\n";
    let file = write(&dir, with_key);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let loaded = load_file(&file, true).unwrap();
    let shown = file.display();
    assert_eq!(
        loaded.warnings,
        [format!(
            "{shown} contains an api_key but other users may access it (mode 644); run `chmod 600 {shown}`"
        )]
    );
    assert!(!loaded.warnings[0].contains("sk-abc"));

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(load_file(&file, true).unwrap().warnings.is_empty());

    // Without an inline key there is nothing to protect.
    let file = write(
        &dir,
        b"[[providers]]\nname = \"p\"\nbase_url = \"https://x.test\"\napi_key_env = \"P_KEY\"\n",
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(load_file(&file, true).unwrap().warnings.is_empty());
}

#[test]
fn config_path_precedence_is_flag_then_env_then_xdg() {
    let flag = Path::new("/tmp/flag.toml");
    let env = env_of(&[("ECOCHAT_CONFIG", "/tmp/env.toml")]);
    let p = Paths::discover_with(Some(flag), &env).unwrap();
    assert_eq!((p.config_file.as_path(), p.config_explicit), (flag, true));
    let p = Paths::discover_with(None, &env).unwrap();
    assert_eq!(
        (p.config_file.as_path(), p.config_explicit),
        (Path::new("/tmp/env.toml"), true)
    );
    for env in [env_of(&[]), env_of(&[("ECOCHAT_CONFIG", "")])] {
        let p = Paths::discover_with(None, &env).unwrap();
        assert!(!p.config_explicit);
        assert!(
            p.config_file.ends_with("ecochat/config.toml"),
            "{}",
            p.config_file.display()
        );
        assert!(p.data_dir.ends_with("ecochat"), "{}", p.data_dir.display());
        assert!(
            p.state_dir.ends_with("ecochat"),
            "{}",
            p.state_dir.display()
        );
    }
}

#[test]
fn transcripts_dir_expands_home_and_resolves_relative_paths() {
    let env = env_of(&[("HOME", "/home/u")]);
    let cfg = |v: &str| {
        parse_str(&format!("transcripts_dir = {v:?}\n"), Path::new(PATH), &env)
            .unwrap()
            .transcripts_dir
    };
    assert_eq!(cfg("~/notes"), Some(PathBuf::from("/home/u/notes")));
    assert_eq!(cfg("/abs/t"), Some(PathBuf::from("/abs/t")));
    let relative = cfg("t").unwrap();
    assert_eq!(relative, Path::new(PATH).parent().unwrap().join("t"));
    assert_eq!(parse("").unwrap().transcripts_dir, None);
}
