//! Polls one task until it stops, sleeping on timers between fetches (no CPU while waiting).

use std::time::{Duration, Instant};

use super::client::Endpoint;
use super::tasks;
use crate::tasks::poll::{Next, PollPlan, Poller, Stopped};
use crate::tasks::{Snapshot, TaskApi};

/// Where polling starts.
#[derive(Debug, Clone, PartialEq)]
pub struct PollStart {
    pub plan: PollPlan,
    /// How long ago the task was submitted (more than zero for a resumed task).
    pub elapsed: Duration,
    /// What was known then.
    pub last: Snapshot,
}

/// Fetches `id` on the plan's schedule until it succeeds or stops. Every snapshot goes to
/// `on_update` as it arrives. Dropping the future stops polling; the remote task is not
/// cancelled.
pub async fn poll_until_done(
    http: &reqwest::Client,
    ep: &Endpoint,
    (api, id): (TaskApi, &str),
    start: PollStart,
    mut on_update: impl FnMut(&Snapshot),
) -> Result<Snapshot, Stopped> {
    let started = Instant::now();
    let elapsed = start.elapsed;
    let mut poller = Poller::new(start.plan, start.last);
    let mut wait = poller.first_wait(elapsed);
    loop {
        tokio::time::sleep(wait).await;
        let now = elapsed + started.elapsed();
        let next = match tasks::fetch(http, ep, api, id).await {
            Ok(snap) => {
                on_update(&snap);
                poller.on_snapshot(snap, now)
            }
            Err(e) => {
                tracing::debug!(error = %e, "task fetch failed");
                poller.on_failure(e.as_fetch_failure(), now)
            }
        };
        match next {
            Next::PollIn(d) => wait = d,
            Next::Done(snap) => return Ok(snap),
            Next::Stop(why) => return Err(why),
        }
    }
}
