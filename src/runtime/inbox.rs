//! What the event loop reads: the app channel (keys and every report) and the bounded channel
//! of reply pieces. Keys come first, and keys that queued up together come as one action.

use tokio::sync::mpsc::{self, Receiver, Sender, UnboundedReceiver, UnboundedSender};

use crate::app::Action;

/// Reply pieces waiting for the loop. A reply task that gets this far ahead stops reading the
/// network until the loop catches up (a relay streaming flat out drove memory to 2.8 GB); the
/// keyboard never waits on it, since keys have their own unbounded channel.
pub(super) const PIECES: usize = 1024;

/// The loop's two channels.
pub(super) struct Inbox {
    rx: UnboundedReceiver<Action>,
    pieces: Receiver<Action>,
    /// An action taken from the app channel while gathering keys, next in line.
    held: Option<Action>,
}

/// The senders matching an `Inbox`: everything but reply pieces goes to `tx`.
pub(super) fn channels() -> (UnboundedSender<Action>, Sender<Action>, Inbox) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (pieces_tx, pieces) = mpsc::channel(PIECES);
    let inbox = Inbox {
        rx,
        pieces,
        held: None,
    };
    (tx, pieces_tx, inbox)
}

impl Inbox {
    /// The next action, waiting for one. Cancel-safe: nothing is lost when another branch of a
    /// `select!` wins.
    pub(super) async fn next(&mut self) -> Option<Action> {
        if let Some(a) = self.held.take() {
            return Some(self.gather(a));
        }
        let a = tokio::select! {
            biased;
            Some(a) = self.rx.recv() => a,
            Some(a) = self.pieces.recv() => a,
            else => return None,
        };
        Some(self.gather(a))
    }

    /// `next_report` when `hold_pieces`, else `next`.
    pub(super) async fn next_holding(&mut self, hold_pieces: bool) -> Option<Action> {
        if hold_pieces {
            self.next_report().await
        } else {
            self.next().await
        }
    }

    /// The next action from the app channel only (keys, reports, a reply's wake-up), waiting
    /// for one; reply pieces stay queued. Cancel-safe like `next`.
    pub(super) async fn next_report(&mut self) -> Option<Action> {
        if let Some(a) = self.held.take() {
            return Some(self.gather(a));
        }
        let a = self.rx.recv().await?;
        Some(self.gather(a))
    }

    /// True when half the piece channel is waiting: a burst, whose reply task is (or soon
    /// will be) stopped until the loop takes pieces, so holding them would only delay the reply.
    pub(super) fn pieces_backed_up(&self) -> bool {
        self.pieces.len() >= PIECES / 2
    }

    /// The next action already queued, if any.
    pub(super) fn try_next(&mut self) -> Option<Action> {
        let a = self
            .held
            .take()
            .or_else(|| self.rx.try_recv().ok())
            .or_else(|| self.pieces.try_recv().ok())?;
        Some(self.gather(a))
    }

    /// A key together with the keys queued right behind it: typed text arrives a key at a
    /// time, and applying thousands of them one by one cost a prompt re-wrap each.
    fn gather(&mut self, first: Action) -> Action {
        let Action::Key(key) = first else {
            return first;
        };
        let mut keys = vec![key];
        while let Ok(next) = self.rx.try_recv() {
            match next {
                Action::Key(k) => keys.push(k),
                other => {
                    self.held = Some(other);
                    break;
                }
            }
        }
        if keys.len() == 1 {
            Action::Key(key)
        } else {
            Action::Keys(keys)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent};

    fn key(c: char) -> Action {
        Action::Key(KeyEvent::from(KeyCode::Char(c)))
    }

    fn chars(a: &Action) -> String {
        match a {
            Action::Key(k) => k.code.as_char().into_iter().collect(),
            Action::Keys(ks) => ks.iter().filter_map(|k| k.code.as_char()).collect(),
            other => format!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn keys_come_before_pieces_and_queued_keys_come_together() {
        let (tx, pieces_tx, mut inbox) = channels();
        pieces_tx.try_send(Action::Tick).unwrap();
        for c in "你好ab".chars() {
            tx.send(key(c)).unwrap();
        }
        tx.send(Action::EditorDone(Ok(String::new()))).unwrap();
        tx.send(key('z')).unwrap();

        assert_eq!(chars(&inbox.next().await.unwrap()), "你好ab");
        assert!(matches!(inbox.next().await, Some(Action::EditorDone(_))));
        assert!(matches!(inbox.try_next(), Some(Action::Key(_))));
        assert!(matches!(inbox.try_next(), Some(Action::Tick)));
        assert!(inbox.try_next().is_none());
    }

    #[tokio::test]
    async fn reports_can_be_taken_while_pieces_wait() {
        let (tx, pieces_tx, mut inbox) = channels();
        pieces_tx.try_send(Action::Tick).unwrap();
        tx.send(key('k')).unwrap();
        assert_eq!(chars(&inbox.next_report().await.unwrap()), "k");
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(20), inbox.next_report()).await;
        assert!(waited.is_err(), "a piece is not a report: {waited:?}");
        assert!(
            matches!(inbox.try_next(), Some(Action::Tick)),
            "still queued"
        );
    }

    #[tokio::test]
    async fn half_a_channel_of_pieces_is_a_burst_not_to_be_held() {
        let (_tx, pieces, mut inbox) = channels();
        for _ in 0..PIECES / 2 - 1 {
            pieces.send(Action::Tick).await.unwrap();
        }
        assert!(!inbox.pieces_backed_up());
        pieces.send(Action::Tick).await.unwrap();
        assert!(inbox.pieces_backed_up());
        inbox.try_next();
        assert!(!inbox.pieces_backed_up());
    }

    #[tokio::test]
    async fn a_full_piece_channel_never_holds_up_keys() {
        let (tx, pieces_tx, mut inbox) = channels();
        for _ in 0..PIECES {
            pieces_tx.try_send(Action::Tick).unwrap();
        }
        assert!(pieces_tx.try_send(Action::Tick).is_err(), "bounded");
        tx.send(key('q')).unwrap();
        assert!(matches!(inbox.next().await, Some(Action::Key(_))));
    }
}
