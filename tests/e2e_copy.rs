//! Copying end to end: the real binary in tmux writes OSC 52 to its terminal; the pane's raw
//! output (tmux `pipe-pane`) carries the sequence, and its base64 decodes to what was copied.

mod tmux;

use std::time::Duration;

use base64::Engine;
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

#[test]
fn shift_y_and_y_copy_through_osc_52_in_the_panes_raw_output() {
    let t = Tmux::start(&["--no-save"], &[("ECOCHAT_DEMO_DELAY_MS", "1")], 110, 40);
    t.wait_ready();
    let raw = t.path("pane-output.raw");
    let pipe = format!("cat >> '{}'", raw.display());
    let out = t.tmux(&["pipe-pane", "-o", "-t", "e2e", &pipe]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let start = std::time::Instant::now();
    let payloads = loop {
        let bytes = std::fs::read(&raw).unwrap_or_default();
        let found = osc52_payloads(&bytes);
        if found.len() >= 2 || start.elapsed() > WAIT {
            break found;
        }
        std::thread::sleep(Duration::from_millis(30));
    };
    assert_eq!(payloads, [DEMO_CODE, "你好"]);
}
