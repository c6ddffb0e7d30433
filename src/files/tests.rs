use std::os::unix::fs::{PermissionsExt, symlink};

use super::*;

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

/// The process umask, from /proc (reading it with umask(2) would change it for every thread).
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
}

#[test]
fn a_private_write_is_0600_and_replaces_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    write_atomic(&path, b"new", Access::Private).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    assert_eq!(mode(&path), 0o600);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temp file is left behind");
}

#[test]
fn an_umask_write_follows_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.md");
    write_atomic(&path, "导出".as_bytes(), Access::Umask).unwrap();
    assert_eq!(mode(&path), 0o666 & !umask());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "导出");
}

#[test]
fn a_symlink_at_the_target_is_replaced_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep me").unwrap();
    let path = dir.path().join("models.json");
    symlink(&victim, &path).unwrap();
    write_atomic(&path, b"{}", Access::Private).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(!std::fs::symlink_metadata(&path).unwrap().is_symlink());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}");
}

#[test]
fn a_failed_write_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    // Renaming a file over a non-empty directory fails.
    let path = dir.path().join("taken");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("inside"), "x").unwrap();
    assert!(write_atomic(&path, b"data", Access::Private).is_err());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["taken"]);
}

#[test]
fn private_dirs_are_created_0700_and_old_0755_ones_are_tightened() {
    let root = tempfile::tempdir().unwrap();
    let nested = root.path().join("a/b/ecochat");
    create_private_dir(&nested).unwrap();
    assert_eq!(mode(&nested), 0o700);
    assert_eq!(mode(&root.path().join("a/b")), 0o700);
    let old = root.path().join("old");
    std::fs::create_dir(&old).unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
    create_private_dir(&old).unwrap();
    assert_eq!(
        mode(&old),
        0o755,
        "create_private_dir leaves an existing dir"
    );
    ensure_private_dir(&old).unwrap();
    assert_eq!(mode(&old), 0o700);
}

#[test]
fn a_private_file_is_made_0600_and_a_symlink_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("ecochat.log");
    open_private_append(&log).unwrap();
    assert_eq!(mode(&log), 0o600);
    std::fs::write(&log, "line\n").unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
    open_private_append(&log).unwrap();
    assert_eq!(mode(&log), 0o600);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "line\n", "kept");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = dir.path().join("link.log");
    symlink(&victim, &link).unwrap();
    assert!(open_private_append(&link).is_err());
    assert_eq!(mode(&victim), 0o644);
}
