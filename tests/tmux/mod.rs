//! Drives the real `ecochat` binary inside a detached tmux session, like a person at a terminal.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A tmux server of its own (own socket) running one window with ecochat in it.
pub struct Tmux {
    socket: String,
    pub home: tempfile::TempDir,
}

impl Tmux {
    /// Starts `ecochat args…` in a `width`x`height` window with HOME and XDG dirs in a temp dir.
    pub fn start(args: &[&str], env: &[(&str, &str)], width: u16, height: u16) -> Tmux {
        assert!(
            Command::new("tmux")
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success()),
            "tmux is required for the end-to-end tests (apt-get install tmux)"
        );
        let socket = format!(
            "ecochat-e2e-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let home = tempfile::tempdir().expect("temp home");
        let t = Tmux { socket, home };
        let mut cmd = vec![format!("env")];
        for (k, v) in t.base_env().iter().chain(
            env.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
                .iter(),
        ) {
            cmd.push(format!("{k}={v}"));
        }
        cmd.push(bin().display().to_string());
        cmd.extend(args.iter().map(|a| a.to_string()));
        // Keep the pane after exit so the test can read what was left on screen.
        t.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-s",
            "e2e",
        ]);
        t.tmux(&["set-option", "-g", "remain-on-exit", "on"]);
        let shell_line = cmd
            .iter()
            .map(|a| shell_quote(a))
            .collect::<Vec<_>>()
            .join(" ");
        t.tmux(&["respawn-pane", "-k", "-t", "e2e", &shell_line]);
        t
    }

    fn base_env(&self) -> Vec<(String, String)> {
        let h = self.home.path();
        vec![
            ("HOME".into(), h.display().to_string()),
            (
                "XDG_CONFIG_HOME".into(),
                h.join("config").display().to_string(),
            ),
            ("XDG_DATA_HOME".into(), h.join("data").display().to_string()),
            (
                "XDG_STATE_HOME".into(),
                h.join("state").display().to_string(),
            ),
            (
                "XDG_CACHE_HOME".into(),
                h.join("cache").display().to_string(),
            ),
            ("TERM".into(), "xterm-256color".into()),
            ("LANG".into(), "C.UTF-8".into()),
        ]
    }

    /// Runs a tmux command on this test's server and returns its output.
    pub fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// Sends keys in tmux's key syntax (`Enter`, `C-q`, `Escape`) or literal text with `-l`.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Types `text` literally (UTF-8 included).
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "e2e", "-l", text]);
    }

    /// The visible screen as text.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "e2e"]).stdout)
            .into_owned()
    }

    /// A tmux format value of the pane, e.g. `#{alternate_on}`.
    pub fn display(&self, format: &str) -> String {
        String::from_utf8_lossy(
            &self
                .tmux(&["display-message", "-p", "-t", "e2e", format])
                .stdout,
        )
        .trim()
        .to_string()
    }

    /// Waits until the screen contains `needle`; panics with the screen after `timeout`.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        self.wait_until(|s| s.contains(needle), timeout, needle)
    }

    /// Waits until `pred` holds for the screen; panics with the screen after `timeout`.
    pub fn wait_until(&self, pred: impl Fn(&str) -> bool, timeout: Duration, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if start.elapsed() > timeout {
                panic!("timed out after {timeout:?} waiting for {what:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// True once the program in the pane has exited.
    pub fn exited(&self) -> bool {
        self.display("#{pane_dead}") == "1"
    }

    /// Waits for the program to exit.
    pub fn wait_exit(&self, timeout: Duration) {
        let start = Instant::now();
        while !self.exited() {
            assert!(
                start.elapsed() < timeout,
                "ecochat did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// The config dir inside the temp home.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.home.path().join(rel)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

/// The binary under test.
pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_ecochat"))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
