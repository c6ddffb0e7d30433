//! The silence allowed between two reads of a streamed reply, kept by one timer. A timeout per
//! read put a timer into tokio's wheel and took it out again for every chunk (a paced reply
//! reads 500 a second); this one is pushed back by a clock read and re-armed only when it fires.

use std::pin::Pin;
use std::time::Duration;

use tokio::time::{Instant, Sleep};

/// Fires once `limit` has passed since the last `restart` without another one.
pub(super) struct IdleTimer {
    limit: Duration,
    since: Instant,
    sleep: Pin<Box<Sleep>>,
}

impl IdleTimer {
    /// A timer whose wait starts now.
    pub(super) fn new(limit: Duration) -> Self {
        Self {
            limit,
            since: Instant::now(),
            sleep: Box::pin(tokio::time::sleep(limit)),
        }
    }

    /// A new wait starts now.
    pub(super) fn restart(&mut self) {
        self.since = Instant::now();
    }

    /// Resolves once `limit` has passed since the last restart. Cancel-safe.
    pub(super) async fn expired(&mut self) {
        loop {
            self.sleep.as_mut().await;
            let due = self.since + self.limit;
            if Instant::now() >= due {
                return;
            }
            self.sleep.as_mut().reset(due);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    const LIMIT: Duration = Duration::from_secs(10);

    #[tokio::test(start_paused = true)]
    async fn it_fires_after_the_limit_of_silence() {
        let start = Instant::now();
        let mut t = IdleTimer::new(LIMIT);
        t.expired().await;
        assert_eq!(start.elapsed(), LIMIT);
    }

    #[tokio::test(start_paused = true)]
    async fn each_restart_pushes_it_back_by_the_whole_limit() {
        let start = Instant::now();
        let mut t = IdleTimer::new(LIMIT);
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            assert!(t.expired().now_or_never().is_none(), "reads keep coming");
            t.restart();
        }
        // 30 s of reads, each well within the limit, then silence.
        t.expired().await;
        assert_eq!(start.elapsed(), Duration::from_secs(30) + LIMIT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_wait_keeps_the_deadline() {
        let start = Instant::now();
        let mut t = IdleTimer::new(LIMIT);
        let cut = tokio::time::timeout(Duration::from_secs(4), t.expired()).await;
        assert!(cut.is_err());
        t.expired().await;
        assert_eq!(start.elapsed(), LIMIT);
    }
}
