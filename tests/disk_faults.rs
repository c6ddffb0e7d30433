//! Disk faults through the real binary: a read-only data dir or database, a config file that is
//! a directory, empty or not UTF-8, and a database shared (or locked) by another process.
//!
//! Read-only is real file permissions. Tests usually run as root, which permissions do not stop,
//! so as root ecochat is started as `nobody` with `setpriv` (util-linux).

mod support;
mod tmux;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use ecochat::store::{DB_FILE, Store};
use support::binary;
use support::chat::{KEY_ENV, TEST_KEY};
use support::{MockServer, scenarios};
use tmux::{Tmux, WAIT, is_idle};

const M1_TEXT: &str = "你好！有什么可以帮你？";

fn config_text(server: &MockServer) -> String {
    binary::mock_config(&server.base_url(), "m", "")
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// `ecochat args` with HOME and the XDG dirs under `home`; as root, run as `nobody` so that file
/// permissions apply.
fn ecochat(home: &Path, args: &[&str]) -> Command {
    let bin = env!("CARGO_BIN_EXE_ecochat");
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        Command::new(bin)
    };
    binary::isolate(&mut cmd, home).args(args);
    cmd
}

/// A home `nobody` can use: everything in it world-writable except what a test locks down.
fn open_home(server: &MockServer) -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().expect("tempdir");
    for d in ["config", "data", "state", "cache"] {
        std::fs::create_dir_all(home.path().join(d)).expect("mkdir");
        chmod(&home.path().join(d), 0o777);
    }
    chmod(home.path(), 0o755);
    let config = home.path().join("ecochat.toml");
    std::fs::write(&config, config_text(server)).expect("config");
    chmod(&config, 0o644);
    (home, config)
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_read_only_data_dir_still_answers_with_a_warning() {
    let server = MockServer::start();
    let (home, config) = open_home(&server);
    let data = home.path().join("data/ecochat");
    std::fs::create_dir_all(&data).unwrap();
    chmod(&data, 0o555);
    let out = ecochat(
        home.path(),
        &["--config", config.to_str().unwrap(), "-p", "你好"],
    )
    .output()
    .expect("run");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.trim_end(), M1_TEXT);
    assert!(
        stderr.contains("warning: this chat was not saved"),
        "{stderr}"
    );
    assert!(
        std::fs::read_dir(&data).unwrap().next().is_none(),
        "nothing was created in the read-only dir"
    );
}

#[test]
fn a_read_only_database_keeps_its_sessions_and_the_answer_still_comes() {
    let server = MockServer::start();
    let (home, config) = open_home(&server);
    let cfg = config.to_str().unwrap();
    let out = ecochat(home.path(), &["--config", cfg, "-p", "第一次"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let data = home.path().join("data/ecochat");
    for entry in std::fs::read_dir(&data).unwrap().flatten() {
        chmod(&entry.path(), 0o444);
    }
    chmod(&data, 0o555);

    let out = ecochat(home.path(), &["--config", cfg, "-p", "第二次"])
        .output()
        .expect("run");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.trim_end(), M1_TEXT);
    assert!(
        stderr.contains("warning: this chat was not saved"),
        "{stderr}"
    );

    chmod(&data, 0o755);
    let store = binary::open_checked(&data.join(DB_FILE));
    let sessions = store.sessions(10).unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0].title, "第一次");
}

#[test]
fn a_config_that_is_a_directory_empty_or_not_utf8_gets_a_clear_message() {
    let server = MockServer::start();
    let (home, _) = open_home(&server);
    let dir = home.path().join("config-dir.toml");
    std::fs::create_dir(&dir).unwrap();
    let latin1 = home.path().join("latin1.toml");
    std::fs::write(&latin1, b"# caf\xe9\ndefault_model = \"demo:demo\"\n").unwrap();
    let empty = home.path().join("empty.toml");
    std::fs::write(&empty, b"").unwrap();
    for p in [&latin1, &empty] {
        chmod(p, 0o644);
    }

    let run = |path: &Path| {
        let out = ecochat(
            home.path(),
            &["--config", path.to_str().unwrap(), "-p", "hi"],
        )
        .output()
        .expect("run");
        (out.status.code(), text(&out))
    };
    let (code, (_, err)) = run(&dir);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(
        err.trim_end(),
        format!(
            "ecochat: {}: is a directory, expected a TOML file",
            dir.display()
        )
    );
    let (code, (_, err)) = run(&latin1);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "{}:1:6: the file is not valid UTF-8",
            latin1.display()
        )),
        "{err}"
    );
    // An empty file means "no settings": the built-in defaults answer (offline demo).
    let (code, (out, err)) = run(&empty);
    assert_eq!(code, Some(0), "{err}");
    assert!(!out.trim().is_empty());
}

#[test]
fn two_running_ecochats_share_the_database() {
    let server = MockServer::start();
    server.on_model(
        "m",
        vec![scenarios::slow_stream(40, Duration::from_millis(50))],
    );
    server.on_model("quick", vec![scenarios::m1()]);
    let t = Tmux::with_config(&config_text(&server), &[(KEY_ENV, TEST_KEY)]);
    let cfg = t.path("ecochat.toml").display().to_string();
    // The TUI streams a two-second reply, writing a checkpoint every second ...
    t.type_text("慢慢数");
    t.keys(&["Enter"]);
    t.wait_for(&scenarios::piece(1), WAIT);
    // ... while pipe-mode runs write to the same database.
    let started = Instant::now();
    for i in 0..3 {
        let out = binary::ecochat(t.home.path())
            .args([
                "--config",
                &cfg,
                "-m",
                "mock:quick",
                "-p",
                &format!("并发 {i}"),
            ])
            .output()
            .expect("run");
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert_eq!(stdout.trim_end(), M1_TEXT);
        assert!(!stderr.contains("not saved"), "{stderr}");
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    t.wait_until(
        |s| s.contains(&scenarios::piece(39)) && is_idle(s),
        WAIT,
        "the TUI reply done",
    );
    assert!(!t.screen().contains("not sav"), "{}", t.screen());
    t.keys(&["C-q"]);
    assert_eq!(t.wait_exit(WAIT), "status 0");
    let store = binary::open_checked(&binary::db_path(t.home.path()));
    assert_eq!(store.sessions(10).unwrap().len(), 4);
}

#[test]
fn a_database_held_locked_by_another_process_is_explained() {
    let server = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("ecochat.toml");
    std::fs::write(&config, config_text(&server)).unwrap();
    let data = home.path().join("data/ecochat");
    std::fs::create_dir_all(&data).unwrap();
    let db = data.join(DB_FILE);
    drop(Store::open(&db).unwrap());
    // Another process in the middle of a long write transaction.
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let out = binary::ecochat(home.path())
        .args(["--config", config.to_str().unwrap(), "-p", "hi"])
        .output()
        .expect("run");
    holder.execute_batch("ROLLBACK").unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.trim_end(), M1_TEXT);
    assert!(stderr.contains("not saved"), "{stderr}");
    assert!(stderr.contains("locked"), "says why: {stderr}");
}
