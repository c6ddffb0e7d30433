//! The life of one task: submitted → polled with backoff → done, failed or timed out; and
//! resumed from the store after a restart. Pure: the caller sleeps and fetches.

use std::time::Duration;

use super::{Snapshot, TaskStatus};

/// Relays refresh a task from upstream every 15 s; polling faster only re-reads one snapshot.
pub const DEFAULT_POLL: Duration = Duration::from_secs(5);
/// The relay fails Midjourney tasks after an hour; nobody waits that long at a terminal.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// Fetch errors in a row (network, 5xx) before the task is given up as unreachable.
pub const MAX_ERRORS_IN_A_ROW: u32 = 5;

/// How often and how long to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPlan {
    /// The first wait; later waits grow to three times it (5 s, 10 s, 15 s, 15 s… by default,
    /// so the relay's 15 s refresh is met without hammering it).
    pub first: Duration,
    /// Stop waiting after this long since the submit.
    pub timeout: Duration,
}

impl Default for PollPlan {
    fn default() -> Self {
        PollPlan {
            first: DEFAULT_POLL,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl PollPlan {
    /// The wait before poll number `polls_done + 1`.
    pub fn delay(&self, polls_done: u32) -> Duration {
        self.first * (polls_done + 1).min(3)
    }
}

/// Why polling stopped without a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// The task failed upstream (or was cancelled); the reason as the relay gave it.
    Failed(String),
    /// The relay no longer knows the task id (404, `task_not_exist`, `task_no_found`).
    Lost,
    /// Still not done after the plan's timeout; the remote task may still finish.
    TimedOut,
    /// Fetching kept failing.
    Unreachable(String),
}

impl Stopped {
    /// One line for a status bar, stderr, or the store.
    pub fn reason(&self) -> String {
        match self {
            Stopped::Failed(r) => r.clone(),
            Stopped::Lost => "the relay lost the task (it no longer knows its id)".into(),
            Stopped::TimedOut => "gave up waiting (the task may still finish on the relay)".into(),
            Stopped::Unreachable(e) => e.clone(),
        }
    }
}

/// What the caller does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Fetch again after this long.
    PollIn(Duration),
    /// Finished with these results (in the snapshot).
    Done(Snapshot),
    /// Finished without.
    Stop(Stopped),
}

/// A fetch that did not produce a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchFailure {
    /// The relay does not know the id.
    Lost,
    /// Worth trying again (network, 5xx, 429, a garbled answer).
    Transient(String),
    /// Will not get better (401/403, an HTML page).
    Fatal(String),
}

/// One task being polled.
#[derive(Debug, Clone, PartialEq)]
pub struct Poller {
    pub plan: PollPlan,
    /// Fetches answered so far (successful or not).
    pub polls: u32,
    errors_in_a_row: u32,
    /// The latest snapshot, for the card and the store.
    pub last: Snapshot,
}

impl Poller {
    /// Polling a task just submitted, or one read back from the store (`last` keeps what was
    /// known, so a resumed card shows its progress before the first fetch).
    pub fn new(plan: PollPlan, last: Snapshot) -> Poller {
        Poller {
            plan,
            polls: 0,
            errors_in_a_row: 0,
            last,
        }
    }

    /// The wait before the first fetch. A resumed task that is already past its timeout is
    /// still fetched once: it may have finished while ecochat was closed.
    pub fn first_wait(&self, elapsed: Duration) -> Duration {
        if elapsed >= self.plan.timeout {
            Duration::ZERO
        } else {
            self.plan.delay(0)
        }
    }

    /// A fetch answered `snap`, `elapsed` after the submit.
    pub fn on_snapshot(&mut self, snap: Snapshot, elapsed: Duration) -> Next {
        self.polls += 1;
        self.errors_in_a_row = 0;
        self.last = snap;
        match self.last.status() {
            TaskStatus::Succeeded => Next::Done(self.last.clone()),
            TaskStatus::Failed | TaskStatus::Cancelled => {
                let reason = self.last.fail_reason.clone().unwrap_or_else(|| {
                    if self.last.status() == TaskStatus::Cancelled {
                        "cancelled".into()
                    } else {
                        "the task failed (the relay gave no reason)".into()
                    }
                });
                Next::Stop(Stopped::Failed(reason))
            }
            _ => self.wait_or_time_out(elapsed),
        }
    }

    /// A fetch failed, `elapsed` after the submit.
    pub fn on_failure(&mut self, failure: FetchFailure, elapsed: Duration) -> Next {
        self.polls += 1;
        match failure {
            FetchFailure::Lost => Next::Stop(Stopped::Lost),
            FetchFailure::Fatal(e) => Next::Stop(Stopped::Unreachable(e)),
            FetchFailure::Transient(e) => {
                self.errors_in_a_row += 1;
                if self.errors_in_a_row >= MAX_ERRORS_IN_A_ROW {
                    Next::Stop(Stopped::Unreachable(e))
                } else {
                    self.wait_or_time_out(elapsed)
                }
            }
        }
    }

    fn wait_or_time_out(&self, elapsed: Duration) -> Next {
        if elapsed >= self.plan.timeout {
            Next::Stop(Stopped::TimedOut)
        } else {
            // Never sleep past the deadline: the last fetch happens right at it.
            Next::PollIn(self.plan.delay(self.polls).min(self.plan.timeout - elapsed))
        }
    }
}
