//! Signals while a reply streams: SIGTERM, SIGHUP and SIGINT write the partial reply (all that
//! was shown, marked as stopped) and give the terminal back; SIGKILL loses at most the part of
//! the reply after its last checkpoint. Real binary, in tmux and in pipe mode.

mod support;
mod tmux;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ecochat::chat::{Role, Status};
use support::binary::{self, StdoutCapture};
use support::chat::{KEY_ENV, TEST_KEY};
use support::{MockServer, scenarios};
use tmux::{COOKED_FLAGS, EXITED, TTY_FLAGS, Tmux, WAIT};

const PIECES: usize = 200;

fn config(server: &MockServer) -> String {
    binary::mock_config(&server.base_url(), "m", "")
}

fn slow_server() -> MockServer {
    let server = MockServer::start();
    server.on_model(
        "m",
        vec![scenarios::slow_stream(PIECES, Duration::from_millis(40))],
    );
    server
}

/// The highest `第N段，` on screen.
fn last_piece_shown(screen: &str) -> Option<usize> {
    let squashed: String = screen.chars().filter(|c| !c.is_whitespace()).collect();
    (0..PIECES)
        .rev()
        .find(|&i| squashed.contains(&scenarios::piece(i)))
}

/// Sends `signal` to the TUI mid-reply; checks the terminal and what was stored.
fn tui_signal_saves_the_partial_reply(signal: &str, name: &str) {
    let server = slow_server();
    let mut t = Tmux::new();
    let cfg = t.write_config(&config(&server));
    t.run_in_shell(&["--config", &cfg], &[(KEY_ENV, TEST_KEY)], 100, 30);
    t.wait_ready();
    t.type_text("数到两百");
    t.keys(&["Enter"]);
    let screen = t.wait_for(&scenarios::piece(5), WAIT);
    let shown = last_piece_shown(&screen).expect("pieces on screen");
    t.kill(signal);

    let screen = t.wait_for(TTY_FLAGS, WAIT);
    assert!(screen.contains(&format!("{EXITED}0]")), "{screen}");
    let flags = screen
        .lines()
        .find_map(|l| l.split_once(TTY_FLAGS).map(|(_, f)| f.to_string()))
        .expect("flags line");
    let mut flags: Vec<&str> = flags.split_whitespace().collect();
    flags.sort_unstable();
    let mut want = COOKED_FLAGS.to_vec();
    want.sort_unstable();
    assert_eq!(flags, want, "the terminal is cooked again");
    assert_eq!(t.display("#{alternate_on}"), "0");

    let msgs = binary::latest_messages(&binary::db_path(t.home.path()));
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert_eq!(msgs[0].role, Role::User);
    let reply = &msgs[1];
    // Everything that was on screen was written: not only up to the last checkpoint.
    assert!(
        reply.content.contains(&scenarios::piece(shown)),
        "{shown} shown, stored {:?}",
        reply.content
    );
    assert!(scenarios::pieces_text(PIECES).starts_with(&reply.content));
    assert!(
        !reply.content.contains(&scenarios::piece(PIECES - 1)),
        "stopped early"
    );
    assert_eq!(
        reply.status,
        Status::Interrupted(format!("ecochat was stopped by {name}"))
    );
}

#[test]
fn sigterm_in_the_tui_saves_the_partial_reply() {
    tui_signal_saves_the_partial_reply("TERM", "SIGTERM");
}

#[test]
fn sighup_in_the_tui_saves_the_partial_reply() {
    tui_signal_saves_the_partial_reply("HUP", "SIGHUP");
}

#[test]
fn sigint_in_the_tui_saves_the_partial_reply() {
    tui_signal_saves_the_partial_reply("INT", "SIGINT");
}

#[test]
fn sigkill_in_the_tui_loses_at_most_the_last_checkpoint_interval() {
    let server = slow_server();
    let t = Tmux::with_config(&config(&server), &[(KEY_ENV, TEST_KEY)]);
    t.type_text("数到两百");
    t.keys(&["Enter"]);
    // Past one checkpoint interval (1 s at 40 ms a piece is 25 pieces).
    let screen = t.wait_for(&scenarios::piece(40), WAIT);
    let shown = last_piece_shown(&screen).expect("pieces on screen");
    t.kill("KILL");
    assert_eq!(t.wait_exit(WAIT), "signal 9");

    let msgs = binary::latest_messages(&binary::db_path(t.home.path()));
    assert_eq!(msgs.len(), 2, "the prompt and the reply so far: {msgs:?}");
    assert_eq!(msgs[0].content, "数到两百");
    let reply = &msgs[1];
    assert!(!reply.content.is_empty());
    assert!(scenarios::pieces_text(PIECES).starts_with(&reply.content));
    // At most one checkpoint (1 s = 25 pieces) behind what was shown, with slack for scheduling.
    let stored = (0..PIECES)
        .rev()
        .find(|&i| reply.content.contains(&scenarios::piece(i)))
        .expect("a piece stored");
    assert!(stored + 35 >= shown, "stored up to {stored}, shown {shown}");
    assert!(matches!(reply.status, Status::Interrupted(_)), "{reply:?}");
}

/// The highest `第N行` on screen.
fn highest_paragraph(screen: &str) -> Option<usize> {
    screen
        .split("第")
        .skip(1)
        .filter_map(|s| s.split_once("行")?.0.parse().ok())
        .max()
}

#[test]
fn sigkill_during_a_long_reply_keeps_what_was_appended_in_parts() {
    // 400 paragraphs of ~3 KB at 15 ms: 1.2 MB over 6 s, so the store writes it in parts.
    const LINES: usize = 400;
    const WIDTH: usize = 1000;
    let server = MockServer::start();
    server.on_model(
        "m",
        vec![scenarios::slow_lines(
            LINES,
            WIDTH,
            Duration::from_millis(10),
        )],
    );
    let t = Tmux::with_config(&config(&server), &[(KEY_ENV, TEST_KEY)]);
    t.type_text("写长文");
    t.keys(&["Enter"]);
    // Each paragraph is on screen only briefly: wait for any from 200 on (600 KB in).
    let screen = t.wait_until(
        |s| highest_paragraph(s).is_some_and(|n| n >= 200),
        WAIT,
        "paragraph 200 or later",
    );
    let shown = highest_paragraph(&screen).unwrap_or(0);
    t.kill("KILL");
    assert_eq!(t.wait_exit(WAIT), "signal 9");

    let msgs = binary::latest_messages(&binary::db_path(t.home.path()));
    let reply = &msgs[1];
    let full: String = (0..LINES).map(|i| scenarios::long_line(i, WIDTH)).collect();
    assert!(
        full.starts_with(&reply.content),
        "the stored text is what arrived, in order"
    );
    // Past the 256 KB a row holds, so parts were written, each ending at a line end; at most a
    // checkpoint (1 s, 66 paragraphs) and some scheduling behind what was shown.
    assert!(
        reply.content.len() > 256 * 1024,
        "{} bytes",
        reply.content.len()
    );
    assert!(reply.content.ends_with('\n'));
    let paragraphs = reply.content.matches("行：").count();
    assert!(
        paragraphs + 110 >= shown,
        "{paragraphs} stored, {shown} shown"
    );
    assert!(
        matches!(reply.status, Status::Interrupted(_)),
        "{:?}",
        reply.status
    );
}

#[test]
fn sigterm_in_pipe_mode_saves_the_partial_reply_as_cancelled() {
    let server = slow_server();
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("ecochat.toml");
    std::fs::write(&cfg, config(&server)).unwrap();
    let mut child = binary::ecochat(home.path())
        .args(["--config", cfg.to_str().unwrap(), "-p", "数到两百"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let capture = StdoutCapture::start(&mut child);
    capture.wait_for(&scenarios::piece(5), WAIT);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    let printed = capture.finish();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("stopped by SIGTERM"), "{stderr}");

    let msgs = binary::latest_messages(&binary::db_path(home.path()));
    assert_eq!(msgs[1].content, printed.trim_end(), "all that was printed");
    assert_eq!(msgs[1].status, Status::Cancelled);
}

/// True while `pid` is a live (not zombie) process.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// The pid of the ecochat process started with this config file.
fn pid_with_config(cfg: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let cmd = std::fs::read(e.path().join("cmdline")).ok()?;
        let cmd = String::from_utf8_lossy(&cmd);
        let mut args = cmd.split('\0');
        let exe = args.next()?;
        (exe.ends_with("/ecochat") && args.any(|a| a == cfg) && alive(pid)).then_some(pid)
    })
}

/// Waits until none of `pids` runs any more.
fn wait_all_gone(pids: &[u32]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while pids.iter().any(|&p| alive(p)) {
        assert!(
            Instant::now() < deadline,
            "still running after the hang-up: {:?}",
            pids.iter().filter(|&&p| alive(p)).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_terminal_that_hangs_up_ends_ecochat() {
    // The pty closes and SIGHUP arrives together; crossterm's reader can be caught spinning on
    // the dead pty (under load, when both are ready at once), so the process must end even then.
    let server = slow_server();
    let mut runs = Vec::new();
    for _ in 0..3 {
        let mut t = Tmux::new();
        let cfg = t.write_config(&config(&server));
        t.run(&["--config", &cfg], &[(KEY_ENV, TEST_KEY)], 100, 30);
        runs.push(t);
    }
    let pids: Vec<u32> = runs
        .iter()
        .map(|t| {
            t.wait_ready();
            t.app_pid()
        })
        .collect();
    for t in &runs {
        t.tmux(&["kill-server"]);
    }
    wait_all_gone(&pids);
}

#[test]
fn a_terminal_that_goes_away_without_a_sighup_ends_ecochat() {
    // In a session of its own, ecochat gets no SIGHUP when the pane dies: its terminal just
    // stops working, and crossterm then spins on the dead pty forever unless we notice.
    let server = slow_server();
    let mut t = Tmux::new();
    let cfg = t.write_config(&config(&server));
    let bin = tmux::bin().display().to_string();
    t.run_argv(
        &["setsid", "-w", &bin, "--config", &cfg],
        &[(KEY_ENV, TEST_KEY)],
        100,
        30,
    );
    // Idle: no frame is drawn, so no failing write ends the loop either.
    t.wait_ready();
    let pid = pid_with_config(&cfg).expect("the ecochat process");
    t.tmux(&["kill-server"]);
    wait_all_gone(&[pid]);
}
