//! A closed stdout (`ecochat … | head` after head exited) ends every command quietly with
//! status 0.

use super::{M1_TEXT, Sandbox, scenarios};

/// Exit 0 and nothing on stderr.
fn assert_quiet_success(run: &super::Run) {
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");
}

/// A sandbox with one saved session (id 1).
fn with_a_session() -> Sandbox {
    let sb = Sandbox::new();
    let run = sb.run(&["-p", "你好"], None);
    assert_eq!(run.stdout.trim_end(), M1_TEXT, "{run:?}");
    sb
}

#[test]
fn sessions_into_a_closed_pipe() {
    let sb = with_a_session();
    assert_quiet_success(&sb.run_closed_stdout(&["sessions"]));
}

#[test]
fn models_into_a_closed_pipe() {
    let sb = Sandbox::new();
    assert_quiet_success(&sb.run_closed_stdout(&["models"]));
}

#[test]
fn export_into_a_closed_pipe() {
    let sb = with_a_session();
    assert_quiet_success(&sb.run_closed_stdout(&["export", "1"]));
    assert_quiet_success(&sb.run_closed_stdout(&["export", "1", "--format", "json"]));
}

#[test]
fn a_reply_into_a_closed_pipe_stops_the_request() {
    let sb = Sandbox::new();
    // The reply would go silent after its first words, until the idle timeout fails it.
    sb.server
        .on_model("gpt-4o", vec![scenarios::idle_after_first_chunk()]);
    assert_quiet_success(&sb.run_closed_stdout(&["-p", "你好"]));
}

#[test]
fn sessions_without_a_database_says_there_are_none() {
    let sb = Sandbox::new();
    let run = sb.run(&["sessions"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert!(run.stderr.contains("no saved sessions"), "{run:?}");
}
