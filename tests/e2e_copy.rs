//! Copying end to end: the real binary in tmux writes OSC 52 to its terminal; the pane's raw
//! output (tmux `pipe-pane`) carries the sequence, and its base64 decodes to what was copied.

mod support;
mod tmux;

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use support::{MockServer, Reply};
use tmux::Tmux;

const WAIT: Duration = Duration::from_secs(10);
/// The code block of the demo model's reply.
const DEMO_CODE: &str = "fn main() {\n    println!(\"你好, ecochat!\");\n}";

/// Every OSC 52 payload in `raw`, decoded.
fn osc52_payloads(raw: &[u8]) -> Vec<String> {
    let start = b"\x1b]52;";
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(at) = rest.windows(start.len()).position(|w| w == start) {
        rest = &rest[at + start.len()..];
        // `c;BASE64` ended by BEL or ST.
        let end = rest
            .iter()
            .position(|&b| b == 0x07 || b == 0x1b)
            .expect("an OSC 52 sequence is terminated");
        let body = std::str::from_utf8(&rest[..end]).expect("OSC 52 is ASCII");
        let (_, data) = body.split_once(';').expect("OSC 52 names its selection");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .expect("valid base64");
        out.push(String::from_utf8(bytes).expect("UTF-8 text"));
        rest = &rest[end..];
    }
    out
}

/// Waits until `raw` holds `n` OSC 52 payloads (or the wait is over) and returns them.
fn wait_for_payloads(raw: &Path, n: usize) -> Vec<String> {
    let start = std::time::Instant::now();
    loop {
        let bytes = std::fs::read(raw).unwrap_or_default();
        let found = osc52_payloads(&bytes);
        if found.len() >= n || start.elapsed() > WAIT {
            return found;
        }
        std::thread::sleep(Duration::from_millis(30));
    }
}

/// Starts piping the pane's raw output into a file and returns its path.
fn record_output(t: &Tmux) -> std::path::PathBuf {
    let raw = t.path("pane-output.raw");
    let pipe = format!("cat >> '{}'", raw.display());
    let out = t.tmux(&["pipe-pane", "-o", "-t", "e2e", &pipe]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    raw
}

/// A reply that hides a clipboard write, a title, a screen clear and, in its code block, an
/// 8-bit OSC carrying a command.
const HOSTILE_REPLY: &str = "标题\u{1b}]0;PWNED-TITLE\u{7} 清屏\u{1b}[2J 剪贴板\u{1b}]52;c;cHduZWQ=\u{7}\n\n\
                             ```sh\nls -la\u{9d};touch /tmp/PWNED;\u{7}\n```\n";

fn hostile_sse() -> Vec<u8> {
    let mut out = Vec::new();
    for (delta, finish) in [
        (
            serde_json::json!({"role": "assistant", "content": HOSTILE_REPLY}),
            None,
        ),
        (serde_json::json!({}), Some("stop")),
    ] {
        let event = serde_json::json!({
            "id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1743318000,
            "model": "gpt-4o",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        });
        out.extend_from_slice(format!("data: {event}\n\n").as_bytes());
    }
    out.extend_from_slice(b"data: [DONE]\n\n");
    out
}

#[test]
fn a_copy_is_what_the_screen_shows_not_the_escape_sequences_of_the_reply() {
    let server = MockServer::start();
    server.on_model("gpt-4o", vec![Reply::sse(&hostile_sse())]);
    let mut t = Tmux::new();
    let cfg = t.write_file(
        "ecochat.toml",
        &format!(
            "default_model = \"mock:gpt-4o\"\n\n[[providers]]\nname = \"mock\"\n\
             base_url = \"{}\"\napi_key_env = \"{}\"\nmax_retries = 0\nmodels = [\"gpt-4o\"]\n",
            server.base_url(),
            support::chat::KEY_ENV
        ),
    );
    let cfg = cfg.display().to_string();
    t.run(
        &["--config", &cfg, "--no-save"],
        &[(support::chat::KEY_ENV, support::chat::TEST_KEY)],
        110,
        40,
    );
    t.wait_ready();
    let raw = record_output(&t);
    t.type_text("你好");
    t.keys(&["Enter"]);
    t.wait_until(
        |s| s.contains("剪贴板") && tmux::is_idle(s),
        WAIT,
        "the hostile reply",
    );
    t.keys(&["Tab"]);
    t.keys(&["Y"]);
    t.wait_for("copied the sh code block: 1 line", WAIT);
    t.keys(&["y"]);
    let screen = t.wait_for("copied the reply", WAIT);
    assert!(screen.contains("left out, as on screen"), "{screen}");
    let payloads = wait_for_payloads(&raw, 2);
    assert_eq!(
        payloads,
        ["ls -la", "标题 清屏 剪贴板\n\n```sh\nls -la\n```\n"],
        "the clipboard gets the text on screen, nothing hidden"
    );
}

#[test]
fn shift_y_and_y_copy_through_osc_52_in_the_panes_raw_output() {
    let t = Tmux::start(&["--no-save"], &[("ECOCHAT_DEMO_DELAY_MS", "1")], 110, 40);
    t.wait_ready();
    let raw = record_output(&t);
    t.type_text("你好");
    t.keys(&["Enter"]);
    t.wait_until(
        |s| s.contains("祝你使用愉快") && tmux::is_idle(s),
        WAIT,
        "the demo reply",
    );
    // Tab focuses the conversation; Y copies the last code block of the last reply.
    t.keys(&["Tab"]);
    t.keys(&["Y"]);
    t.wait_for("copied the rust code block: 3 lines", WAIT);
    // [ selects the reply, [ again the prompt; y copies it.
    t.keys(&["["]);
    t.keys(&["["]);
    t.keys(&["y"]);
    t.wait_for("copied your prompt: 1 line, 6 bytes", WAIT);
    let payloads = wait_for_payloads(&raw, 2);
    assert_eq!(payloads, [DEMO_CODE, "你好"]);
}
