//! The reply task's end of the bounded piece channel: pieces go to the event loop, and the
//! network is not read while the loop is behind.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::{Sender, UnboundedSender};

use crate::api::StreamEvent;
use crate::api::client::ReplySink;
use crate::app::{Action, StreamMsg};

/// Sends the pieces of reply `id` into a bounded channel. A full channel keeps the pieces of
/// the current network read aside (at most one read's worth) and `room` waits until they are
/// all in: the reader then reads nothing more meanwhile.
pub struct PieceSink {
    id: u64,
    tx: Sender<Action>,
    waiting: VecDeque<Action>,
    /// Told when the end is queued: the loop takes pieces once a frame while a reply
    /// streams, and the end must not wait for the next frame. Told too when half the channel
    /// is full: a burst, which holding until the next frame would only stall.
    wake: Option<UnboundedSender<Action>>,
    /// A wake-up for a filling channel was sent and the loop has not taken the pieces yet.
    woke: bool,
}

impl PieceSink {
    /// A sink for reply `id` sending into `tx`.
    pub fn new(id: u64, tx: Sender<Action>) -> Self {
        Self {
            id,
            tx,
            waiting: VecDeque::new(),
            wake: None,
            woke: false,
        }
    }

    /// Sends a `Tick` on `wake` once the end of the reply is queued.
    pub fn waking(mut self, wake: UnboundedSender<Action>) -> Self {
        self.wake = Some(wake);
        self
    }

    /// Pieces taken but not yet in the channel.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Wakes the loop once when half the channel is waiting (see `Inbox::pieces_backed_up`).
    fn wake_if_filling(&mut self) {
        let filling = self.tx.capacity() <= self.tx.max_capacity() / 2;
        if filling
            && !self.woke
            && let Some(wake) = &self.wake
        {
            let _ = wake.send(Action::Tick);
        }
        self.woke = filling;
    }

    /// Sends the end of the reply after every piece (the loop applies them in order).
    pub async fn end(mut self, msg: StreamMsg) {
        self.room().await;
        let _ = self.tx.send(Action::Stream { id: self.id, msg }).await;
        if let Some(wake) = &self.wake {
            let _ = wake.send(Action::Tick);
        }
    }
}

impl ReplySink for PieceSink {
    fn event(&mut self, ev: StreamEvent) {
        let action = Action::Stream {
            id: self.id,
            msg: StreamMsg::Event(ev),
        };
        if !self.waiting.is_empty() {
            self.waiting.push_back(action);
            return;
        }
        match self.tx.try_send(action) {
            Ok(()) | Err(TrySendError::Closed(_)) => {}
            Err(TrySendError::Full(action)) => self.waiting.push_back(action),
        }
        self.wake_if_filling();
    }

    fn room(&mut self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        // A slot is reserved before a piece leaves the queue: dropped midway, nothing is lost.
        Box::pin(async move {
            while !self.waiting.is_empty() {
                match self.tx.reserve().await {
                    Ok(permit) => {
                        if let Some(action) = self.waiting.pop_front() {
                            permit.send(action);
                        }
                    }
                    // The loop has ended: nobody will take them.
                    Err(_) => self.waiting.clear(),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use tokio::sync::mpsc;

    #[tokio::test]
    async fn the_end_wakes_the_loop_once_it_is_queued() {
        let (tx, mut rx) = mpsc::channel(8);
        let (wake_tx, mut wake) = mpsc::unbounded_channel();
        let mut sink = PieceSink::new(3, tx).waking(wake_tx);
        sink.event(StreamEvent::Content("a".into()));
        assert!(wake.try_recv().is_err(), "a piece wakes nobody");
        sink.end(StreamMsg::End(Ok(Default::default()))).await;
        assert!(matches!(wake.try_recv(), Ok(Action::Tick)));
        assert!(rx.try_recv().is_ok(), "the piece");
        assert!(
            matches!(
                rx.try_recv(),
                Ok(Action::Stream {
                    msg: StreamMsg::End(_),
                    ..
                })
            ),
            "queued before the wake-up"
        );
    }

    #[tokio::test]
    async fn a_channel_half_full_wakes_the_loop_once() {
        let (tx, mut rx) = mpsc::channel(8);
        let (wake_tx, mut wake) = mpsc::unbounded_channel();
        let mut sink = PieceSink::new(3, tx).waking(wake_tx);
        for t in ["a", "b", "c"] {
            sink.event(StreamEvent::Content(t.into()));
        }
        assert!(wake.try_recv().is_err(), "three of eight wake nobody");
        for t in ["d", "e", "f"] {
            sink.event(StreamEvent::Content(t.into()));
        }
        assert!(matches!(wake.try_recv(), Ok(Action::Tick)), "half full");
        assert!(wake.try_recv().is_err(), "once");
        while rx.try_recv().is_ok() {}
        for t in ["g", "h", "i", "j"] {
            sink.event(StreamEvent::Content(t.into()));
        }
        assert!(
            matches!(wake.try_recv(), Ok(Action::Tick)),
            "again once taken and filling again"
        );
    }

    #[tokio::test]
    async fn room_waits_while_the_channel_is_full() {
        let (tx, mut rx) = mpsc::channel(2);
        let mut sink = PieceSink::new(7, tx);
        for t in ["a", "b", "c", "d"] {
            sink.event(StreamEvent::Content(t.into()));
        }
        assert_eq!(sink.waiting(), 2, "two fit, two wait");
        assert!(sink.room().now_or_never().is_none(), "nobody took one");
        assert!(rx.recv().await.is_some());
        assert!(sink.room().now_or_never().is_none(), "one still waits");
        assert!(rx.recv().await.is_some());
        assert!(sink.room().now_or_never().is_some());
        assert_eq!(sink.waiting(), 0);
        let order: Vec<String> = std::iter::from_fn(|| rx.try_recv().ok())
            .map(|a| match a {
                Action::Stream {
                    msg: StreamMsg::Event(StreamEvent::Content(t)),
                    ..
                } => t,
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(order, ["c", "d"]);
    }
}
