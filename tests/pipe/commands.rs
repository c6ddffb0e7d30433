//! `--version`, `completions` and `man`: they need no config and no network.

use std::path::Path;
use std::process::Command;

use super::Sandbox;

#[test]
fn completions_for_every_shell() {
    let sb = Sandbox::new();
    for (shell, marker) in [
        ("bash", "_ecochat()"),
        ("zsh", "#compdef ecochat"),
        ("fish", "complete -c ecochat"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[ecochat]"),
    ] {
        let run = sb.run(&["completions", shell], None);
        assert_eq!(run.code, 0, "{shell}: {run:?}");
        assert!(run.stdout.contains(marker), "{shell}: {}", run.stdout);
        assert!(run.stdout.contains("sessions"), "{shell}");
    }
    assert_eq!(sb.server.request_count(), 0);
}

#[test]
fn completions_and_man_work_with_a_broken_config() {
    let sb = Sandbox::new();
    std::fs::write(&sb.config, "base_url = 42\n[[[").expect("write config");
    let run = sb.run(&["completions", "bash"], None);
    assert_eq!(run.code, 0, "{run:?}");
    let man = sb.run(&["man"], None);
    assert_eq!(man.code, 0, "{man:?}");
    assert!(man.stdout.contains(".TH ecochat"), "{}", man.stdout);
    assert!(man.stdout.contains("\\-\\-resume"), "{}", man.stdout);
}

#[test]
fn version_names_the_commit_when_built_from_a_checkout() {
    let sb = Sandbox::new();
    let run = sb.run(&["--version"], None);
    assert_eq!(run.code, 0, "{run:?}");
    let line = run.stdout.trim_end();
    let want = format!("ecochat {}", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(&want), "{line}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"]);
    let checkout =
        top.is_some_and(|t| Path::new(&t).canonicalize().ok() == dir.canonicalize().ok());
    if !checkout || git(&["rev-parse", "HEAD"]).is_none() {
        assert_eq!(line, want);
        return;
    }
    // Not compared with HEAD now: a commit made while the tests build would fail that.
    let hash = line
        .strip_prefix(&format!("{want} ("))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no commit in {line:?}"));
    assert!(
        hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{line}"
    );
    let object = format!("{hash}^{{commit}}");
    assert!(
        git(&["cat-file", "-e", &object]).is_some(),
        "{hash} is not a commit of this repository"
    );
}
