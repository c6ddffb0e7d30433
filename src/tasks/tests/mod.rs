//! Every payload shape of relay-tasks.md §1.7, §2.7, §3.9 (shared with the mock server).

use super::*;

/// A payload file shared with the mock server, as bytes.
macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tasks/",
            $name
        ))
        .as_slice()
    };
}

/// The message of a rejection; panics on anything else.
fn rejected_message(r: Result<impl std::fmt::Debug, TaskError>) -> String {
    match r {
        Err(TaskError::Rejected { message, .. }) => message,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn status_vocabularies_normalise() {
    use TaskStatus::*;
    let table = [
        ("", Queued),
        ("NOT_START", Queued),
        ("SUBMITTED", Queued),
        ("QUEUED", Queued),
        ("queued", Queued),
        ("pending", Queued),
        ("PENDING", Queued),
        ("THROTTLED", Queued),
        ("Preparing", Queued),
        ("Queueing", Queued),
        ("created", Queued),
        ("in_queue", Queued),
        ("submitted", Queued),
        ("IN_PROGRESS", Running),
        ("in_progress", Running),
        ("processing", Running),
        ("Processing", Running),
        ("RUNNING", Running),
        ("streaming", Running),
        ("generating", Running),
        ("MODAL", Modal),
        ("SUCCESS", Succeeded),
        ("succeed", Succeeded),
        ("succeeded", Succeeded),
        ("SUCCEEDED", Succeeded),
        ("completed", Succeeded),
        ("complete", Succeeded),
        ("Success", Succeeded),
        ("done", Succeeded),
        ("FAILURE", Failed),
        ("failed", Failed),
        ("FAILED", Failed),
        ("Fail", Failed),
        ("error", Failed),
        ("UNKNOWN", Failed),
        ("CANCEL", Cancelled),
        ("CANCELED", Cancelled),
        ("something-new", Running),
    ];
    for (raw, want) in table {
        assert_eq!(normalize_status(raw), want, "{raw:?}");
    }
}

#[test]
fn progress_from_strings_and_numbers() {
    use serde_json::json;
    assert_eq!(parse_progress(&json!("46%")), Some(46));
    assert_eq!(parse_progress(&json!("0%")), Some(0));
    assert_eq!(parse_progress(&json!(" 100 % ")), Some(100));
    assert_eq!(parse_progress(&json!(30)), Some(30));
    assert_eq!(parse_progress(&json!(250)), Some(100));
    assert_eq!(parse_progress(&json!(-3)), None);
    assert_eq!(parse_progress(&json!("soon")), None);
    assert_eq!(parse_progress(&json!(null)), None);
}

mod mj;
mod poll;
mod suno;
mod urls;
mod video;
