//! Ctrl+E at the edge: the prompt goes to a private temp file, the terminal to `$VISUAL` /
//! `$EDITOR` (else `vi`), and the file comes back as the new prompt.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::terminal::TerminalGuard;
use crate::providers::process_env;

/// Used when neither `$VISUAL` nor `$EDITOR` is set.
const FALLBACK: &str = "vi";

/// The editor's program and arguments: `$VISUAL`, else `$EDITOR`, else `vi`, split on
/// whitespace (`code --wait` works; a path with spaces does not).
pub fn editor_command(env: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let chosen = ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(env)
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| FALLBACK.to_string());
    chosen.split_whitespace().map(str::to_string).collect()
}

/// Edits `text` in the user's editor with the screen suspended; the edited text, or a sentence
/// saying what went wrong.
pub(super) async fn edit(guard: &mut TerminalGuard, text: &str) -> Result<String, String> {
    let command = editor_command(&process_env);
    let (program, args) = command.split_first().ok_or("no editor is set")?;
    let path = temp_path();
    write_private(&path, text)
        .map_err(|e| format!("cannot write the prompt to {}: {e}", path.display()))?;
    guard.suspend();
    let status = tokio::process::Command::new(program)
        .args(args)
        .arg(&path)
        .status()
        .await;
    let resumed = guard.resume();
    let result = match status {
        Err(e) => Err(format!(
            "cannot run the editor {program:?}: {e} (set $VISUAL or $EDITOR)"
        )),
        Ok(s) if !s.success() => Err(format!("the editor {program:?} failed ({s})")),
        Ok(_) => std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read the edited prompt back: {e}")),
    };
    if let Err(e) = std::fs::remove_file(&path) {
        tracing::warn!(path = %path.display(), %e, "cannot remove the prompt's temp file");
    }
    if let Err(e) = resumed {
        tracing::error!(%e, "cannot take the terminal back after the editor");
        return Err(format!("the terminal could not be restored: {e}"));
    }
    result
}

fn temp_path() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    // `.md`: editors then highlight the prompt as Markdown.
    std::env::temp_dir().join(format!("ecochat-prompt-{}-{nanos}.md", std::process::id()))
}

/// Creates `path` (never an existing file: the name could be taken by someone else's link),
/// readable by the user only, since prompts can be private.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::env_of;

    #[test]
    fn visual_wins_then_editor_then_vi() {
        let both = env_of(&[("VISUAL", "code --wait"), ("EDITOR", "nano")]);
        assert_eq!(editor_command(&both), ["code", "--wait"]);
        assert_eq!(editor_command(&env_of(&[("EDITOR", "nano")])), ["nano"]);
        assert_eq!(
            editor_command(&env_of(&[("VISUAL", "  "), ("EDITOR", "hx")])),
            ["hx"]
        );
        assert_eq!(editor_command(&env_of(&[])), ["vi"]);
    }

    #[test]
    fn the_temp_file_is_private_and_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.md");
        write_private(&path, "你好\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "你好\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(write_private(&path, "again").is_err());
    }
}
