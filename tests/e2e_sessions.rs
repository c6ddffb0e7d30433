//! Sessions end to end: the real binary in tmux against the mock. Chat, quit, `--resume`, the
//! conversation is back and continues; Ctrl+O finds it by a word; Ctrl+S writes a transcript.

mod support;
mod tmux;

use std::path::Path;
use std::time::Duration;

use support::chat::{KEY_ENV, TEST_KEY};
use support::{MockServer, binary};
use tmux::Tmux;

const WAIT: Duration = Duration::from_secs(15);
const REPLY: &str = "你好！有什么可以帮你？";

fn write_config(dir: &Path, server: &MockServer) -> String {
    let path = dir.join("ecochat.toml");
    let text = binary::mock_config(&server.base_url(), "gpt-4o", "");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn chat_quit_resume_continue_and_find_it_again() {
    let server = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server);
    let t = Tmux::start(&["--config", &config], &[(KEY_ENV, TEST_KEY)], 100, 30);
    t.wait_for("Enter send", WAIT);
    t.type_text("记住暗号：蓝色的长颈鹿");
    t.keys(&["Enter"]);
    t.wait_for(REPLY, WAIT);
    t.keys(&["C-q"]);
    t.wait_exit(WAIT);

    t.relaunch(&["--config", &config, "--resume"], &[(KEY_ENV, TEST_KEY)]);
    let screen = t.wait_for("记住暗号：蓝色的长颈鹿", WAIT);
    assert!(screen.contains(REPLY), "{screen}");
    t.type_text("暗号是什么？");
    t.keys(&["Enter"]);
    assert!(server.wait_for_requests(2, WAIT));
    t.wait_until(|s| s.matches(REPLY).count() >= 2, WAIT, "the second reply");
    let body = server.last_request().unwrap().json();
    let sent: Vec<(String, String)> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap().to_string(),
                m["content"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("user", "记住暗号：蓝色的长颈鹿"),
        ("assistant", REPLY),
        ("user", "暗号是什么？"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(r, c)| (r.to_string(), c.to_string()))
        .collect();
    assert_eq!(sent, want, "the mock sees the earlier messages");

    // A fresh conversation, then the browser finds the old one by a word and reopens it.
    t.keys(&["C-n"]);
    t.wait_until(|s| !s.contains("暗号是什么？"), WAIT, "a cleared screen");
    t.keys(&["C-o"]);
    t.wait_for("Sessions (", WAIT);
    t.type_text("长颈鹿");
    let screen = t.wait_for("Sessions (1)", WAIT);
    assert!(screen.contains("4 msgs"), "{screen}");
    t.keys(&["Enter"]);
    t.wait_for("暗号是什么？", WAIT);

    // Ctrl+S writes the transcript and names it in the status bar.
    t.keys(&["C-s"]);
    t.wait_for("saved ", WAIT);
    let transcripts = t.path("data/ecochat/transcripts");
    let files: Vec<_> = std::fs::read_dir(&transcripts).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().to_string_lossy().into_owned();
    assert!(name.ends_with("-记住暗号-蓝色的长颈鹿.md"), "{name}");
    let md = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(md.starts_with("# 记住暗号：蓝色的长颈鹿\n"), "{md}");
    assert!(
        md.contains("## mock:gpt-4o · ") && md.contains("暗号是什么？"),
        "{md}"
    );

    t.keys(&["C-q"]);
    t.wait_exit(WAIT);
    binary::assert_secret_not_under(t.home.path(), TEST_KEY);
}

#[test]
fn an_unwritable_data_dir_keeps_chatting_with_a_warning() {
    let server = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server);
    // A file where the data directory should be: nothing can be created under it, even as root.
    let blocker = dir.path().join("data-is-a-file");
    std::fs::write(&blocker, "keep me").unwrap();
    let blocked = blocker.display().to_string();
    let t = Tmux::start(
        &["--config", &config],
        &[(KEY_ENV, TEST_KEY), ("XDG_DATA_HOME", &blocked)],
        100,
        30,
    );
    t.wait_for("not saved", WAIT);
    t.type_text("你好");
    t.keys(&["Enter"]);
    let screen = t.wait_for(REPLY, WAIT);
    let screen = if screen.contains("not saving") {
        screen
    } else {
        t.wait_for("not saving", WAIT)
    };
    assert!(screen.contains("⚠"), "{screen}");
    t.keys(&["C-q"]);
    t.wait_exit(WAIT);
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "keep me");
}

/// Ctrl+C on a draft of 16 lines clears it instead of quitting; the draft (not a prompt holding
/// the key) is in the history file, and Up recalls it in the next run.
#[test]
fn a_draft_cleared_by_ctrl_c_comes_back_with_up_in_the_next_run() {
    let server = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server);
    let t = Tmux::start(&["--config", &config], &[(KEY_ENV, TEST_KEY)], 100, 30);
    t.wait_for("Enter send", WAIT);
    t.type_text(&format!("the key is {TEST_KEY}"));
    t.keys(&["C-c"]);
    t.wait_for("Up brings it back", WAIT);
    for i in 0..16 {
        t.type_text(&format!("草稿 line {i}"));
        t.keys(&["C-j"]);
    }
    t.wait_for("草稿 line 15", WAIT);
    t.keys(&["C-c"]);
    t.wait_until(
        |s| !s.contains("草稿 line 15") && s.contains("Up brings it back"),
        WAIT,
        "the draft cleared, not quit",
    );
    assert!(!t.exited());
    t.keys(&["C-c"]);
    t.wait_exit(WAIT);
    let history = t.home.path().join("state/ecochat/history.jsonl");
    let text = std::fs::read_to_string(&history).unwrap();
    assert!(text.contains("草稿 line 15"), "{text}");
    binary::assert_secret_not_under(&t.home.path().join("state"), TEST_KEY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&history).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    t.relaunch(&["--config", &config], &[(KEY_ENV, TEST_KEY)]);
    t.wait_for("Enter send", WAIT);
    t.keys(&["Up"]);
    t.wait_for("草稿 line 15", WAIT);
}
