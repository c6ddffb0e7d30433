//! Sets ECOCHAT_VERSION: the package version, plus the git commit when built from a checkout.
//! Without git, or from a tarball (even one unpacked inside some other repository), it is the
//! package version alone: nothing here may fail the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let version = env!("CARGO_PKG_VERSION");
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let full = match manifest_dir.as_deref().and_then(commit) {
        Some(hash) => format!("{version} ({hash})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=ECOCHAT_VERSION={full}");
    pack_relative_relocations();
}

/// The program is position-independent, so every pointer in its read-only data (vtables, panic
/// locations, string tables) gets a relocation record the loader reads at each start: 24 bytes
/// each, 0.8 MB in all, read whole and so resident. Packed (DT_RELR) they take a few kilobytes.
/// The linker then makes the program require glibc 2.36 or later, so they are packed only for
/// a native build on such a system; a linker that does not know the option ignores it.
fn pack_relative_relocations() {
    let var = |name| std::env::var(name).unwrap_or_default();
    let native = var("HOST") == var("TARGET");
    if !(native && var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu") {
        return;
    }
    // "glibc 2.36"
    let Some(version) = Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
    else {
        return;
    };
    let mut parts = version.trim().trim_start_matches("glibc ").split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    if (major, minor) >= (2, 36) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// The short commit of HEAD, when `dir` is the top of a git work tree.
fn commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    // A crate unpacked inside another repository (a home directory under git, a vendor dir)
    // must not report that repository's commit.
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    // Rebuild when HEAD moves: HEAD changes on checkout, its reflog on every commit. In a
    // linked worktree these live in the worktree's own git dir, which --git-path finds.
    for name in ["HEAD", "logs/HEAD"] {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", name]) {
            let path = dir.join(path);
            // A missing file would make cargo rerun this script on every build.
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    let hash = git(dir, &["rev-parse", "--short", "HEAD"])?;
    hash.chars().all(|c| c.is_ascii_hexdigit()).then_some(hash)
}

/// `git args…` run in `dir`: its trimmed stdout when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}
