//! Leaving ecochat: Ctrl+Q, Ctrl+C and signals give the terminal back as it was.

use super::*;

/// Asserts the pane's terminal modes are those of a plain shell: main screen, no mouse reporting.
fn assert_modes_restored(t: &Tmux) {
    for flag in [
        "alternate_on",
        "mouse_any_flag",
        "mouse_all_flag",
        "mouse_button_flag",
        "mouse_standard_flag",
        "mouse_sgr_flag",
    ] {
        assert_eq!(t.display(&format!("#{{{flag}}}")), "0", "{flag} after exit");
    }
}

/// Asserts the TUI owns the terminal: alternate screen and mouse reporting on.
fn assert_modes_taken(t: &Tmux) {
    assert_eq!(t.display("#{alternate_on}"), "1");
    assert_eq!(t.display("#{mouse_any_flag}"), "1");
}

#[test]
fn ctrl_q_exits_with_status_0_and_leaves_the_alternate_screen() {
    let server = MockServer::start();
    let t = mock_app(&server);
    assert_modes_taken(&t);
    t.keys(&["C-q"]);
    assert_eq!(t.wait_exit(WAIT), "status 0");
    assert_modes_restored(&t);
}

/// Under the shell wrapper: waits for ecochat's exit and checks what the shell found.
fn assert_shell_got_a_cooked_terminal(t: &Tmux) {
    let screen = t.wait_for(TTY_FLAGS, WAIT);
    assert!(
        screen.contains(&format!("{EXITED}0]")),
        "exit status 0:\n{screen}"
    );
    let flags = screen
        .lines()
        .find_map(|l| l.split_once(TTY_FLAGS).map(|(_, f)| f))
        .expect("the tty flags line");
    let flags: Vec<&str> = flags.split_whitespace().collect();
    let mut sorted = flags.clone();
    sorted.sort_unstable();
    let mut want = COOKED_FLAGS.to_vec();
    want.sort_unstable();
    assert_eq!(sorted, want, "raw mode is off again: {flags:?}");
    assert_modes_restored(t);
    // Only a live pane tells: tmux hides the cursor of a dead one.
    assert_eq!(t.display("#{cursor_flag}"), "1", "the cursor is visible");
    // With bracketed paste still on, the shell would see (and `cat -v` echo) `^[[200~`.
    t.paste("paste-check");
    t.keys(&["Enter"]);
    let screen = t.wait_until(
        |s| s.matches("paste-check").count() >= 2,
        WAIT,
        "the pasted line echoed and printed by cat",
    );
    assert!(
        !screen.contains("[200~"),
        "bracketed paste is off:\n{screen}"
    );
}

#[test]
fn ctrl_q_gives_the_shell_back_a_cooked_terminal() {
    let server = MockServer::start();
    let t = mock_app_in_shell(&server);
    assert_modes_taken(&t);
    t.keys(&["C-q"]);
    assert_shell_got_a_cooked_terminal(&t);
}

/// Sends `signal` to ecochat while a reply streams; the terminal must come back intact.
fn signal_while_streaming_restores_the_terminal(signal: &str) {
    let server = MockServer::start();
    slow_then_m1(&server, 200);
    let t = mock_app_in_shell(&server);
    send(&t, "stream for a while");
    t.wait_for(&scenarios::piece(1), WAIT);
    assert_modes_taken(&t);
    t.kill(signal);
    assert_shell_got_a_cooked_terminal(&t);
}

#[test]
fn sigterm_while_streaming_restores_the_terminal() {
    signal_while_streaming_restores_the_terminal("TERM");
}

#[test]
fn sighup_while_streaming_restores_the_terminal() {
    signal_while_streaming_restores_the_terminal("HUP");
}

#[test]
fn sigterm_exit_status_is_0_in_a_dead_pane() {
    let server = MockServer::start();
    slow_then_m1(&server, 200);
    let t = mock_app(&server);
    send(&t, "stream for a while");
    t.wait_for(&scenarios::piece(1), WAIT);
    t.kill("TERM");
    assert_eq!(t.wait_exit(WAIT), "status 0");
    assert_modes_restored(&t);
}

#[test]
fn ctrl_c_when_idle_quits() {
    let t = Tmux::start(&[], &[], WIDTH, HEIGHT);
    t.wait_ready();
    t.keys(&["C-c"]);
    assert_eq!(t.wait_exit(WAIT), "status 0");
    assert_modes_restored(&t);
}

#[test]
fn ctrl_c_while_streaming_cancels_without_quitting() {
    let server = MockServer::start();
    slow_then_m1(&server, 200);
    let t = mock_app(&server);
    send(&t, "a long one please");
    t.wait_for(&scenarios::piece(1), WAIT);
    t.keys(&["C-c"]);
    t.wait_until(
        |s| s.contains("⊘ cancelled") && is_idle(s),
        WAIT,
        "cancelled and idle",
    );
    assert!(!t.exited());
    send(&t, "and now a short one");
    wait_reply_done(&t, M1_TEXT);
    assert!(!t.exited());
}

/// Waits until the pane's `#{flag}` reads `want`.
fn wait_flag(t: &Tmux, flag: &str, want: &str) {
    t.wait_display(&format!("#{{{flag}}}"), want, WAIT);
}

#[test]
fn f4_releases_the_mouse_to_the_terminal_and_takes_it_back() {
    let server = MockServer::start();
    let t = mock_app(&server);
    assert_modes_taken(&t);
    t.keys(&["F4"]);
    wait_flag(&t, "mouse_any_flag", "0");
    wait_flag(&t, "mouse_sgr_flag", "0");
    t.wait_for("mouse released", WAIT);
    assert_eq!(t.display("#{alternate_on}"), "1");
    t.keys(&["F4"]);
    wait_flag(&t, "mouse_any_flag", "1");
    t.wait_for("Shift+drag selects text", WAIT);
}

#[test]
fn mouse_false_in_the_config_starts_with_the_mouse_released() {
    let server = MockServer::start();
    let mut t = Tmux::new();
    let cfg = t.write_file(
        "ecochat.toml",
        &format!("mouse = false\n{}", config(&server)),
    );
    let cfg = cfg.display().to_string();
    t.run(&["--config", &cfg], &[(KEY_ENV, KEY)], WIDTH, HEIGHT);
    t.wait_ready();
    assert_eq!(t.display("#{alternate_on}"), "1");
    assert_eq!(t.display("#{mouse_any_flag}"), "0");
    t.keys(&["F4"]);
    wait_flag(&t, "mouse_any_flag", "1");
}

/// Ctrl+Z under an interactive shell: the shell gets a cooked terminal and its prompt back,
/// `fg` brings ecochat back drawn in full, and it still takes keys.
#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_redraws() {
    let server = MockServer::start();
    let mut t = Tmux::new();
    let cfg = t.write_file("ecochat.toml", &config(&server));
    let command = format!("{} --config {}", tmux::bin().display(), cfg.display());
    t.run_argv(
        &["bash", "--norc", "--noprofile", "-i"],
        &[(KEY_ENV, KEY), ("PS1", "SHELL-READY$ ")],
        WIDTH,
        HEIGHT,
    );
    t.wait_for("SHELL-READY$", WAIT);
    t.type_text(&command);
    t.keys(&["Enter"]);
    t.wait_ready();
    t.type_text("draft 草稿");
    t.wait_for("draft 草稿", WAIT);

    t.keys(&["C-z"]);
    let shell = t.wait_until(
        |s| s.contains("Stopped") && s.trim_end().ends_with("SHELL-READY$"),
        WAIT,
        "the job stopped and the shell prompt",
    );
    assert!(
        !shell.contains("╭ Message"),
        "the screen was given back:\n{shell}"
    );
    assert_modes_restored(&t);

    t.type_text("fg");
    t.keys(&["Enter"]);
    let back = t.wait_until(
        |s| s.contains("╭ Message") && s.contains("draft 草稿") && s.contains("mock:gpt-4o"),
        WAIT,
        "ecochat redrawn with its draft",
    );
    assert!(
        !back.contains("SHELL-READY$"),
        "drawn over in full:\n{back}"
    );
    assert_modes_taken(&t);
    t.keys(&["Enter"]);
    wait_reply_done(&t, M1_TEXT);
}

/// The log file of the app running in `t`.
fn log_text(t: &Tmux) -> String {
    std::fs::read_to_string(t.path("state/ecochat/ecochat.log")).unwrap_or_default()
}

/// `auto` asks the terminal what it is before reading keys; tmux answers for itself (and
/// half blocks are drawn in it). The first keys typed still arrive.
#[test]
fn auto_asks_the_terminal_and_keeps_the_first_keys() {
    let mut t = Tmux::new();
    t.run(&[], &[("ECOCHAT_LOG", "info")], WIDTH, HEIGHT);
    t.type_text("你好");
    t.wait_ready();
    t.wait_until(
        |s| input_rows(s).iter().any(|(_, l)| l == "你好"),
        WAIT,
        "the keys typed at start-up in the input box",
    );
    let log = log_text(&t);
    let line = log
        .lines()
        .find(|l| l.contains("image protocol"))
        .unwrap_or_else(|| panic!("no image protocol line in the log:\n{log}"));
    assert!(line.contains("version: Some(\"tmux"), "{line}");
    assert!(line.contains("Halfblocks"), "{line}");
}

/// A protocol given on the command line is not second-guessed: nothing is asked.
#[test]
fn an_explicit_image_protocol_asks_nothing() {
    let mut t = Tmux::new();
    t.run(
        &["--image-protocol", "sixel"],
        &[("ECOCHAT_LOG", "info")],
        WIDTH,
        HEIGHT,
    );
    t.wait_ready();
    let log = log_text(&t);
    let line = log
        .lines()
        .find(|l| l.contains("image protocol"))
        .unwrap_or_else(|| panic!("no image protocol line in the log:\n{log}"));
    assert!(line.contains("version: None"), "{line}");
    assert!(line.contains("Sixel"), "{line}");
}
