//! Comparing models end to end: the real binary in tmux sends one prompt to two models of the
//! mock, shows both replies at once, and after one is picked the next request carries only it.

mod support;
mod tmux;

use std::time::Duration;

use serde_json::json;
use support::scenarios::says;
use support::{MockServer, Reply};
use tmux::Tmux;

const WAIT: Duration = Duration::from_secs(15);

fn write_config(dir: &tempfile::TempDir, server: &MockServer) -> String {
    let path = dir.path().join("ecochat.toml");
    let text = format!(
        r#"[[providers]]
name = "mock"
base_url = "{}"
api_key_env = "ECOCHAT_TEST_KEY"
max_retries = 0
models = ["gpt-4o", "deepseek-chat"]
"#,
        server.base_url()
    );
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn event(delta: serde_json::Value, finish: Option<&str>) -> String {
    let event = json!({
        "id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1743318000,
        "model": "mock-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    });
    format!("data: {event}\n\n")
}

/// A stream of `first`, a pause, then `rest`: both columns are seen while they are writing.
fn slow_reply(first: &str, rest: &str) -> Reply {
    Reply::sse(event(json!({"role": "assistant", "content": first}), None).as_bytes())
        .sleep(Duration::from_millis(1500))
        .write(event(json!({"content": rest}), None))
        .write(event(json!({}), Some("stop")))
        .write("data: [DONE]\n\n")
}

#[test]
fn compare_two_models_pick_one_and_the_next_request_carries_only_it() {
    let server = MockServer::start();
    server.on_model(
        "gpt-4o",
        vec![slow_reply("甲：所有权是", "编译期的规则。"), says("甲二")],
    );
    server.on_model(
        "deepseek-chat",
        vec![slow_reply("乙：每个值", "只有一个主人。"), says("乙二")],
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&dir, &server);
    let t = Tmux::start(
        &["--config", &config, "-m", "mock:gpt-4o"],
        &[("ECOCHAT_TEST_KEY", "sk-compare")],
        120,
        40,
    );
    t.wait_for("mock:gpt-4o", WAIT);
    t.type_text("/compare gpt-4o deepseek");
    t.keys(&["Enter"]);
    t.wait_for("compare: mock:gpt-4o · mock:deepseek-chat", WAIT);
    t.type_text("什么是所有权？");
    t.keys(&["Enter"]);
    // Both requests go out at once, and both columns show their first words.
    assert!(server.wait_for_requests(2, WAIT), "two requests");
    let screen = t.wait_until(
        |s| s.contains("甲：所有权是") && s.contains("乙：每个值"),
        WAIT,
        "both replies on screen",
    );
    assert!(screen.contains("1 ◆ mock:gpt-4o"), "{screen}");
    assert!(screen.contains("2 ◆ mock:deepseek-chat"), "{screen}");
    let models: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.json()["model"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(models.contains(&"gpt-4o".to_string()), "{models:?}");
    assert!(models.contains(&"deepseek-chat".to_string()), "{models:?}");
    for r in server.requests() {
        assert_eq!(r.contents(), ["什么是所有权？"]);
    }
    let screen = t.wait_until(
        |s| s.contains("编译期的规则。") && s.contains("只有一个主人。"),
        WAIT,
        "both replies finished side by side",
    );
    assert!(screen.contains("first token"), "{screen}");
    // Pick the second from the conversation pane: the columns go, its reply stays.
    t.keys(&["Tab"]);
    t.keys(&["2"]);
    let screen = t.wait_until(
        |s| s.contains("continuing with mock:deepseek-chat") && !s.contains("2 ◆"),
        WAIT,
        "the pick",
    );
    assert!(screen.contains("只有一个主人。"), "{screen}");
    assert!(!screen.contains("编译期的规则。"), "{screen}");
    // Compare mode is still on: the next prompt goes to both, each with only the chosen path.
    t.type_text("继续");
    t.keys(&["Enter"]);
    assert!(server.wait_for_requests(4, WAIT), "two more requests");
    t.wait_until(
        |s| s.contains("甲二") && s.contains("乙二"),
        WAIT,
        "the second comparison",
    );
    let requests = server.requests();
    for r in &requests[2..] {
        assert_eq!(
            r.contents(),
            ["什么是所有权？", "乙：每个值只有一个主人。", "继续"]
        );
    }
}

/// A new user with no config and no key can try it: the demo provider has two models.
#[test]
fn the_offline_demo_compares_its_two_models() {
    let t = Tmux::start(&["--no-save"], &[("ECOCHAT_DEMO_DELAY_MS", "1")], 120, 40);
    t.wait_for("Enter send", WAIT);
    t.type_text("/compare demo demo-brief");
    t.keys(&["Enter"]);
    t.wait_for("compare: demo:demo · demo:demo-brief", WAIT);
    t.type_text("长城");
    t.keys(&["Enter"]);
    let screen = t.wait_until(
        |s| s.contains("简短版") && s.contains("离线演示模型"),
        WAIT,
        "both demo replies side by side",
    );
    assert!(screen.contains("1 ◆ demo:demo"), "{screen}");
    assert!(screen.contains("2 ◆ demo:demo-brief"), "{screen}");
    t.keys(&["M-2"]);
    let screen = t.wait_until(
        |s| !s.contains("1 ◆ demo:demo"),
        WAIT,
        "the columns put away",
    );
    assert!(screen.contains("‹2/2›"), "{screen}");
    t.keys(&["C-q"]);
    t.wait_exit(WAIT);
}
