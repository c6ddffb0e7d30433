//! The modules depend on each other in one direction (chat/api/store/keymap → view → app → ui
//! → runtime; config names keys and themes through keymap, never app) and no `static` holds
//! state: checked on the source text, so a merge that brings back an import circle or a global
//! fails here rather than in review.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of the files under `src/<module>` that mention any of `needles`.
fn mentions(module: &str, needles: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(module);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let single = root.with_extension("rs");
    if single.is_file() {
        files.push(single);
    }
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if needles.iter().any(|needle| line.contains(needle)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn lower_layers_do_not_import_higher_ones() {
    let upward = [
        (
            "chat",
            &["crate::view", "crate::app", "crate::ui", "crate::runtime"][..],
        ),
        (
            "api",
            &["crate::view", "crate::app", "crate::ui", "crate::runtime"],
        ),
        (
            "store",
            &["crate::view", "crate::app", "crate::ui", "crate::runtime"],
        ),
        (
            "media",
            &["crate::view", "crate::app", "crate::ui", "crate::runtime"],
        ),
        (
            "keymap",
            &["crate::view", "crate::app", "crate::ui", "crate::runtime"],
        ),
        (
            "tasks",
            &["crate::view", "crate::app", "crate::ui", "crate::runtime"],
        ),
        (
            "cost",
            &["crate::view", "crate::app", "crate::ui", "crate::runtime"],
        ),
        (
            "attach",
            &["crate::view", "crate::app", "crate::ui", "crate::runtime"],
        ),
        ("view", &["crate::app", "crate::ui", "crate::runtime"]),
        ("app", &["crate::ui", "crate::runtime"]),
        ("ui", &["crate::runtime"]),
        // The command line is the binary's edge: the event loop does not call into it.
        ("runtime", &["crate::cli"]),
    ];
    for (module, needles) in upward {
        let found = mentions(module, needles);
        assert!(
            found.is_empty(),
            "src/{module} imports upward:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn config_names_keys_and_themes_without_the_app_or_the_screen() {
    let found = mentions(
        "config",
        &["crate::view", "crate::app", "crate::ui", "crate::runtime"],
    );
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn no_static_holds_state_but_the_terminal_restore_once() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let is_static = code.trim_start().starts_with("static ")
                || code.contains("pub static ")
                || code.contains("pub(crate) static ")
                || code.contains("thread_local!");
            if is_static && !code.contains("static ONCE: Once") {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
