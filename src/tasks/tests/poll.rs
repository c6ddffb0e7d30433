//! The polling state machine: backoff, done, failed, timeout, errors, resume.

use std::time::Duration;

use super::super::poll::{self, FetchFailure, Next, PollPlan, Poller, Stopped};
use super::super::*;

fn snap(status: TaskStatus, progress: u8) -> Snapshot {
    Snapshot {
        status: Some(status),
        progress: Some(progress),
        ..Snapshot::default()
    }
}

fn plan() -> PollPlan {
    PollPlan {
        first: Duration::from_secs(5),
        timeout: Duration::from_secs(60),
    }
}

#[test]
fn backoff_grows_to_the_relays_refresh_interval() {
    let p = PollPlan::default();
    let waits: Vec<u64> = (0..5).map(|i| p.delay(i).as_secs()).collect();
    assert_eq!(waits, [5, 10, 15, 15, 15]);
}

#[test]
fn submit_poll_done() {
    let mut p = Poller::new(plan(), Snapshot::default());
    assert_eq!(p.first_wait(Duration::ZERO), Duration::from_secs(5));
    let s = Duration::from_secs;
    assert_eq!(
        p.on_snapshot(snap(TaskStatus::Queued, 0), s(5)),
        Next::PollIn(s(10))
    );
    assert_eq!(
        p.on_snapshot(snap(TaskStatus::Running, 46), s(15)),
        Next::PollIn(s(15))
    );
    assert_eq!(p.last.progress, Some(46));
    let done = snap(TaskStatus::Succeeded, 100);
    assert_eq!(p.on_snapshot(done.clone(), s(30)), Next::Done(done));
    assert_eq!(p.polls, 3);
}

#[test]
fn failure_carries_the_reason() {
    let mut p = Poller::new(plan(), Snapshot::default());
    let mut failed = snap(TaskStatus::Failed, 100);
    failed.fail_reason = Some("[Invalid parameter] Invalid value".into());
    assert_eq!(
        p.on_snapshot(failed, Duration::from_secs(5)),
        Next::Stop(Stopped::Failed("[Invalid parameter] Invalid value".into()))
    );
    let mut p = Poller::new(plan(), Snapshot::default());
    match p.on_snapshot(snap(TaskStatus::Cancelled, 100), Duration::from_secs(5)) {
        Next::Stop(Stopped::Failed(r)) => assert_eq!(r, "cancelled"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn timeout_after_the_plan_and_never_sleeping_past_it() {
    let mut p = Poller::new(plan(), Snapshot::default());
    let s = Duration::from_secs;
    assert_eq!(
        p.on_snapshot(snap(TaskStatus::Running, 10), s(52)),
        Next::PollIn(s(8))
    );
    assert_eq!(
        p.on_snapshot(snap(TaskStatus::Running, 10), s(60)),
        Next::Stop(Stopped::TimedOut)
    );
}

#[test]
fn fetch_errors_retry_then_give_up_and_lost_tasks_stop_at_once() {
    let s = Duration::from_secs;
    let mut p = Poller::new(plan(), Snapshot::default());
    for _ in 0..poll::MAX_ERRORS_IN_A_ROW - 1 {
        assert!(matches!(
            p.on_failure(FetchFailure::Transient("502".into()), s(5)),
            Next::PollIn(_)
        ));
    }
    // A good answer resets the count.
    assert!(matches!(
        p.on_snapshot(snap(TaskStatus::Running, 1), s(6)),
        Next::PollIn(_)
    ));
    for _ in 0..poll::MAX_ERRORS_IN_A_ROW - 1 {
        p.on_failure(FetchFailure::Transient("502".into()), s(7));
    }
    assert_eq!(
        p.on_failure(FetchFailure::Transient("502 again".into()), s(8)),
        Next::Stop(Stopped::Unreachable("502 again".into()))
    );
    let mut p = Poller::new(plan(), Snapshot::default());
    assert_eq!(
        p.on_failure(FetchFailure::Lost, s(5)),
        Next::Stop(Stopped::Lost)
    );
    assert!(Stopped::Lost.reason().contains("lost the task"));
    let mut p = Poller::new(plan(), Snapshot::default());
    assert!(matches!(
        p.on_failure(FetchFailure::Fatal("401".into()), s(5)),
        Next::Stop(Stopped::Unreachable(_))
    ));
}

#[test]
fn a_resumed_task_keeps_its_progress_and_is_fetched_once_even_past_its_timeout() {
    let known = snap(TaskStatus::Running, 46);
    let p = Poller::new(plan(), known.clone());
    assert_eq!(p.last, known);
    assert_eq!(
        p.first_wait(Duration::from_secs(10)),
        Duration::from_secs(5)
    );
    assert_eq!(p.first_wait(Duration::from_secs(3600)), Duration::ZERO);
    let mut p = p;
    let done = Snapshot {
        status: Some(TaskStatus::Succeeded),
        results: vec![ResultUrl {
            kind: ResultKind::Image,
            url: "https://x/a.png".into(),
        }],
        ..Snapshot::default()
    };
    assert_eq!(
        p.on_snapshot(done.clone(), Duration::from_secs(3600)),
        Next::Done(done)
    );
}

#[test]
fn stored_status_words_round_trip() {
    use TaskStatus::*;
    for s in [Queued, Running, Modal, Succeeded, Failed, Cancelled] {
        assert_eq!(TaskStatus::from_stored(s.as_str()), s);
    }
    for a in [TaskApi::Midjourney, TaskApi::Suno, TaskApi::Video] {
        assert_eq!(TaskApi::from_name(a.as_str()), Some(a));
    }
    assert_eq!(TaskApi::from_name("chat"), None);
}
