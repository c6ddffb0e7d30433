//! What ecochat writes, through the real binary against the mock: its own dirs and files are
//! owner-only, a file the user names (`export -o`) follows the umask, and temp files cannot be
//! redirected by symlinks planted under predictable names.

mod support;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;

use support::binary::{self, MockHome};

/// `ecochat args` in `sb` under `umask` (the shell sets it, then execs the binary); its stdout.
fn run(sb: &MockHome, umask: &str, args: &[&str]) -> String {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_ecochat"))
        .arg("--config")
        .arg(&sb.config)
        .args(args);
    let out = binary::isolate(&mut cmd, sb.home.path())
        .output()
        .expect("run ecochat");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn ecochats_own_files_are_private_and_an_export_follows_the_umask() {
    let sb = MockHome::new();
    // As an older ecochat left them: 0755 dirs and a 0644 log.
    for d in ["data/ecochat", "state/ecochat", "cache/ecochat"] {
        std::fs::create_dir_all(sb.path(d)).unwrap();
        chmod(&sb.path(d), 0o755);
    }
    std::fs::write(sb.path("state/ecochat/ecochat.log"), "").unwrap();
    chmod(&sb.path("state/ecochat/ecochat.log"), 0o644);

    run(&sb, "022", &["-p", "你好"]);
    for d in ["data/ecochat", "state/ecochat", "cache/ecochat"] {
        assert_eq!(mode(&sb.path(d)), 0o700, "{d}");
    }
    assert_eq!(mode(&sb.path("state/ecochat/ecochat.log")), 0o600);
    assert_eq!(
        mode(&sb.path("data/ecochat").join(ecochat::store::DB_FILE)),
        0o600
    );

    // A fresh home: everything ecochat creates is private from the start.
    let fresh = MockHome::new();
    run(&fresh, "022", &["-p", "你好"]);
    for d in ["data/ecochat", "state/ecochat", "cache/ecochat"] {
        assert_eq!(mode(&fresh.path(d)), 0o700, "{d}");
    }
    assert_eq!(mode(&fresh.path("state/ecochat/ecochat.log")), 0o600);

    // `export -o` writes a file the user asked for: the umask decides, as for `cp` or `>`.
    let id = run(&sb, "022", &["sessions"]);
    let id = id.split_whitespace().next().expect("a session");
    let out = sb.path("out.md");
    run(&sb, "022", &["export", id, "-o", out.to_str().unwrap()]);
    assert_eq!(mode(&out), 0o644);
    run(&sb, "077", &["export", id, "-o", out.to_str().unwrap()]);
    assert_eq!(mode(&out), 0o600);
    assert!(std::fs::read_to_string(&out).unwrap().contains("你好"));
}

/// A PID just handed out: the next processes started get the ones after it.
fn recent_pid() -> u32 {
    let mut child = Command::new("true").spawn().expect("spawn true");
    let pid = child.id();
    let _ = child.wait();
    pid
}

#[test]
fn export_does_not_follow_symlinks_planted_for_the_next_pids() {
    let sb = MockHome::new();
    run(&sb, "022", &["-p", "你好"]);
    let sessions = run(&sb, "022", &["sessions"]);
    let id = sessions.split_whitespace().next().expect("a session");
    let victim_dir = tempfile::tempdir().unwrap();
    let victim = victim_dir.path().join("victim");
    std::fs::write(&victim, "the victim's file").unwrap();
    // The shared directory: ecochat once wrote `.out.md.PID.tmp` with File::create there.
    let shared = sb.path("shared");
    std::fs::create_dir(&shared).unwrap();
    // Other tests start processes too: cover the next few thousand PIDs.
    let next = recent_pid();
    for pid in next..next + 3000 {
        symlink(&victim, shared.join(format!(".out.md.{pid}.tmp"))).unwrap();
    }
    let out = shared.join("out.md");
    run(&sb, "022", &["export", id, "-o", out.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "the victim's file"
    );
    assert!(!std::fs::symlink_metadata(&out).unwrap().is_symlink());
    assert!(std::fs::read_to_string(&out).unwrap().contains("你好"));
}
