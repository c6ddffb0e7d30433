//! The model picker end to end: the real binary in tmux, switching models against the mock.

mod support;
mod tmux;

use std::process::Command;
use std::time::Duration;

use support::MockServer;
use tmux::Tmux;

const WAIT: Duration = Duration::from_secs(10);

fn write_config(dir: &tempfile::TempDir, server: &MockServer) -> String {
    let path = dir.path().join("ecochat.toml");
    let text = format!(
        r#"[[providers]]
name = "mock"
base_url = "{}"
api_key_env = "ECOCHAT_TEST_KEY"
models = ["gpt-4o", {{ id = "spark-v3", name = "讯飞星火 v3", top_k = 4 }}, "deepseek-reasoner"]
"#,
        server.base_url()
    );
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn pick_a_model_by_its_chinese_name_and_the_next_request_uses_it() {
    let server = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&dir, &server);
    let t = Tmux::start(
        &["--config", &config, "-m", "mock:gpt-4o"],
        &[("ECOCHAT_TEST_KEY", "sk-picker")],
        120,
        40,
    );
    t.wait_for("mock:gpt-4o", WAIT);
    t.keys(&["C-p"]);
    t.wait_for("Enter switch", WAIT);
    t.type_text("星火");
    let screen = t.wait_until(
        |s| s.contains("讯飞星火 v3") && !s.contains("deepseek-reasoner"),
        WAIT,
        "filtered list",
    );
    assert!(screen.contains("spark-v3"), "{screen}");
    t.keys(&["Enter"]);
    t.wait_for("model: mock:spark-v3", WAIT);
    t.type_text("你好");
    t.keys(&["Enter"]);
    t.wait_for("你好！有什么可以帮你？", WAIT);
    let req = server.last_request().expect("a request");
    let body = req.json();
    assert_eq!(body["model"], "spark-v3");
    assert_eq!(body["top_k"], 4, "the picked model's parameters are sent");
    // The switch is remembered for the next start. The file is written off the event loop, so
    // it may land a moment after the reply is on screen.
    let path = t.path("state/ecochat/state.json");
    let started = std::time::Instant::now();
    let state = loop {
        let state = std::fs::read_to_string(&path).unwrap_or_default();
        if state.contains("mock:spark-v3") || started.elapsed() > WAIT {
            break state;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(state.contains("mock:spark-v3"), "state file: {state:?}");
}

#[test]
fn fetching_models_merges_the_servers_list_as_discovered() {
    let server = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&dir, &server);
    let t = Tmux::start(
        &["--config", &config],
        &[("ECOCHAT_TEST_KEY", "sk-picker")],
        120,
        40,
    );
    t.wait_for("Enter send", WAIT);
    t.keys(&["F2"]);
    t.wait_for("Enter switch", WAIT);
    // The current model is the offline demo, which has no /models: move to a mock model first.
    t.keys(&["Home"]);
    t.keys(&["C-f"]);
    // The mock's /v1/models lists gpt-4o-all, which the config does not.
    t.wait_for("mock · discovered", WAIT);
    let models = server
        .requests()
        .into_iter()
        .find(|r| r.path_only() == "/v1/models")
        .expect("GET /v1/models");
    assert_eq!(models.header("authorization"), Some("Bearer sk-picker"));
    t.type_text("4o-all");
    t.wait_for("gpt-4o-all", WAIT);
    t.keys(&["Enter"]);
    t.wait_for("model: mock:gpt-4o-all", WAIT);
    let cache = std::fs::read_to_string(t.path("cache/ecochat/models.json")).expect("models cache");
    assert!(
        cache.contains("gpt-4o-all") && cache.contains("fetched_at"),
        "{cache}"
    );
}

#[test]
fn every_preset_in_the_example_config_is_listed_by_ecochat_models() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(tmux::bin())
        .args(["--config", example, "models"])
        .env_clear()
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8(out.stdout).unwrap();
    let text = std::fs::read_to_string(example).unwrap();
    let cfg = ecochat::config::parse_str(&text, std::path::Path::new(example), &|_| None).unwrap();
    for (p, m) in cfg.all_models() {
        assert!(
            listed.lines().any(|l| l == format!("{}:{}", p.name, m.id)),
            "{}:{} missing",
            p.name,
            m.id
        );
    }
    for family in [
        "gpt-4o-all",
        "moonshot-v1-8k",
        "qwen-max",
        "glm-4-plus",
        "concise",
        "spark-v3",
        "SparkDesk-v4.0",
        "4.0Ultra",
        "abab6.5s-chat",
        "deepseek-reasoner",
        "flux",
        "kling",
    ] {
        assert!(
            listed.contains(family),
            "{family} missing from ecochat models"
        );
    }
}
