//! Ctrl+X Ctrl+E end to end: the real binary in tmux hands the prompt to `$EDITOR` (a script here),
//! takes the terminal back, and sends what the editor wrote.

mod support;
mod tmux;

use std::time::Duration;

use support::MockServer;
use tmux::Tmux;

const WAIT: Duration = Duration::from_secs(10);
const WRITTEN: &str = "来自编辑器的问题 written in the editor";

fn write_config(dir: &tempfile::TempDir, server: &MockServer) -> String {
    let path = dir.path().join("ecochat.toml");
    let text = format!(
        "[[providers]]\nname = \"mock\"\nbase_url = \"{}\"\napi_key_env = \"ECOCHAT_TEST_KEY\"\nmodels = [\"gpt-4o\"]\n",
        server.base_url()
    );
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// An executable script in the temp home.
fn script(t: &Tmux, name: &str, body: &str) -> String {
    let path = t.write_file(name, &format!("#!/bin/sh\n{body}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.display().to_string()
}

fn start_with_editor(server: &MockServer, dir: &tempfile::TempDir, editor: &str) -> Tmux {
    let config = write_config(dir, server);
    let mut t = Tmux::new();
    t.run(
        &["--config", &config, "-m", "mock:gpt-4o", "--no-save"],
        &[("ECOCHAT_TEST_KEY", "sk-editor"), ("EDITOR", editor)],
        100,
        30,
    );
    t
}

#[test]
fn ctrl_e_edits_the_prompt_in_the_editor_and_enter_sends_the_result() {
    let server = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    // The script keeps a copy of what it was given, then writes the new prompt.
    let seen = dir.path().join("seen.txt");
    let editor_path = dir.path().join("editor.sh");
    std::fs::write(
        &editor_path,
        format!(
            "#!/bin/sh\n# Shows up on the main screen only while the TUI is suspended.\nprintf 'fake editor: %s\\n' \"$1\"\ncp \"$1\" '{}'\nprintf '%s\\n' '{WRITTEN}' > \"$1\"\n",
            seen.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor_path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let t = start_with_editor(&server, &dir, &editor_path.display().to_string());
    t.wait_ready();
    t.type_text("草稿 draft");
    t.wait_for("草稿 draft", WAIT);
    t.keys(&["C-x", "C-e"]);
    let screen = t.wait_for("edited: 1 line", WAIT);
    assert!(
        screen.contains(WRITTEN),
        "the prompt holds the editor's text:\n{screen}"
    );
    assert_eq!(
        t.display("#{alternate_on}"),
        "1",
        "the TUI took the screen back"
    );
    assert_eq!(
        std::fs::read_to_string(&seen).unwrap(),
        "草稿 draft",
        "the editor got the prompt as typed"
    );
    // The temp file is gone once read back.
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&format!("ecochat-prompt-{}-", t.app_pid()))
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Raw mode is back: Enter sends instead of being a line feed.
    t.keys(&["Enter"]);
    t.wait_for("有什么可以帮你", WAIT);
    let body = server.last_request().expect("a request").json();
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.last().unwrap()["content"], WRITTEN);
}

#[test]
fn a_failing_editor_keeps_the_prompt_and_says_why() {
    let server = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    let t = start_with_editor(&server, &dir, "/nonexistent/editor");
    t.wait_ready();
    t.type_text("keep this prompt");
    t.wait_for("keep this prompt", WAIT);
    t.keys(&["C-x", "C-e"]);
    let screen = t.wait_for("cannot run the editor", WAIT);
    assert!(screen.contains("keep this prompt"), "{screen}");
    assert_eq!(t.display("#{alternate_on}"), "1");
    assert_eq!(server.request_count(), 0);
    // An editor that exits non-zero: the prompt stays too.
    drop(t);
    let mut t = Tmux::new();
    let failing = script(&t, "fail.sh", "echo 'oops' > \"$1\"\nexit 3\n");
    let config = write_config(&dir, &server);
    t.run(
        &["--config", &config, "-m", "mock:gpt-4o", "--no-save"],
        &[("ECOCHAT_TEST_KEY", "sk-editor"), ("EDITOR", &failing)],
        100,
        30,
    );
    t.wait_ready();
    t.type_text("still here");
    t.wait_for("still here", WAIT);
    t.keys(&["C-x", "C-e"]);
    let screen = t.wait_for("exit status: 3", WAIT);
    assert!(screen.contains("the prompt is unchanged"), "{screen}");
    assert!(
        screen.contains("still here") && !screen.contains("oops"),
        "{screen}"
    );
}
