//! The fault suite: a hostile or broken server against the real binary. Each case ends with
//! ecochat alive (a clean exit with a clear message, never a panic or a hang), the partial reply
//! kept (printed and stored), and the session database consistent.
//!
//! Pipe mode runs here (fast, one process per case); `faults/tui.rs` covers what needs the
//! full-screen app (Esc, responsiveness), `faults/transport.rs` encodings, redirects and TLS.

mod support;

mod tmux;

#[path = "faults/transport.rs"]
mod transport;
#[path = "faults/tui.rs"]
mod tui;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ecochat::chat::{Message, Role, Status};
use serde_json::json;
use support::binary;
use support::chat::{KEY_ENV, TEST_KEY};
use support::{MockServer, Reply, WriteMode};

/// A temp home and a config whose provider `mock` points at `base_url`, with short timeouts.
pub struct Sandbox {
    pub home: tempfile::TempDir,
    pub config: PathBuf,
}

/// What one pipe-mode run did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Sandbox {
    pub fn new(base_url: &str) -> Self {
        Self::with_provider_lines(base_url, "")
    }

    /// `extra` goes into the provider table (timeouts, ...).
    pub fn with_provider_lines(base_url: &str, extra: &str) -> Self {
        let home = tempfile::tempdir().expect("tempdir");
        let config = home.path().join("ecochat-test.toml");
        let extra = format!("connect_timeout_secs = 2\nidle_timeout_secs = 2\n{extra}");
        let text = binary::mock_config(base_url, "m", &extra);
        std::fs::write(&config, text).expect("write config");
        Sandbox { home, config }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = binary::ecochat(self.home.path());
        cmd.arg("--config").arg(&self.config).args(args);
        cmd
    }

    /// Runs `ecochat -p prompt` to the end.
    pub fn ask(&self, prompt: &str) -> Run {
        let started = Instant::now();
        let out = self.command(&["-p", prompt]).output().expect("run ecochat");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            took: started.elapsed(),
        }
    }

    pub fn db(&self) -> PathBuf {
        binary::db_path(self.home.path())
    }

    /// The newest session's messages, after checking the database is sound.
    pub fn stored(&self) -> Vec<Message> {
        binary::latest_messages(&self.db())
    }
}

/// One new-api framed content chunk.
pub fn content_event(text: &str) -> Vec<u8> {
    let chunk = json!({
        "id": "chatcmpl-f", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]
    });
    format!("data: {chunk}\n\n").into_bytes()
}

/// A streamed reply of these content pieces, then `tail` raw bytes, then a dropped socket.
fn cut_stream(pieces: &[&str], tail: &[u8]) -> Reply {
    let mut payload = Vec::new();
    for p in pieces {
        payload.extend(content_event(p));
    }
    let mut reply = Reply::sse(&payload);
    if !tail.is_empty() {
        reply = reply.write(tail);
    }
    reply.close()
}

/// The case ended with the prompt and the partial reply stored, the reply marked as cut off.
fn assert_partial_kept(sb: &Sandbox, run: &Run, partial: &str) {
    assert!(run.stdout.starts_with(partial), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    let msgs = sb.stored();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert_eq!(msgs[0].role, Role::User);
    assert_eq!(msgs[1].content, partial);
    assert!(
        matches!(msgs[1].status, Status::Interrupted(_)),
        "{:?}",
        msgs[1].status
    );
}

#[test]
fn server_closes_mid_event() {
    let server = MockServer::start();
    let half = &content_event("第三段")[..30];
    server.on_model("m", vec![cut_stream(&["第一段，", "第二段，"], half)]);
    let sb = Sandbox::new(&server.base_url());
    let run = sb.ask("数到三");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("127.0.0.1"), "names the host: {run:?}");
    assert_partial_kept(&sb, &run, "第一段，第二段，");
}

#[test]
fn server_closes_mid_utf8_character() {
    let server = MockServer::start();
    let event = content_event("你好世界");
    // Cut inside 世 (3 bytes): the first byte of the character is the last one sent.
    let cut = event
        .windows(3)
        .position(|w| w == "世".as_bytes())
        .expect("世")
        + 1;
    let reply = cut_stream(&["前半，"], &event[..cut]).mode(WriteMode::SplitUtf8);
    server.on_model("m", vec![reply]);
    let sb = Sandbox::new(&server.base_url());
    let run = sb.ask("hi");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        !run.stdout.contains('\u{FFFD}'),
        "no replacement character: {run:?}"
    );
    assert_partial_kept(&sb, &run, "前半，");
}

#[test]
fn server_closes_between_events() {
    let server = MockServer::start();
    server.on_model("m", vec![cut_stream(&["一，", "二，"], b"")]);
    let sb = Sandbox::new(&server.base_url());
    let run = sb.ask("hi");
    assert_eq!(run.code, 1, "{run:?}");
    assert_partial_kept(&sb, &run, "一，二，");
}

/// Runs `ecochat -p prompt`, sampling its peak resident memory (kB) while it runs.
fn ask_measuring_memory(sb: &Sandbox, prompt: &str) -> (Run, u64) {
    let started = Instant::now();
    let mut child = sb
        .command(&["-p", prompt])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ecochat");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    // Pipes are drained on threads so the child never blocks on a full pipe.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    let status = loop {
        // VmHWM is the high-water mark: the last reading before exit is (nearly) the peak.
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "ecochat hangs");
        std::thread::sleep(Duration::from_millis(2));
    };
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: out_t.join().expect("stdout thread"),
        stderr: err_t.join().expect("stderr thread"),
        took: started.elapsed(),
    };
    (run, peak_kb)
}

#[test]
fn sixty_megabytes_without_a_newline_is_too_large_and_memory_stays_bounded() {
    let server = MockServer::start();
    // The line cap is 16 MiB (new-api itself passes single events of 10-64 MB: base64 images);
    // past it the decoder drops the line and the reply ends with a clear error.
    let mut reply = Reply::sse(&content_event("开头，"));
    let block = vec![b'A'; 1 << 20];
    reply = reply.write(b"data: {\"choices\":[{\"delta\":{\"content\":\"");
    for _ in 0..60 {
        reply = reply.write(&block);
    }
    server.on_model("m", vec![reply.hang()]);
    let sb = Sandbox::new(&server.base_url());
    let (run, peak_kb) = ask_measuring_memory(&sb, "hi");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("too large"), "{run:?}");
    assert_partial_kept(&sb, &run, "开头，");
    // The cap plus the program itself; a buffer that kept growing would pass 60 MB.
    assert!(peak_kb > 0, "memory was sampled");
    assert!(peak_kb < 56 * 1024, "peak RSS {peak_kb} kB");
}

#[test]
fn five_megabytes_without_a_newline_then_close_is_a_clear_error() {
    let server = MockServer::start();
    let mut reply = Reply::sse(&content_event("开头，"));
    let block = vec![b'A'; 1 << 20];
    for _ in 0..5 {
        reply = reply.write(&block);
    }
    server.on_model("m", vec![reply.close()]);
    let sb = Sandbox::new(&server.base_url());
    let run = sb.ask("hi");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.lines().count() <= 3,
        "one sentence, not the junk: {run:?}"
    );
    assert!(run.stderr.len() < 1000, "{run:?}");
    assert_partial_kept(&sb, &run, "开头，");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let server = MockServer::start();
    server.on_model("m", vec![Reply::new(200).hang_before_head()]);
    let sb = Sandbox::with_provider_lines(&server.base_url(), "");
    let run = sb.ask("hello?");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("sent nothing for 4 s"), "{run:?}");
    // connect (2 s) + idle (2 s) is the budget before the first byte.
    assert!(run.took < Duration::from_secs(15), "{run:?}");
    let msgs = sb.stored();
    assert_eq!(msgs[0].content, "hello?");
    assert!(matches!(msgs[1].status, Status::Failed(_)), "{msgs:?}");
}

#[test]
fn a_server_that_goes_silent_mid_reply_times_out_keeping_the_text() {
    let server = MockServer::start();
    server.on_model("m", vec![Reply::sse(&content_event("说到一半")).hang()]);
    let sb = Sandbox::new(&server.base_url());
    let run = sb.ask("hi");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("mid-reply"), "{run:?}");
    assert_partial_kept(&sb, &run, "说到一半");
}

#[test]
fn a_200_reply_that_is_not_sse_is_reported() {
    for reply in [
        Reply::html(
            200,
            "text/plain; charset=utf-8",
            b"upstream says hello, not SSE",
        ),
        Reply::html(
            200,
            "text/html",
            b"<html><head><title>Login</title></head></html>",
        ),
        Reply::html(
            200,
            "application/octet-stream",
            &[0u8, 159, 146, 150, 255, 1, 2],
        ),
    ] {
        let server = MockServer::start();
        server.on_model("m", vec![reply]);
        let sb = Sandbox::new(&server.base_url());
        let run = sb.ask("hi");
        assert_eq!(run.code, 1, "{run:?}");
        assert!(run.stdout.is_empty(), "{run:?}");
        assert!(run.stderr.starts_with("ecochat: "), "{run:?}");
        assert!(run.stderr.contains("127.0.0.1"), "{run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
        let msgs = sb.stored();
        assert!(matches!(msgs[1].status, Status::Failed(_)), "{msgs:?}");
    }
}

#[test]
fn an_event_stream_of_garbage_is_reported_not_printed() {
    let server = MockServer::start();
    let reply = Reply::sse(b"data: <html>502 Bad Gateway</html>\n\ndata: [DONE]\n\n");
    server.on_model("m", vec![reply]);
    let sb = Sandbox::new(&server.base_url());
    let run = sb.ask("hi");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(!run.stdout.contains("<html>"), "{run:?}");
    assert!(run.stderr.starts_with("ecochat: "), "{run:?}");
}

#[test]
fn after_a_fault_the_next_run_works_and_the_database_holds_both() {
    let server = MockServer::start();
    server.on_model(
        "m",
        vec![
            cut_stream(&["断了"], b"data: {\"cho"),
            support::scenarios::m1(),
        ],
    );
    let sb = Sandbox::new(&server.base_url());
    assert_eq!(sb.ask("first").code, 1);
    let run = sb.ask("second");
    assert_eq!(run.code, 0, "{run:?}");
    let store = binary::open_checked(&sb.db());
    assert_eq!(store.sessions(10).unwrap().len(), 2);
}
