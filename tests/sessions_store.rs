//! The session store through the real binary (pipe mode and the subcommands) against the mock:
//! crash safety under SIGKILL, `sessions` search, `export`, and no key on disk.

mod support;

use std::process::Stdio;
use std::time::Duration;

use ecochat::chat::{Role, Status};
use support::binary::{self, MockHome, StdoutCapture};
use support::chat::TEST_KEY;
use support::scenarios;

#[test]
fn sigkill_mid_reply_leaves_a_sound_database_with_every_earlier_message() {
    let sb = MockHome::new();
    sb.server.on_model(
        "gpt-4o",
        vec![
            scenarios::m1(),
            scenarios::slow_stream(80, Duration::from_millis(60)),
        ],
    );
    let (code, _, err) = sb.run(&["-p", "第一个问题：你好"]);
    assert_eq!(code, 0, "{err}");

    let mut child = sb
        .command(&["-p", "第二个问题：请慢慢数"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let capture = StdoutCapture::start(&mut child);
    // Past a full checkpoint interval, well before the end of the reply.
    capture.wait_for(&scenarios::piece(30), Duration::from_secs(20));
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
    let printed = capture.finish();
    assert!(!printed.contains(&scenarios::piece(79)), "killed too late");

    let store = binary::open_checked(&sb.db());
    let sessions = store.sessions(10).unwrap();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let first = store.load(sessions[1].id).unwrap();
    assert_eq!(first.messages.len(), 2);
    assert_eq!(first.messages[0].content, "第一个问题：你好");
    assert_eq!(first.messages[1].content, "你好！有什么可以帮你？");
    assert_eq!(first.messages[1].status, Status::Done);
    let second = store.load(sessions[0].id).unwrap();
    assert_eq!(second.messages[0].role, Role::User);
    assert_eq!(second.messages[0].content, "第二个问题：请慢慢数");
    let partial = &second.messages[1];
    let full = scenarios::pieces_text(80);
    assert!(
        !partial.content.is_empty() && full.starts_with(&partial.content),
        "{partial:?}"
    );
    // At most one checkpoint interval behind what was printed.
    assert!(partial.content.len() + 40 * "第00段，".len() >= printed.trim_end().len());
    assert!(matches!(partial.status, Status::Interrupted(_)));
    binary::assert_secret_not_under(sb.home.path(), TEST_KEY);
}

#[test]
fn sessions_searches_chinese_and_export_writes_markdown_and_json() {
    let sb = MockHome::new();
    for prompt in ["请问明天北京的天气怎么样", "量子计算机是什么原理"] {
        let (code, _, err) = sb.run(&["-p", prompt]);
        assert_eq!(code, 0, "{err}");
    }
    let (code, all, _) = sb.run(&["sessions"]);
    assert_eq!(code, 0);
    assert_eq!(all.lines().count(), 2, "{all}");
    assert!(
        all.lines().next().unwrap().contains("量子计算机"),
        "newest first: {all}"
    );

    let (code, found, _) = sb.run(&["sessions", "北京的天"]);
    assert_eq!(code, 0);
    assert!(found.contains("请问明天北京的天气怎么样"), "{found}");
    assert!(!found.contains("量子"), "{found}");
    let (_, short, _) = sb.run(&["sessions", "天气"]);
    assert!(
        short.contains("北京"),
        "two characters still match: {short}"
    );

    let id = found.split_whitespace().next().unwrap();
    let md_path = sb.home.path().join("out.md");
    let (code, _, err) = sb.run(&["export", id, "-o", md_path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let md = std::fs::read_to_string(&md_path).unwrap();
    assert!(md.starts_with("# 请问明天北京的天气怎么样\n"), "{md}");
    assert!(md.contains("## mock:gpt-4o · "), "{md}");
    let (code, json, _) = sb.run(&["export", id, "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["messages"][1]["content"], "你好！有什么可以帮你？");
    assert_eq!(v["messages"][1]["status"], "done");

    let (code, _, err) = sb.run(&["export", "999"]);
    assert_eq!(code, 1);
    assert!(err.contains("no session 999"), "{err}");
    binary::assert_secret_not_under(sb.home.path(), TEST_KEY);
}

#[test]
fn no_save_writes_no_database() {
    let sb = MockHome::new();
    let (code, _, _) = sb.run(&["--no-save", "-p", "不要保存"]);
    assert_eq!(code, 0);
    assert!(!sb.db().exists());
    // No database means no sessions, which is no failure (13.15).
    let (code, out, err) = sb.run(&["sessions"]);
    assert_eq!(code, 0);
    assert_eq!(out, "");
    assert!(err.contains("no saved sessions"), "{err}");
}

#[test]
fn an_unwritable_data_dir_still_answers_with_a_warning() {
    let sb = MockHome::new();
    let blocker = sb.home.path().join("blocked");
    std::fs::write(&blocker, "not a directory").unwrap();
    let out = sb
        .command(&["-p", "你好"])
        .env("XDG_DATA_HOME", &blocker)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.trim_end(), "你好！有什么可以帮你？");
    assert!(
        stderr.contains("warning: this chat was not saved"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&blocker).unwrap(),
        "not a directory"
    );
}
