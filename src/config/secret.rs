//! Keys from `api_key_cmd`: the command runs with `sh -c` at first use, once per provider, and
//! its output lives in memory only (never in a file, a log line or an error message).
//!
//! The command gets a null stdin and piped stdout/stderr, so it can never read keystrokes meant
//! for the TUI; a password prompt such as gpg's pinentry talks to the terminal through its own
//! channel, which is why `main` resolves the starting provider's key before the TUI takes over.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::api::ApiError;

/// A command that has not printed its key by then is killed: a forgotten prompt must not hang
/// every reply. Long enough to type a passphrase into pinentry.
pub const KEY_COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// The key a provider's `api_key_cmd` printed, shared by every clone of that provider (the
/// config's, the current target's, a background task's), so the command runs once per loaded
/// config. Only successes are kept: after a failure the next use tries again, so unlocking the
/// password store does not need a restart. No `Debug`: it holds a key.
#[derive(Clone, Default)]
pub struct KeyCache(Arc<Mutex<Option<String>>>);

impl PartialEq for KeyCache {
    // What was fetched at run time is not part of what was configured.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl KeyCache {
    /// True when the command already produced its key (no command would run).
    pub fn is_filled(&self) -> bool {
        self.lock().is_some()
    }

    fn lock(&self) -> MutexGuard<'_, Option<String>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The key printed by `command` for `provider`: the first non-empty line of its stdout, trimmed
/// (`pass show` puts the secret on the first line and notes after it). Kept in `cache`.
pub fn key_from_command(
    provider: &str,
    command: &str,
    cache: &KeyCache,
) -> Result<String, ApiError> {
    // The lock is held while the command runs, so two replies starting at once run it once.
    let mut key = cache.lock();
    if let Some(key) = key.as_ref() {
        return Ok(key.clone());
    }
    let fetched = run(command, KEY_COMMAND_TIMEOUT).map_err(|detail| ApiError::KeyCommand {
        provider: provider.to_string(),
        command: command.to_string(),
        detail,
    })?;
    *key = Some(fetched.clone());
    Ok(fetched)
}

/// Runs `command`; the error is a phrase for `ApiError::KeyCommand` and never contains stdout.
fn run(command: &str, timeout: Duration) -> Result<String, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not be started: {e}"))?;
    // Both pipes are drained on threads: a command filling one pipe while we wait would block.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "did not finish within {} s (it cannot read the terminal: stdin is closed)",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("could not be waited for: {e}")),
        }
    };
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    let first_err_line = String::from_utf8_lossy(&err)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string);
    if !status.success() {
        let code = status.code().map_or_else(
            || "killed by a signal".to_string(),
            |c| format!("exit status {c}"),
        );
        return Err(match first_err_line {
            Some(line) => format!("failed ({code}): {line}"),
            None => format!("failed ({code})"),
        });
    }
    let text = String::from_utf8(out).map_err(|_| "printed a key that is not UTF-8".to_string())?;
    match text.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(key) => Ok(key.to_string()),
        None => Err(match first_err_line {
            Some(line) => format!("printed no key: {line}"),
            None => "printed no key".to_string(),
        }),
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_of_stdout_trimmed_and_run_once_per_cache() {
        let dir = tempfile::tempdir().unwrap();
        let count = dir.path().join("count");
        let cmd = format!(
            "echo run >> '{}'; printf '  sk-from-cmd-1  \\nurl: example\\n'",
            count.display()
        );
        let cache = KeyCache::default();
        assert_eq!(
            key_from_command("p", &cmd, &cache).unwrap(),
            "sk-from-cmd-1"
        );
        assert!(cache.is_filled());
        // A clone (the target's copy of the config's provider) shares what was fetched.
        let copy = cache.clone();
        assert_eq!(key_from_command("p", &cmd, &copy).unwrap(), "sk-from-cmd-1");
        let runs = std::fs::read_to_string(&count).unwrap();
        assert_eq!(runs.lines().count(), 1, "the command ran once");
    }

    #[test]
    fn a_failing_command_names_provider_command_and_first_stderr_line() {
        let cmd = "echo 'gpg: decryption failed: No secret key' >&2; echo second >&2; exit 2";
        let cache = KeyCache::default();
        let err = key_from_command("ecovai", cmd, &cache).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "provider `ecovai`: api_key_cmd `{cmd}` failed (exit status 2): gpg: decryption failed: No secret key"
            )
        );
        assert!(!cache.is_filled(), "failures are not cached");
    }

    #[test]
    fn empty_output_and_stdin_are_errors_not_keys() {
        let err = key_from_command("p", "true", &KeyCache::default())
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("printed no key"), "{err}");
        // stdin is /dev/null: a command waiting for input gets EOF instead of the keyboard.
        let err = key_from_command("p", "read line || exit 3", &KeyCache::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("exit status 3"), "{err}");
    }

    #[test]
    fn a_failing_command_never_shows_its_stdout() {
        // The key is assembled by the shell, so only its output could carry it.
        let err = key_from_command(
            "p",
            "printf 'sk-%s\\n' leaked-9; exit 1",
            &KeyCache::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("exit status 1"), "{err}");
        assert!(!err.contains("sk-leaked-9"), "{err}");
    }

    #[test]
    fn a_hanging_command_is_killed_at_the_timeout() {
        let started = Instant::now();
        let err = run("sleep 30", Duration::from_millis(200)).unwrap_err();
        assert!(err.contains("did not finish"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}

#[cfg(test)]
mod config_tests {
    use std::path::Path;

    use crate::api::ApiError;

    fn provider(body: &str) -> crate::config::Provider {
        let text =
            format!("[[providers]]\nname = \"p\"\nbase_url = \"http://127.0.0.1:9/v1\"\n{body}");
        let cfg = crate::config::parse_str(&text, Path::new("c.toml"), &|_| None).unwrap();
        cfg.provider("p").unwrap().clone()
    }

    #[test]
    fn a_key_command_counts_as_a_key_without_running_and_fails_on_use() {
        let p = provider("api_key_cmd = \"echo nope >&2; exit 4\"\n");
        assert_eq!(p.api_key_cmd.as_deref(), Some("echo nope >&2; exit 4"));
        assert!(p.has_key(&|_| None), "not run to answer has_key");
        assert!(p.needs_key_command());
        match p.endpoint(&|_| None) {
            Err(ApiError::KeyCommand {
                provider, detail, ..
            }) => {
                assert_eq!(provider, "p");
                assert_eq!(detail, "failed (exit status 4): nope");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_key_command_output_becomes_the_bearer_key_and_its_source_names_the_command() {
        // The shell assembles the key, so the command text itself does not hold it.
        let p = provider("api_key_cmd = \"printf 'sk-%s-3\\\\n' unit\"\n");
        let ep = p.endpoint(&|_| None).unwrap();
        assert_eq!(ep.api_key.as_deref(), Some("sk-unit-3"));
        assert!(ep.key_source.contains("api_key_cmd"), "{}", ep.key_source);
        assert!(!p.needs_key_command(), "cached after the first run");
        assert!(!format!("{p:?}").contains("sk-unit-3"));
    }

    #[test]
    fn the_fetched_key_lives_in_the_config_value_and_its_clones() {
        let cmd = "api_key_cmd = \"printf 'sk-%s-7\\\\n' shared\"\n";
        let p = provider(cmd);
        let target = p.clone();
        assert_eq!(
            p.endpoint(&|_| None).unwrap().api_key.as_deref(),
            Some("sk-shared-7")
        );
        assert!(
            !target.needs_key_command(),
            "a clone shares the fetched key"
        );
        // A freshly loaded config holds no key from another one: no process-global cache.
        assert!(provider(cmd).needs_key_command());
    }
}
