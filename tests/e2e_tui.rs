//! End-to-end tests of the real `ecochat` binary in a 120x40 tmux pane against the in-repo mock.
//!
//! Each test has its own tmux server, temp home and mock server, so they run in parallel.
//! Nothing sleeps for a fixed time: every step polls the screen or the mock until it holds.

mod support;
mod tmux;

use std::time::Duration;

use support::{MockServer, RecordedRequest, scenarios};
use tmux::{COOKED_FLAGS, EXITED, TTY_FLAGS, Tmux, WAIT, input_rows, is_idle, squash, status_line};

/// The key the mock provider is configured with; it must never appear on screen.
const KEY: &str = "sk-e2e-7f3a9c1d5b";
/// The environment variable the config names for the key.
const KEY_ENV: &str = "ECOCHAT_TEST_KEY";
/// M1's reply, streamed as `你好` + `！有什么可以帮你？`.
const M1_TEXT: &str = "你好！有什么可以帮你？";
const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

/// A config with one provider, `mock`, pointing at `server`.
fn config(server: &MockServer) -> String {
    format!(
        r#"default_model = "mock:gpt-4o"

[[providers]]
name = "mock"
base_url = "{}"
api_key_env = "{KEY_ENV}"
max_retries = 0
models = ["gpt-4o"]
"#,
        server.base_url()
    )
}

/// ecochat talking to `server`, ready for keys.
fn mock_app(server: &MockServer) -> Tmux {
    let mut t = Tmux::new();
    let cfg = t.write_file("ecochat.toml", &config(server));
    let cfg = cfg.display().to_string();
    t.run(&["--config", &cfg], &[(KEY_ENV, KEY)], WIDTH, HEIGHT);
    t.wait_ready();
    t
}

/// Like `mock_app`, under the shell wrapper that reports the terminal state after exit.
fn mock_app_in_shell(server: &MockServer) -> Tmux {
    let mut t = Tmux::new();
    let cfg = t.write_file("ecochat.toml", &config(server));
    let cfg = cfg.display().to_string();
    t.run_in_shell(&["--config", &cfg], &[(KEY_ENV, KEY)], WIDTH, HEIGHT);
    t.wait_ready();
    t
}

/// Types `prompt` and presses Enter.
fn send(t: &Tmux, prompt: &str) {
    t.type_text(prompt);
    t.keys(&["Enter"]);
}

/// Waits until `text` is on screen (however wrapped) and the status bar says idle.
fn wait_reply_done(t: &Tmux, text: &str) -> String {
    let want = squash(text);
    t.wait_until(
        |s| squash(s).contains(&want) && is_idle(s),
        WAIT,
        &format!("{text:?} and an idle status"),
    )
}

/// The chat completion requests the mock received, oldest first.
fn chat_requests(server: &MockServer) -> Vec<RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path_only() == "/v1/chat/completions")
        .collect()
}

/// `(role, content)` of every message of a chat request.
fn messages(req: &RecordedRequest) -> Vec<(String, String)> {
    let body = req.json();
    body["messages"]
        .as_array()
        .expect("messages is an array")
        .iter()
        .map(|m| {
            let role = m["role"].as_str().expect("role").to_string();
            let content = m["content"].as_str().expect("text content").to_string();
            (role, content)
        })
        .collect()
}

/// A slow reply whose pieces `第0段，`, `第1段，`… arrive every 60 ms, then M1 for later prompts.
fn slow_then_m1(server: &MockServer, chunks: usize) {
    server.on_model(
        "gpt-4o",
        vec![
            scenarios::slow_stream(chunks, Duration::from_millis(60)),
            scenarios::m1(),
        ],
    );
}

/// The highest `n` such that piece `第n段，` is on screen.
fn last_piece_shown(screen: &str) -> Option<usize> {
    let flat = squash(screen);
    (0..1000)
        .take_while(|i| flat.contains(&scenarios::piece(*i)))
        .last()
}

#[test]
fn demo_model_streams_a_reply_without_any_config() {
    let t = Tmux::start(&[], &[("ECOCHAT_DEMO_DELAY_MS", "2")], WIDTH, HEIGHT);
    let screen = t.wait_ready();
    assert!(status_line(&screen).contains("demo:demo"), "{screen}");
    send(&t, "你好");
    let screen = wait_reply_done(&t, "祝你使用愉快！");
    assert!(screen.contains("你刚才说：「你好」"), "{screen}");
    assert!(
        screen.contains("▍ 你好"),
        "the prompt is shown as a user message:\n{screen}"
    );
    assert!(!t.exited());
}

#[test]
fn mock_reply_streams_and_the_request_carries_key_model_and_history() {
    let server = MockServer::start();
    let t = mock_app(&server);
    send(&t, "你好，请自我介绍");
    let screen = wait_reply_done(&t, M1_TEXT);
    assert!(screen.contains("mock:gpt-4o"), "{screen}");

    let reqs = chat_requests(&server);
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    let body = req.json();
    assert_eq!(body["model"], "gpt-4o");
    assert_eq!(body["stream"], true);
    assert_eq!(
        messages(req).last(),
        Some(&("user".to_string(), "你好，请自我介绍".to_string()))
    );

    send(&t, "second question");
    t.wait_until(
        |s| s.matches(M1_TEXT).count() == 2 && is_idle(s),
        WAIT,
        "the second reply",
    );
    let reqs = chat_requests(&server);
    assert_eq!(reqs.len(), 2);
    let history = messages(&reqs[1]);
    let want = [
        ("user", "你好，请自我介绍"),
        ("assistant", M1_TEXT),
        ("user", "second question"),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(r, c)| (r.to_string(), c.to_string()))
        .collect();
    assert_eq!(history, want);
    assert!(!t.screen().contains(KEY), "the API key must never be shown");
}

#[test]
fn esc_cancels_a_slow_reply_keeps_the_partial_text_and_stays_responsive() {
    let server = MockServer::start();
    slow_then_m1(&server, 200);
    let t = mock_app(&server);
    send(&t, "tell me a long story");
    t.wait_for(&scenarios::piece(2), WAIT);
    t.keys(&["Escape"]);
    let screen = t.wait_for("⊘ cancelled", WAIT);
    let shown = last_piece_shown(&screen).expect("the partial text stays");
    assert!((2..199).contains(&shown), "{screen}");
    assert!(
        server.wait_for_no_connections(WAIT),
        "cancelling closes the connection"
    );

    send(&t, "are you there?");
    let screen = wait_reply_done(&t, M1_TEXT);
    assert!(screen.contains("⊘ cancelled"), "{screen}");
    assert_eq!(
        last_piece_shown(&screen),
        Some(shown),
        "no piece arrives after the cancel:\n{screen}"
    );
    assert_eq!(chat_requests(&server).len(), 2);
}

#[test]
fn unauthorized_error_is_rendered_in_the_conversation() {
    let server = MockServer::start();
    server.on_model("gpt-4o", vec![scenarios::m8_401()]);
    let t = mock_app(&server);
    send(&t, "hello");
    let screen = t.wait_for("无效的令牌", WAIT);
    let flat = squash(&screen);
    for part in [
        "✖ 401 from 127.0.0.1",
        "无效的令牌",
        &format!("(check the API key in {KEY_ENV})"),
    ] {
        assert!(flat.contains(&squash(part)), "{part:?} missing:\n{screen}");
    }
    assert!(status_line(&screen).contains("error"), "{screen}");
    assert!(!screen.contains(KEY), "the API key must never be shown");
    assert!(!t.exited());
}

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

/// The row and column where the terminal cursor should be: right after the last input text.
fn expected_cursor_after_input(screen: &str) -> (u16, u16) {
    let rows = input_rows(screen);
    let (row, text) = rows
        .iter()
        .rev()
        .find(|(_, text)| !text.is_empty())
        .expect("text in the input box");
    let col = 1 + unicode_width::UnicodeWidthStr::width(text.as_str());
    (col as u16, *row as u16)
}

#[test]
fn cjk_input_puts_the_terminal_cursor_after_the_text() {
    let t = Tmux::start(&[], &[], WIDTH, HEIGHT);
    let empty = t.wait_ready();
    let rows = input_rows(&empty);
    assert_eq!(rows.len(), 1, "{empty}");
    let text_row = rows[0].0 as u16;
    assert_eq!(
        t.cursor(),
        (1, text_row),
        "empty input: cursor at the start"
    );

    t.type_text("你好世界");
    let screen = t.wait_until(
        |s| input_rows(s).iter().any(|(_, l)| l == "你好世界"),
        WAIT,
        "你好世界 in the input box",
    );
    assert_eq!(expected_cursor_after_input(&screen), (9, text_row));
    t.wait_display("#{cursor_x} #{cursor_y}", &format!("9 {text_row}"), WAIT);

    // One wide character back is two columns.
    t.keys(&["Left"]);
    t.wait_display("#{cursor_x} #{cursor_y}", &format!("7 {text_row}"), WAIT);
    t.keys(&["End"]);

    // A line longer than the box wraps; the cursor follows onto the second row.
    let more = "一二三四五六七八九十".repeat(6);
    t.type_text(&more);
    let want = format!("你好世界{more}");
    let screen = t.wait_until(
        |s| {
            let rows = input_rows(s);
            rows.len() == 2 && rows.iter().map(|(_, l)| l.as_str()).collect::<String>() == want
        },
        WAIT,
        "the input wrapped onto two rows",
    );
    let (x, y) = expected_cursor_after_input(&screen);
    assert_eq!(y, text_row, "the box grows upwards, its last row stays put");
    t.wait_display("#{cursor_x} #{cursor_y}", &format!("{x} {y}"), WAIT);
}

#[test]
fn bracketed_multiline_paste_does_not_send_and_enter_sends_it() {
    let server = MockServer::start();
    let t = mock_app(&server);
    t.paste("第一行 line one\n第二行 line two");
    let screen = t.wait_until(
        |s| {
            let rows: Vec<String> = input_rows(s).into_iter().map(|(_, l)| l).collect();
            rows == ["第一行 line one", "第二行 line two"]
        },
        WAIT,
        "both pasted lines in the input box",
    );
    assert!(
        screen.contains("Type below and press Enter"),
        "nothing sent:\n{screen}"
    );
    assert_eq!(chat_requests(&server).len(), 0);

    t.keys(&["Enter"]);
    wait_reply_done(&t, M1_TEXT);
    let reqs = chat_requests(&server);
    assert_eq!(reqs.len(), 1, "the paste itself sent nothing");
    assert_eq!(
        messages(&reqs[0]).last(),
        Some(&(
            "user".to_string(),
            "第一行 line one\n第二行 line two".to_string()
        ))
    );
}

#[test]
fn up_in_the_empty_input_recalls_the_last_prompt() {
    let server = MockServer::start();
    let t = mock_app(&server);
    send(&t, "first");
    wait_reply_done(&t, M1_TEXT);
    assert_eq!(input_rows(&t.screen()).len(), 1);
    t.keys(&["Up"]);
    t.wait_until(
        |s| input_rows(s).iter().any(|(_, l)| l == "first"),
        WAIT,
        "`first` back in the input box",
    );
    t.keys(&["Enter"]);
    t.wait_until(
        |s| s.matches(M1_TEXT).count() == 2 && is_idle(s),
        WAIT,
        "the recalled prompt answered",
    );
    let reqs = chat_requests(&server);
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        messages(&reqs[1]).last(),
        Some(&("user".to_string(), "first".to_string()))
    );
}

/// Waits until the app has redrawn for `width`x`height`: panes, or the too-small notice.
fn wait_redrawn(t: &Tmux, width: u16, height: u16) -> String {
    let too_small = width < 20 || height < 6;
    let notice: String = "ecochat needs 20x6"
        .chars()
        .take(usize::from(width))
        .collect();
    t.wait_until(
        |s| {
            if too_small {
                s.starts_with(&notice) && !s.contains('╭')
            } else {
                s.lines().any(|l| {
                    l.starts_with('╰')
                        && l.ends_with('╯')
                        && l.chars().count() == usize::from(width)
                })
            }
        },
        WAIT,
        &format!("a redraw at {width}x{height}"),
    )
}

#[test]
fn resize_storm_while_streaming_survives_and_shows_the_too_small_notice() {
    let server = MockServer::start();
    slow_then_m1(&server, 80);
    let t = mock_app(&server);
    send(&t, "stream while I resize");
    t.wait_for(&scenarios::piece(1), WAIT);
    let mut screen = String::new();
    for (w, h) in [
        (80, 24),
        (40, 12),
        (20, 6),
        (19, 6),
        (20, 5),
        (10, 3),
        (30, 8),
    ] {
        t.resize(w, h);
        screen = wait_redrawn(&t, w, h);
    }
    assert!(
        status_line(&screen).contains("streaming"),
        "the resizes happened while the reply streamed:\n{screen}"
    );
    // A storm: no waiting between sizes, down to a single cell.
    for (w, h) in [
        (1, 1),
        (200, 60),
        (2, 2),
        (21, 7),
        (5, 40),
        (120, 3),
        (15, 15),
        (7, 1),
    ] {
        t.resize(w, h);
    }
    t.resize(WIDTH, HEIGHT);
    wait_redrawn(&t, WIDTH, HEIGHT);
    wait_reply_done(&t, &scenarios::pieces_text(80));
    assert!(!t.exited());
    send(&t, "still there?");
    wait_reply_done(&t, M1_TEXT);
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
    let screen = t.wait_for("⊘ cancelled", WAIT);
    assert!(is_idle(&screen), "{screen}");
    assert!(!t.exited());
    send(&t, "and now a short one");
    wait_reply_done(&t, M1_TEXT);
    assert!(!t.exited());
}
