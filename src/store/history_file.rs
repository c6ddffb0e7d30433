//! The prompt history across runs: `history.jsonl` in the state dir, one JSON string a line
//! (prompts may span lines), oldest first. Entries that look like API keys are never written.

use std::io;
use std::path::{Path, PathBuf};

use crate::files::Access;

/// How many prompts the history keeps, in memory and on disk.
pub const HISTORY_MAX: usize = 1000;

/// The history file inside `state_dir`.
pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("history.jsonl")
}

/// Reads the history; a missing file is empty, damaged lines are skipped.
pub fn load(state_dir: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path(state_dir)) else {
        return Vec::new();
    };
    let mut entries: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<String>(l).ok())
        .collect();
    if entries.len() > HISTORY_MAX {
        entries.drain(..entries.len() - HISTORY_MAX);
    }
    entries
}

/// True when `text` holds one of `keys` (the configured API keys) or something shaped like a
/// key (`sk-` and 20 or more key characters).
pub fn looks_secret(text: &str, keys: &[String]) -> bool {
    if keys
        .iter()
        .any(|k| k.len() >= 8 && text.contains(k.as_str()))
    {
        return true;
    }
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text.match_indices("sk-").any(|(i, _)| {
        text[i + 3..]
            .chars()
            .take_while(|&c| is_key_char(c))
            .count()
            >= 20
    })
}

/// Writes the newest `HISTORY_MAX` entries that do not look secret, atomically and readable by
/// the user alone (see [`crate::files::write_atomic`]).
pub fn save(state_dir: &Path, entries: &[String], keys: &[String]) -> io::Result<()> {
    crate::files::create_private_dir(state_dir)?;
    let kept: Vec<&String> = entries.iter().filter(|e| !looks_secret(e, keys)).collect();
    let start = kept.len().saturating_sub(HISTORY_MAX);
    let mut body = String::new();
    for e in &kept[start..] {
        body.push_str(&serde_json::to_string(e).map_err(io::Error::other)?);
        body.push('\n');
    }
    crate::files::write_atomic(&path(state_dir), body.as_bytes(), Access::Private)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_multi_line_and_cjk_prompts_and_skips_damage() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).is_empty());
        let entries = vec!["第一行\nsecond".to_string(), "plain \"quoted\"".to_string()];
        save(dir.path(), &entries, &[]).unwrap();
        assert_eq!(load(dir.path()), entries);
        let mut text = std::fs::read_to_string(path(dir.path())).unwrap();
        text.insert_str(0, "{not json\n");
        std::fs::write(path(dir.path()), text).unwrap();
        assert_eq!(load(dir.path()), entries);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_bounded() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let many: Vec<String> = (0..HISTORY_MAX + 5).map(|i| format!("p{i}")).collect();
        save(dir.path(), &many, &[]).unwrap();
        let mode = std::fs::metadata(path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let loaded = load(dir.path());
        assert_eq!(loaded.len(), HISTORY_MAX);
        assert_eq!(loaded[0], "p5");
    }

    #[test]
    fn keys_are_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let entries = vec![
            "my key is sk-abcdefghijklmnopqrstuvwx".to_string(),
            "token ecovai-0123456789".to_string(),
            "sk-short is fine".to_string(),
            "hello".to_string(),
        ];
        save(dir.path(), &entries, &["ecovai-0123456789".into()]).unwrap();
        assert_eq!(load(dir.path()), ["sk-short is fine", "hello"]);
        let raw = std::fs::read_to_string(path(dir.path())).unwrap();
        assert!(!raw.contains("sk-abc") && !raw.contains("0123456789"));
    }
}
