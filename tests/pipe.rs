//! Pipe mode of the real binary against the mock, with HOME and the XDG dirs in a temp dir.

mod support;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::binary;
use support::chat::{KEY_ENV, TEST_KEY};
use support::{MockServer, scenarios};

const M1_TEXT: &str = "你好！有什么可以帮你？";
const M2_REASONING: &str = "用户问9.11和9.8哪个大，比较小数部分0.11<0.8。";
const M2_TEXT: &str = "9.8 更大。";

/// A temp home with a config whose provider `mock` points at a fresh mock server.
struct Sandbox {
    dir: tempfile::TempDir,
    config: PathBuf,
    server: MockServer,
}

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Sandbox {
    fn new() -> Self {
        let server = MockServer::start();
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("ecochat-test.toml");
        let text = format!(
            r#"default_model = "mock:gpt-4o"

[[providers]]
name = "mock"
base_url = "{}"
api_key_env = "{KEY_ENV}"
max_retries = 0
idle_timeout_secs = 10
models = ["gpt-4o", "deepseek-reasoner", "gpt-4o-all"]
"#,
            server.base_url()
        );
        std::fs::write(&config, text).expect("write config");
        Sandbox {
            dir,
            config,
            server,
        }
    }

    /// The binary with a clean environment: only the sandbox dirs and the test key.
    fn command(&self, with_key: bool) -> Command {
        let mut cmd = binary::ecochat(self.dir.path());
        if !with_key {
            cmd.env_remove(KEY_ENV);
        }
        cmd
    }

    /// Runs `ecochat --config <sandbox config> args...`.
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut cmd = self.command(true);
        cmd.arg("--config").arg(&self.config).args(args);
        self.finish(cmd, stdin)
    }

    /// Runs a prepared command to completion (30 s at most) and checks the key stayed secret.
    fn finish(&self, cmd: Command, stdin: Option<&str>) -> Run {
        self.finish_to(cmd, stdin, Stdio::piped())
    }

    /// Runs `ecochat --config <sandbox config> args...` with stdout a pipe nobody reads
    /// (`ecochat … | head` after head exited).
    fn run_closed_stdout(&self, args: &[&str]) -> Run {
        let mut cmd = self.command(true);
        cmd.arg("--config").arg(&self.config).args(args);
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        self.finish_to(cmd, None, writer.into())
    }

    /// [`Sandbox::finish`] with stdout sent to `stdout` (read back only when it is piped).
    fn finish_to(&self, mut cmd: Command, stdin: Option<&str>, stdout: Stdio) -> Run {
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(stdout)
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn ecochat");
        if let Some(text) = stdin {
            let mut pipe = child.stdin.take().expect("stdin");
            pipe.write_all(text.as_bytes()).expect("write stdin");
        }
        let out = child.stdout.take();
        let mut err = child.stderr.take().expect("stderr");
        let out_reader = std::thread::spawn(move || {
            let mut s = Vec::new();
            if let Some(mut out) = out {
                let _ = out.read_to_end(&mut s);
            }
            s
        });
        let err_reader = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = err.read_to_end(&mut s);
            s
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("ecochat did not exit within 30 s");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let run = Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8(out_reader.join().expect("stdout thread"))
                .expect("utf-8 stdout"),
            stderr: String::from_utf8(err_reader.join().expect("stderr thread"))
                .expect("utf-8 stderr"),
        };
        assert!(!run.stdout.contains(TEST_KEY), "key on stdout: {run:?}");
        assert!(!run.stderr.contains(TEST_KEY), "key on stderr: {run:?}");
        assert_no_key_in_files(self.dir.path());
        run
    }
}

/// Logs and state written under the sandbox must not hold the key either.
fn assert_no_key_in_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            assert_no_key_in_files(&path);
        } else if let Ok(bytes) = std::fs::read(&path) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(TEST_KEY),
                "the key was written to {}",
                path.display()
            );
        }
    }
}

#[test]
fn prompt_flag_streams_the_reply_to_stdout() {
    let sb = Sandbox::new();
    let run = sb.run(&["-p", "你好"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.trim_end_matches('\n'), M1_TEXT, "{run:?}");
    let req = sb.server.last_request().expect("a request");
    assert_eq!(req.path, "/v1/chat/completions");
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    let body = req.json();
    assert_eq!(body["model"], "gpt-4o");
    assert_eq!(body["stream"], true);
    let messages = body["messages"].as_array().expect("messages");
    assert_eq!(messages.last().expect("a message")["content"], "你好");
    assert_eq!(messages.last().expect("a message")["role"], "user");
}

#[test]
fn prompt_from_stdin() {
    let sb = Sandbox::new();
    let run = sb.run(&[], Some("用一句话介绍你自己\n"));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.trim_end_matches('\n'), M1_TEXT);
    let body = sb.server.last_request().expect("a request").json();
    let last = &body["messages"]
        .as_array()
        .expect("messages")
        .last()
        .expect("a message")["content"];
    assert_eq!(last.as_str().map(str::trim), Some("用一句话介绍你自己"));
}

#[test]
fn reasoning_stays_off_stdout() {
    let sb = Sandbox::new();
    sb.server
        .on_model("deepseek-reasoner", vec![scenarios::m2()]);
    let run = sb.run(
        &["-m", "mock:deepseek-reasoner", "-p", "9.11和9.8哪个大？"],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.trim_end_matches('\n'), M2_TEXT, "{run:?}");
    assert!(run.stderr.contains(M2_REASONING), "{run:?}");
}

#[test]
fn show_reasoning_puts_it_on_stdout_before_the_answer() {
    let sb = Sandbox::new();
    sb.server
        .on_model("deepseek-reasoner", vec![scenarios::m2()]);
    let run = sb.run(
        &[
            "-m",
            "mock:deepseek-reasoner",
            "--show-reasoning",
            "-p",
            "9.11和9.8哪个大？",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let thought = run.stdout.find(M2_REASONING).expect("reasoning on stdout");
    let answer = run.stdout.find(M2_TEXT).expect("answer on stdout");
    assert!(thought < answer, "{run:?}");
}

#[test]
fn http_401_exits_1_naming_the_env_var() {
    let sb = Sandbox::new();
    sb.server.on_model("gpt-4o", vec![scenarios::m8_401()]);
    let run = sb.run(&["-p", "你好"], None);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr.trim_end().lines().count(),
        1,
        "one line: {run:?}"
    );
    assert!(
        run.stderr.contains(KEY_ENV) && run.stderr.contains("无效的令牌"),
        "{run:?}"
    );
}

#[test]
fn missing_key_names_the_env_var_and_sends_nothing() {
    let sb = Sandbox::new();
    let mut cmd = sb.command(false);
    cmd.arg("--config").arg(&sb.config).args(["-p", "你好"]);
    let run = sb.finish(cmd, None);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains(KEY_ENV), "{run:?}");
    assert_eq!(
        run.stderr.trim_end().lines().count(),
        1,
        "one line: {run:?}"
    );
    assert_eq!(sb.server.request_count(), 0);
}

#[test]
fn no_stream_sends_stream_false() {
    let sb = Sandbox::new();
    sb.server.on_model("gpt-4o-all", vec![scenarios::m3()]);
    let run = sb.run(
        &["-m", "mock:gpt-4o-all", "--no-stream", "-p", "画一只猫"],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let body = sb.server.last_request().expect("a request").json();
    assert_eq!(body["stream"], false);
    assert!(body.get("stream_options").is_none());
    assert!(run.stdout.contains(
        "[下载1](https://filesystem.site/cdn/download/20241101/r8OQfXQsP4uuv1lzIDEBTjVj5aVap6.webp)"
    ));
    assert!(run.stdout.trim_end().ends_with("栩栩如生。"), "{run:?}");
}

#[test]
fn models_lists_provider_model_lines() {
    let sb = Sandbox::new();
    let run = sb.run(&["models"], None);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    for want in ["mock:gpt-4o", "mock:deepseek-reasoner", "mock:gpt-4o-all"] {
        assert!(lines.contains(&want), "{want} missing: {run:?}");
    }
    assert!(lines.iter().all(|l| {
        l.split_once(':')
            .is_some_and(|(p, m)| !p.is_empty() && !m.is_empty())
    }));
    assert_eq!(
        sb.server.request_count(),
        0,
        "listing configured models needs no network"
    );
}

#[test]
fn config_from_ecochat_config_env() {
    let sb = Sandbox::new();
    let mut cmd = sb.command(true);
    cmd.env("ECOCHAT_CONFIG", &sb.config).args(["-p", "你好"]);
    let run = sb.finish(cmd, None);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.trim_end_matches('\n'), M1_TEXT);
}

/// Writes `text` as the sandbox config and runs `-p hi` with it.
fn run_with_config(text: &str) -> (Run, String) {
    let sb = Sandbox::new();
    std::fs::write(&sb.config, text).expect("write config");
    let run = sb.run(&["-p", "hi"], None);
    assert_eq!(
        sb.server.request_count(),
        0,
        "nothing is sent with a broken config"
    );
    (run, sb.config.display().to_string())
}

#[test]
fn broken_config_exits_2_with_path_line_col() {
    let (run, path) = run_with_config(
        "default_model = \"mock:gpt-4o\"\n\n[[providers]]\nname = \"mock\"\nbase_url = 42\n",
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "");
    let at = run
        .stderr
        .find(&format!("{path}:5:"))
        .unwrap_or_else(|| panic!("no {path}:5: in {run:?}"));
    let col = &run.stderr[at + path.len() + 3..];
    assert!(
        col.starts_with(|c: char| c.is_ascii_digit()),
        "no column: {run:?}"
    );
    assert!(run.stderr.contains("base_url"), "{run:?}");
    assert!(
        !run.stderr.contains('\x1b'),
        "the terminal is not touched: {run:?}"
    );
}

#[test]
fn unknown_key_exits_2_with_a_suggestion() {
    let (run, path) = run_with_config(
        "[[providers]]\nname = \"mock\"\nbase_url = \"http://127.0.0.1:9/v1\"\n\n[[providers.models]]\nid = \"x\"\ntemprature = 0.7\n",
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains(&format!("{path}:7:")), "{run:?}");
    assert!(run.stderr.contains("temprature"), "{run:?}");
    assert!(
        run.stderr
            .to_lowercase()
            .contains("did you mean `temperature`"),
        "{run:?}"
    );
}

#[test]
fn html_502_is_one_line_without_html() {
    let sb = Sandbox::new();
    sb.server.on_model("gpt-4o", vec![scenarios::m6_html502()]);
    let run = sb.run(&["-p", "你好"], None);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("502 Bad Gateway from 127.0.0.1"),
        "{run:?}"
    );
    assert!(!run.stderr.contains('<'), "{run:?}");
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{run:?}");
}

#[test]
fn dropped_connection_keeps_the_partial_reply() {
    let sb = Sandbox::new();
    sb.server.on_model("gpt-4o", vec![scenarios::m5_abrupt()]);
    let run = sb.run(&["-p", "为什么？"], None);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stdout.trim_end_matches('\n'),
        "我先解释一下原因：",
        "{run:?}"
    );
    assert!(run.stderr.contains("dropped mid-reply"), "{run:?}");
}

#[path = "pipe/attach.rs"]
mod attach;
#[path = "pipe/closed.rs"]
mod closed;
#[path = "pipe/commands.rs"]
mod commands;
#[path = "pipe/ends.rs"]
mod ends;
#[path = "pipe/prompt.rs"]
mod prompt;
#[path = "pipe/sanitize.rs"]
mod sanitize;
