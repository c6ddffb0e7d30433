//! Drives the real `ecochat` binary inside a detached tmux session, like a person at a terminal.
//!
//! Every `Tmux` has its own tmux server (own socket) and its own temp HOME with the XDG dirs in
//! it, and runs ecochat with a cleared environment, so tests run in parallel and nothing from
//! the developer's shell (API keys, `ECOCHAT_CONFIG`) leaks in.
#![allow(dead_code)]

mod screen;

#[allow(unused_imports)]
pub use screen::{conversation_text, input_rows, input_text_column, is_idle, squash, status_line};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// How long a test waits for something that should happen at once.
pub const WAIT: Duration = Duration::from_secs(10);

/// The target of every tmux command: the only pane of the only window.
const PANE: &str = "e2e";

/// Printed by the `in_shell` wrapper once ecochat has exited, followed by the exit status.
pub const EXITED: &str = "[ecochat exited ";
/// Printed by the `in_shell` wrapper before the terminal flags it found after ecochat exited.
pub const TTY_FLAGS: &str = "tty:";

/// The terminal flags the `in_shell` wrapper reports; all are on in a cooked terminal.
pub const COOKED_FLAGS: [&str; 5] = ["isig", "icanon", "echo", "opost", "icrnl"];

/// Runs `"$@"` (ecochat), then reports its exit status and the tty flags, then echoes input with
/// `cat -v` so escape sequences a broken terminal still sends (bracketed paste) become visible.
const SHELL_WRAPPER: &str = r#""$@"; st=$?
printf '\n[ecochat exited %s]\n' "$st"
printf 'tty: %s\n' "$(stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(isig|icanon|echo|opost|icrnl)' | tr '\n' ' ')"
exec cat -v"#;

/// A tmux server of its own (own socket) running one window with ecochat in it.
pub struct Tmux {
    socket: String,
    /// HOME; XDG_CONFIG_HOME etc. are `config/`, `data/`, `state/`, `cache/` inside it.
    pub home: tempfile::TempDir,
    /// True when ecochat runs under the `in_shell` wrapper rather than as the pane's process.
    wrapped: bool,
}

impl Tmux {
    /// A temp home and a socket name; no server runs until `run` or `run_in_shell`.
    pub fn new() -> Tmux {
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
        Tmux {
            socket,
            home,
            wrapped: false,
        }
    }

    /// Starts `ecochat args…` in a `width`x`height` window with HOME and XDG dirs in a temp dir.
    pub fn start(args: &[&str], env: &[(&str, &str)], width: u16, height: u16) -> Tmux {
        let mut t = Tmux::new();
        t.run(args, env, width, height);
        t
    }

    /// Writes `config` as `ecochat.toml` in the home, runs ecochat on it (with `env` added) as
    /// the pane's process in a 100x30 window, and waits until it is ready.
    pub fn with_config(config: &str, env: &[(&str, &str)]) -> Tmux {
        let mut t = Tmux::new();
        let cfg = t.write_config(config);
        t.run(&["--config", &cfg], env, 100, 30);
        t.wait_ready();
        t
    }

    /// Writes `config` as `ecochat.toml` in the home; returns its path as text for `--config`.
    pub fn write_config(&self, config: &str) -> String {
        self.write_file("ecochat.toml", config)
            .display()
            .to_string()
    }

    /// Runs ecochat as the pane's own process: its exit status is `#{pane_dead_status}`.
    pub fn run(&mut self, args: &[&str], env: &[(&str, &str)], width: u16, height: u16) {
        let mut argv = self.env_argv(env);
        argv.push(bin().display().to_string());
        argv.extend(args.iter().map(|a| a.to_string()));
        self.launch(&argv, width, height);
    }

    /// Runs ecochat under `sh`, which after it exits prints `EXITED` + status and the tty flags
    /// (`TTY_FLAGS`), then keeps the terminal alive with `cat -v` so its modes can be inspected.
    pub fn run_in_shell(&mut self, args: &[&str], env: &[(&str, &str)], width: u16, height: u16) {
        let mut argv = self.env_argv(env);
        argv.extend(["sh", "-c", SHELL_WRAPPER, "sh"].map(String::from));
        argv.push(bin().display().to_string());
        argv.extend(args.iter().map(|a| a.to_string()));
        self.wrapped = true;
        self.launch(&argv, width, height);
    }

    /// Runs `argv` (any command, e.g. a wrapper in front of `bin()`) as the pane's process.
    pub fn run_argv(&mut self, argv: &[&str], env: &[(&str, &str)], width: u16, height: u16) {
        let mut full = self.env_argv(env);
        full.extend(argv.iter().map(|a| a.to_string()));
        self.launch(&full, width, height);
    }

    /// `env -i` plus the variables of the temp home, then the test's own.
    fn env_argv(&self, env: &[(&str, &str)]) -> Vec<String> {
        let h = self.home.path();
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
        let mut vars: Vec<(String, String)> = vec![
            ("PATH".into(), path),
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
            // `env -i` drops what tmux sets for its panes; programs (ecochat's image protocol
            // detection among them) look at TMUX to know they run inside it.
            ("TMUX".into(), format!("/tmp/tmux-test/{},0,0", self.socket)),
        ];
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut argv = vec!["env".to_string(), "-i".to_string()];
        argv.extend(vars.into_iter().map(|(k, v)| format!("{k}={v}")));
        argv
    }

    fn launch(&self, argv: &[String], width: u16, height: u16) {
        let (w, h) = (width.to_string(), height.to_string());
        self.ok(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            &w,
            "-y",
            &h,
            "-s",
            PANE,
        ]);
        // Keep the pane after exit so the test can read what was left on screen and the status.
        self.ok(&["set-option", "-g", "remain-on-exit", "on"]);
        let line = argv
            .iter()
            .map(|a| shell_quote(a))
            .collect::<Vec<_>>()
            .join(" ");
        self.ok(&["respawn-pane", "-k", "-t", PANE, &line]);
    }

    /// Writes `contents` to `rel` inside the temp home (parents created) and returns its path.
    pub fn write_file(&self, rel: &str, contents: &str) -> PathBuf {
        let path = self.path(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create dirs in the temp home");
        }
        std::fs::write(&path, contents).expect("write a file in the temp home");
        path
    }

    /// Runs ecochat again in the same pane and the same temp home (with `env` added), as a user
    /// starting it anew.
    pub fn relaunch(&self, args: &[&str], env: &[(&str, &str)]) {
        let h = self.home.path();
        let mut line = vec!["env".to_string()];
        for (k, v) in [
            ("HOME", h.to_path_buf()),
            ("XDG_CONFIG_HOME", h.join("config")),
            ("XDG_DATA_HOME", h.join("data")),
            ("XDG_STATE_HOME", h.join("state")),
            ("XDG_CACHE_HOME", h.join("cache")),
        ] {
            line.push(format!("{k}={}", v.display()));
        }
        line.push("TERM=xterm-256color".into());
        line.push("LANG=C.UTF-8".into());
        line.extend(env.iter().map(|(k, v)| format!("{k}={v}")));
        line.push(bin().display().to_string());
        line.extend(args.iter().map(|a| a.to_string()));
        let quoted: Vec<String> = line
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
            .collect();
        self.tmux(&["respawn-pane", "-k", "-t", "e2e", &quoted.join(" ")]);
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

    /// Runs a tmux command that must succeed.
    fn ok(&self, args: &[&str]) -> Output {
        let out = self.tmux(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Sends keys in tmux's key syntax (`Enter`, `C-q`, `Escape`) or literal text with `-l`.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", PANE];
        args.extend_from_slice(keys);
        self.ok(&args);
    }

    /// Types `text` literally (UTF-8 included).
    pub fn type_text(&self, text: &str) {
        self.ok(&["send-keys", "-t", PANE, "-l", text]);
    }

    /// Pastes `text` as a terminal does: inside bracketed-paste markers when the program asked
    /// for them (tmux sends line breaks as CR, like a real terminal).
    pub fn paste(&self, text: &str) {
        self.ok(&["set-buffer", "-b", "e2e-paste", text]);
        self.ok(&["paste-buffer", "-p", "-d", "-b", "e2e-paste", "-t", PANE]);
    }

    /// Resizes the window (and so the pane and the program's terminal).
    pub fn resize(&self, width: u16, height: u16) {
        let (w, h) = (width.to_string(), height.to_string());
        self.ok(&["resize-window", "-t", PANE, "-x", &w, "-y", &h]);
    }

    /// The visible screen as text.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", PANE]).stdout).into_owned()
    }

    /// A tmux format value of the pane, e.g. `#{alternate_on}`.
    pub fn display(&self, format: &str) -> String {
        String::from_utf8_lossy(
            &self
                .tmux(&["display-message", "-p", "-t", PANE, format])
                .stdout,
        )
        .trim()
        .to_string()
    }

    /// The terminal cursor as (column, row), 0-based.
    pub fn cursor(&self) -> (u16, u16) {
        let v = self.display("#{cursor_x} #{cursor_y}");
        let mut it = v
            .split(' ')
            .map(|n| n.parse::<u16>().expect("cursor number"));
        (it.next().expect("cursor_x"), it.next().expect("cursor_y"))
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
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Waits until the tmux format `format` evaluates to `value`.
    pub fn wait_display(&self, format: &str, value: &str, timeout: Duration) {
        let start = Instant::now();
        loop {
            let v = self.display(format);
            if v == value {
                return;
            }
            if start.elapsed() > timeout {
                panic!(
                    "timed out after {timeout:?}: {format} is {v:?}, not {value:?}; screen:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Waits until ecochat has drawn its input box (so it is in raw mode and reads keys).
    pub fn wait_ready(&self) -> String {
        self.wait_for("╭ Message", WAIT)
    }

    /// True once the program in the pane has exited.
    pub fn exited(&self) -> bool {
        self.display("#{pane_dead}") == "1"
    }

    /// Waits for the pane's program to exit and returns how: `status N` or `signal N`.
    pub fn wait_exit(&self, timeout: Duration) -> String {
        let start = Instant::now();
        let mut dead_since: Option<Instant> = None;
        loop {
            // tmux marks the pane dead (its pty closed) before it has reaped the process.
            let v = self.display("#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}");
            match v.split('|').collect::<Vec<_>>()[..] {
                ["1", status, ""] if !status.is_empty() => return format!("status {status}"),
                ["1", _, signal] if !signal.is_empty() => return format!("signal {signal}"),
                ["1", ..] => {
                    let since = *dead_since.get_or_insert_with(Instant::now);
                    if since.elapsed() > Duration::from_millis(200) {
                        self.nudge_reaper();
                    }
                }
                _ => {}
            }
            assert!(
                start.elapsed() < timeout,
                "ecochat did not exit ({v}); {}; screen:\n{}",
                self.process_report(),
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Makes the tmux server reap its children again.
    ///
    /// Debian's tmux 3.3a is built with libutempter, whose helper briefly replaces tmux's SIGCHLD
    /// handler when a pane's pty closes; a child exiting in that window is never reaped and its
    /// status never shown (tmux/tmux#311, #4559). tmux's maintainer suggests sending SIGCHLD.
    fn nudge_reaper(&self) {
        let server = self.display("#{pid}");
        if server.parse::<u32>().is_ok() {
            let _ = Command::new("kill").args(["-CHLD", &server]).output();
        }
    }

    /// The pid of the ecochat process (under `run_in_shell`, the shell's child).
    pub fn app_pid(&self) -> u32 {
        let pane: u32 = self
            .display("#{pane_pid}")
            .parse()
            .expect("#{pane_pid} is a number");
        if !self.wrapped {
            return pane;
        }
        let children = children_of(pane);
        assert_eq!(
            children.len(),
            1,
            "the shell runs only ecochat: {children:?}"
        );
        children[0]
    }

    /// What /proc says about the ecochat process and its threads, for failure messages.
    pub fn process_report(&self) -> String {
        let pid = self.app_pid();
        let state = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("State:"))
                    .map(String::from)
            })
            .unwrap_or_else(|| "gone".into());
        let mut threads = Vec::new();
        if let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            for task in dir.flatten() {
                let read = |f: &str| {
                    std::fs::read_to_string(task.path().join(f))
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                };
                threads.push(format!("{}:{}", read("comm"), read("wchan")));
            }
        }
        format!("process {pid}: {state}; threads {threads:?}")
    }

    /// Sends `signal` (`TERM`, `HUP`, ...) to the ecochat process.
    pub fn kill(&self, signal: &str) {
        let pid = self.app_pid().to_string();
        let out = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .output()
            .expect("run kill");
        assert!(out.status.success(), "kill -{signal} {pid} failed");
    }

    /// A path inside the temp home.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.home.path().join(rel)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let socket_path = self.display("#{socket_path}");
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
        // A killed server can leave its socket file behind; every test run would add more.
        if !socket_path.is_empty() {
            let _ = std::fs::remove_file(socket_path);
        }
    }
}

/// The binary under test.
pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_ecochat"))
}

/// The pids whose parent is `parent`, from /proc (any Linux, with or without the `children` file).
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // The command name in `stat` may hold spaces or parentheses: parse after the last ')'.
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                    == Some(parent)
            })
        })
        .collect()
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
