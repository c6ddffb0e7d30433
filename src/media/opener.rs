//! Hands a link or a file to the user's browser: the programs `$BROWSER` names, then the
//! system opener (the `open` crate: xdg-open, gio, … or macOS `open`). Never through a shell:
//! the target is always one argument of its own, whatever a model put in it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One program to run, with the target already among its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub program: String,
    pub args: Vec<String>,
}

/// Why nothing was opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("no browser or system opener found")]
    NoOpener,
    #[error("{program} failed: {reason}")]
    Failed { program: String, reason: String },
    /// A target that a program would read as an option; ecochat's never start so.
    #[error("refusing to open a target that starts with '-'")]
    LooksLikeOption,
}

/// `$BROWSER` lists programs the way `$PATH` lists directories.
const LIST_SEPARATOR: char = if cfg!(windows) { ';' } else { ':' };

/// How long a launched program may take to fail before it counts as having taken the target.
/// Browsers often keep running, so its exit is not awaited past this.
const HANDOFF: Duration = Duration::from_secs(1);

/// The commands `$BROWSER` asks for, in the order to try them. Each entry is a program and
/// its words (split on whitespace, no quoting); `%s` in a word stands for the target and `%%`
/// for a percent sign, and without `%s` the target is added as the last argument.
pub fn browser_commands(browser: Option<&str>, target: &str) -> Vec<Invocation> {
    let Some(browser) = browser else {
        return Vec::new();
    };
    browser
        .split(LIST_SEPARATOR)
        .filter_map(|entry| {
            let mut words = entry.split_whitespace();
            let program = words.next()?.to_string();
            let mut args: Vec<String> = words.map(str::to_string).collect();
            if args.iter().any(|a| a.contains("%s")) {
                for a in &mut args {
                    *a = substitute(a, target);
                }
            } else {
                args.push(target.to_string());
            }
            Some(Invocation { program, args })
        })
        .collect()
}

fn substitute(word: &str, target: &str) -> String {
    let mut out = String::with_capacity(word.len() + target.len());
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('%', Some('s')) => {
                chars.next();
                out.push_str(target);
            }
            ('%', Some('%')) => {
                chars.next();
                out.push('%');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Whether anything here can open a link: a program `$BROWSER` names, or a system opener,
/// found on `PATH`. `env` reads the environment (`process_env` outside tests).
pub fn available(env: &impl Fn(&str) -> Option<String>) -> bool {
    if !cfg!(unix) {
        // Windows always has its shell's `start`.
        return true;
    }
    let path = env("PATH");
    let found = |program: &str| on_path(program, path.as_deref());
    browser_commands(env("BROWSER").as_deref(), "x")
        .iter()
        .any(|c| found(&c.program))
        || ::open::commands("x")
            .iter()
            .any(|c| found(&c.get_program().to_string_lossy()))
}

fn on_path(program: &str, path: Option<&str>) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    path.is_some_and(|p| std::env::split_paths(p).any(|dir| dir.join(program).is_file()))
}

/// Opens `target` with `$BROWSER`'s programs in turn, then the system opener. Blocks for up
/// to about a second per program tried: call it off the event loop.
pub fn open(target: &str, browser: Option<&str>) -> Result<(), OpenError> {
    open_within(target, browser, HANDOFF)
}

fn open_within(target: &str, browser: Option<&str>, handoff: Duration) -> Result<(), OpenError> {
    if target.starts_with('-') {
        return Err(OpenError::LooksLikeOption);
    }
    let mut first_failure = None;
    for inv in browser_commands(browser, target) {
        let mut cmd = Command::new(&inv.program);
        cmd.args(&inv.args);
        match launch(cmd, handoff) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                first_failure.get_or_insert(OpenError::Failed {
                    program: inv.program,
                    reason: e.to_string(),
                });
            }
        }
    }
    match ::open::that_detached(target) {
        Ok(()) => Ok(()),
        Err(e) => Err(
            first_failure.unwrap_or(if e.kind() == std::io::ErrorKind::NotFound {
                OpenError::NoOpener
            } else {
                OpenError::Failed {
                    program: "the system opener".into(),
                    reason: e.to_string(),
                }
            }),
        ),
    }
}

/// Starts `cmd` detached from the terminal; an exit within `handoff` tells success from
/// failure, and a program still running then has taken the target.
fn launch(mut cmd: Command, handoff: Duration) -> std::io::Result<()> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + handoff;
    loop {
        if let Some(status) = child.try_wait()? {
            return if status.success() {
                Ok(())
            } else {
                Err(std::io::Error::other(format!("it exited with {status}")))
            };
        }
        if Instant::now() >= deadline {
            reap_later(child);
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn reap_later(mut child: Child) {
    // No zombie left behind when the browser exits while ecochat runs.
    std::thread::spawn(move || child.wait());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::env_of;

    const URL: &str = "https://example.com/a?b=c&d";

    fn inv(program: &str, args: &[&str]) -> Invocation {
        Invocation {
            program: program.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn unset_browser_asks_for_nothing() {
        assert!(browser_commands(None, URL).is_empty());
    }

    #[test]
    fn a_plain_browser_gets_the_target_last() {
        assert_eq!(
            browser_commands(Some("firefox"), URL),
            [inv("firefox", &[URL])]
        );
        assert_eq!(
            browser_commands(Some("firefox --new-tab"), URL),
            [inv("firefox", &["--new-tab", URL])]
        );
    }

    #[test]
    fn percent_s_is_replaced_and_percent_percent_kept() {
        assert_eq!(
            browser_commands(Some("chromium --app=%s 100%%"), URL),
            [inv("chromium", &[&format!("--app={URL}"), "100%"])]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_list_is_tried_in_order_and_empty_entries_skipped() {
        assert_eq!(
            browser_commands(Some("w3m:: firefox %s :"), URL),
            [inv("w3m", &[URL]), inv("firefox", &[URL])]
        );
    }

    #[test]
    fn the_target_stays_one_argument_whatever_it_holds() {
        let hostile = "https://x.example/$(touch /tmp/PWNED);a b`id`";
        assert_eq!(
            browser_commands(Some("open-it"), hostile),
            [inv("open-it", &[hostile])]
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn availability_follows_browser_and_path() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("my-browser");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        let empty = tempfile::tempdir().unwrap();
        let empty_path = empty.path().to_str().unwrap();
        assert!(!available(&env_of(&[("PATH", empty_path)])));
        assert!(!available(&env_of(&[
            ("PATH", empty_path),
            ("BROWSER", "no-such-browser")
        ])));
        let browser = script.to_str().unwrap();
        assert!(available(&env_of(&[
            ("PATH", empty_path),
            ("BROWSER", browser)
        ])));
        let dir_path = dir.path().to_str().unwrap();
        assert!(available(&env_of(&[
            ("PATH", dir_path),
            ("BROWSER", "nothing:my-browser %s")
        ])));
        std::fs::write(dir.path().join("xdg-open"), "#!/bin/sh\n").unwrap();
        assert!(available(&env_of(&[("PATH", dir_path)])));
    }

    #[cfg(unix)]
    #[test]
    fn open_runs_the_first_browser_that_works_with_the_target_as_is() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("got");
        let script = dir.path().join("record");
        let body = format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", record.display());
        std::fs::write(&script, body).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let hostile = "https://x.example/$(touch PWNED);`id`";
        let browser = format!("no-such-browser:false:{} %s", script.display());
        // A long hand-off: the script's own exit ends the wait, so the file is there after.
        open_within(hostile, Some(&browser), Duration::from_secs(600)).unwrap();
        assert_eq!(std::fs::read_to_string(&record).unwrap(), hostile);
        assert!(!dir.path().join("PWNED").exists());
    }

    #[test]
    fn a_dash_target_is_refused() {
        assert!(matches!(
            open("-e", Some("true")),
            Err(OpenError::LooksLikeOption)
        ));
    }
}
