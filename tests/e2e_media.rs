//! The media panel end to end: the real binary in tmux with the offline demo model. Half blocks
//! show in `capture-pane` as ▀ and ▄; `auto` must never eat the first keys typed.

mod support;
mod tmux;

use std::time::Duration;

use serde_json::json;
use support::{MockServer, Reply};
use tmux::{Tmux, is_idle};

const WAIT: Duration = Duration::from_secs(15);

/// Half-block characters right of column `from` (the panel side of the screen).
fn half_blocks_right_of(screen: &str, from: usize) -> usize {
    screen
        .lines()
        .map(|l| {
            l.chars()
                .skip(from)
                .filter(|c| matches!(c, '▀' | '▄'))
                .count()
        })
        .sum()
}

#[test]
fn typing_right_after_start_up_is_never_eaten_with_auto_detection() {
    // A stale kitty variable inside tmux: `auto` must still not query the terminal.
    let t = Tmux::start(
        &["-m", "demo:demo", "--image-protocol", "auto"],
        &[("ECOCHAT_DEMO_DELAY_MS", "1"), ("KITTY_WINDOW_ID", "7")],
        120,
        40,
    );
    // Keys typed before the first frame and right after it must all arrive.
    t.type_text("hel");
    t.wait_for("demo:demo", WAIT);
    t.type_text("lo 你好");
    t.wait_until(
        |s| s.contains("demo:demo") && s.contains("│ hello 你好"),
        WAIT,
        "every key typed in the input box",
    );
    t.keys(&["Enter"]);
    // The demo reply links its built-in image: the panel opens by itself and draws it.
    let screen = t.wait_until(
        |s| s.contains("Media 1") && half_blocks_right_of(s, 73) > 100,
        WAIT,
        "the demo image in half blocks",
    );
    assert!(screen.contains("built-in demo"), "{screen}");
    // Typing goes on normally with the panel open.
    t.type_text("next");
    t.wait_for("next", WAIT);
}

#[test]
fn ctrl_g_shows_the_panel_with_the_demo_image() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "media_panel_auto_open = false\n").unwrap();
    let config = config.display().to_string();
    let t = Tmux::start(
        &["--config", &config, "-m", "demo:demo"],
        &[("ECOCHAT_DEMO_DELAY_MS", "1")],
        120,
        40,
    );
    // Before raw mode the terminal would turn Enter into a line feed (Ctrl+J): wait for the app.
    t.wait_for("demo:demo", WAIT);
    t.type_text("看图");
    t.wait_until(
        |s| s.contains("│ 看图"),
        WAIT,
        "the prompt in the input box",
    );
    t.keys(&["Enter"]);
    let screen = t.wait_for("祝你使用愉快", WAIT);
    assert!(!screen.contains("Media 1"), "auto-open is off:\n{screen}");
    assert_eq!(half_blocks_right_of(&screen, 0), 0);
    t.keys(&["C-g"]);
    let screen = t.wait_until(
        // The size line and the drawn cells can land in different frames: wait for both.
        |s| s.contains("Media 1") && half_blocks_right_of(s, 73) > 100 && s.contains("160x100 png"),
        WAIT,
        "the panel with the demo image and its size",
    );
    assert!(screen.contains("png"), "{screen}");
    // Tab twice focuses the panel; Enter shows the image full screen; any key closes it.
    t.keys(&["Tab"]);
    t.keys(&["Tab"]);
    t.wait_for("Enter full", WAIT);
    t.keys(&["Enter"]);
    t.wait_for("any key closes", WAIT);
    t.keys(&["Escape"]);
    t.wait_until(
        |s| !s.contains("any key closes"),
        WAIT,
        "full screen closed",
    );
    // `s` saves the image and says where.
    t.keys(&["s"]);
    let screen = t.wait_for("saved ", WAIT);
    assert!(screen.contains("demo.png"), "{screen}");
    // F3 hides the panel again; the conversation takes the whole width back.
    t.keys(&["F3"]);
    t.wait_until(|s| !s.contains("Media 1"), WAIT, "panel hidden");
    t.type_text("ok");
    t.wait_for("ok", WAIT);
}

#[test]
fn a_hostile_reply_makes_no_request_the_user_did_not_ask_for() {
    let server = MockServer::start();
    let port = server.port();
    // Streamed in pieces, each link the newest in turn: hidden in a title, a bare admin URL, a
    // web page, an image on another local host, then a real image on the provider's host.
    let pieces = [
        "Nice day!\x1b]0;![x](http://127.0.0.1:PORT/invisible.png)\x07\n".to_string(),
        "http://127.0.0.1:PORT/admin/reboot?confirm=1\n".to_string(),
        "[doc](http://127.0.0.1:PORT/doc.html)\n".to_string(),
        "![p](http://localhost:PORT/probe.png)\n".to_string(),
    ];
    let mut payload = Vec::new();
    for text in pieces {
        let text = text.replace("PORT", &port.to_string());
        let chunk = json!({"choices": [{"index": 0, "delta": {"content": text}}]});
        payload.extend(format!("data: {chunk}\n\n").into_bytes());
    }
    let stop = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    payload.extend(format!("data: {stop}\n\ndata: [DONE]\n\n").into_bytes());
    server.on_model("m", vec![Reply::sse(&payload)]);
    let mut t = Tmux::new();
    let cfg = t.write_file(
        "ecochat.toml",
        &format!(
            "default_model = \"mock:m\"\nimage_protocol = \"halfblocks\"\n\n[[providers]]\n\
             name = \"mock\"\nbase_url = \"{}\"\napi_key = \"sk-e2e\"\nmax_retries = 0\n\
             models = [\"m\"]\n",
            server.base_url()
        ),
    );
    let cfg = cfg.display().to_string();
    t.run(&["--config", &cfg], &[], 120, 40);
    t.wait_ready();
    t.type_text("hi");
    t.keys(&["Enter"]);
    let screen = t.wait_until(
        |s| s.contains("Media 3") && is_idle(s) && s.contains("✖ localhost is a local"),
        WAIT,
        "the reply, its three links and the refusal of the local image",
    );
    assert!(screen.contains("Nice day!"), "{screen}");
    assert!(!screen.contains("invisible"), "{screen}");
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path_only().to_string())
        .collect();
    assert_eq!(paths, ["/v1/chat/completions"], "requests: {paths:?}");
}

#[cfg(unix)]
#[test]
fn o_hands_the_chosen_link_to_browser_as_one_argument() {
    use std::os::unix::fs::PermissionsExt;
    let server = MockServer::start();
    let port = server.port();
    // Shell metacharacters in the link: they must reach the browser as they are, unrun.
    let link = format!("http://127.0.0.1:{port}/page.html?a=1&b=;touch${{IFS}}PWNED");
    let text = format!("see [the page]({link})\n");
    let chunk = json!({"choices": [{"index": 0, "delta": {"content": text}}]});
    let stop = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    let payload = format!("data: {chunk}\n\ndata: {stop}\n\ndata: [DONE]\n\n");
    server.on_model("m", vec![Reply::sse(payload.as_bytes())]);
    let mut t = Tmux::new();
    let got = t.path("browser-got");
    let script = t.write_file(
        "bin/record-browser",
        &format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", got.display()),
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = t.write_file(
        "ecochat.toml",
        &format!(
            "default_model = \"mock:m\"\nimage_protocol = \"halfblocks\"\n\n[[providers]]\n\
             name = \"mock\"\nbase_url = \"{}\"\napi_key = \"sk-e2e\"\nmax_retries = 0\n\
             models = [\"m\"]\n",
            server.base_url()
        ),
    );
    let cfg = cfg.display().to_string();
    // The first entry is missing: the list goes on to the next.
    let browser = format!("no-such-browser:{} %s", script.display());
    t.run(&["--config", &cfg], &[("BROWSER", &browser)], 120, 40);
    t.wait_ready();
    t.type_text("hi");
    t.keys(&["Enter"]);
    t.wait_until(
        |s| s.contains("see the page") && is_idle(s),
        WAIT,
        "the reply",
    );
    // A web page does not open the panel by itself.
    t.keys(&["C-g"]);
    t.wait_for("Media 1", WAIT);
    assert!(!got.exists(), "nothing is opened before the user asks");
    t.keys(&["Tab", "Tab", "o"]);
    let screen = t.wait_until(
        |_| std::fs::read_to_string(&got).is_ok_and(|s| !s.is_empty()),
        WAIT,
        "the browser script to record its argument",
    );
    assert_eq!(std::fs::read_to_string(&got).unwrap(), link, "{screen}");
    assert!(!t.path("PWNED").exists());
    assert!(!t.screen().contains('✖'), "{}", t.screen());
}
