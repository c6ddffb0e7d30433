//! End-to-end tests of the real `ecochat` binary in a 120x40 tmux pane against the in-repo mock.
//!
//! Each test has its own tmux server, temp home and mock server, so they run in parallel.
//! Nothing sleeps for a fixed time: every step polls the screen or the mock until it holds.
//! This file holds the shared helpers and the chat itself; the rest is in `e2e_tui/`.

mod support;
mod tmux;

#[path = "e2e_tui/input.rs"]
mod input;
#[path = "e2e_tui/keys.rs"]
mod keys;
#[path = "e2e_tui/output.rs"]
mod output;
#[path = "e2e_tui/screen.rs"]
mod screen;
#[path = "e2e_tui/terminal.rs"]
mod terminal;

use std::time::Duration;

use support::{MockServer, RecordedRequest, Reply, scenarios};
use tmux::{
    COOKED_FLAGS, EXITED, TTY_FLAGS, Tmux, WAIT, conversation_text, input_rows, input_text_column,
    is_idle, squash, status_line,
};

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
        |s| conversation_text(s).contains(&want) && is_idle(s),
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

/// A streamed reply whose content deltas are `pieces`, ended by `stop` and `[DONE]`.
fn sse_content(pieces: &[&str]) -> Reply {
    let chunk = |delta: serde_json::Value, finish: Option<&str>| {
        let event = serde_json::json!({
            "id": "chatcmpl-e2e", "object": "chat.completion.chunk", "created": 1743318000,
            "model": "gpt-4o",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]
        });
        format!("data: {event}\n\n")
    };
    let mut payload = chunk(
        serde_json::json!({"role": "assistant", "content": ""}),
        None,
    );
    for p in pieces {
        payload.push_str(&chunk(serde_json::json!({ "content": p }), None));
    }
    payload.push_str(&chunk(serde_json::json!({}), Some("stop")));
    payload.push_str("data: [DONE]\n\n");
    Reply::sse(payload.as_bytes())
}

/// The highest `n` such that piece `第n段，` is on screen.
fn last_piece_shown(screen: &str) -> Option<usize> {
    let flat = conversation_text(screen);
    (0..1000)
        .take_while(|i| flat.contains(&scenarios::piece(*i)))
        .last()
}

#[test]
fn demo_model_streams_a_reply_without_any_config() {
    let t = Tmux::start(&[], &[("ECOCHAT_DEMO_DELAY_MS", "2")], WIDTH, HEIGHT);
    t.wait_ready();
    // The input box is drawn before the status bar: under load a capture can fall between.
    t.wait_until(
        |s| status_line(s).contains("demo:demo"),
        WAIT,
        "the model in the status bar",
    );
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
    let key_hint = format!("(check the API key in {KEY_ENV})");
    let parts = ["✖ 401 from 127.0.0.1", "无效的令牌", &key_hint];
    let screen = t.wait_until(
        |s| {
            let flat = squash(s);
            parts.iter().all(|p| flat.contains(&squash(p))) && status_line(s).contains("error")
        },
        WAIT,
        "the 401 sentence in the conversation and an error status",
    );
    assert!(!screen.contains(KEY), "the API key must never be shown");
    assert!(!t.exited());
}

#[test]
fn a_missing_key_is_reported_and_nothing_is_sent() {
    let server = MockServer::start();
    let mut t = Tmux::new();
    let cfg = t.write_file("ecochat.toml", &config(&server));
    let cfg = cfg.display().to_string();
    t.run(&["--config", &cfg], &[], WIDTH, HEIGHT);
    t.wait_ready();
    send(&t, "hello");
    t.wait_until(
        |s| squash(s).contains(&squash(KEY_ENV)) && status_line(s).contains("error"),
        WAIT,
        "the missing key named in the conversation",
    );
    assert_eq!(chat_requests(&server).len(), 0, "no request without a key");
}
