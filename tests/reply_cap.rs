//! A relay streaming as fast as it can, for ever: the reply stops at the size cap with its text
//! kept, and the network is not read faster than the pieces are taken.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ecochat::api::StreamEvent;
use ecochat::api::client::{Client, ReplySink};
use ecochat::app::{Action, StreamMsg};
use ecochat::runtime::pieces::PieceSink;
use support::MockServer;
use support::chat::{endpoint, request};
use support::reply::Reply;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

/// The text of every content event of the endless reply.
const PIECE: &str = "数据abc，";
/// Far longer than either test takes; only a reader that never stops gets there.
const HANG: std::time::Duration = std::time::Duration::from_secs(60);
/// Events per write of the endless reply, i.e. at most this many per network read.
const PER_WRITE: usize = 50;

fn content_event(text: &str) -> String {
    let event = serde_json::json!({
        "id": "chatcmpl-cap", "object": "chat.completion.chunk", "created": 1743318000,
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]
    });
    format!("data: {event}\n\n")
}

/// A mock whose `gpt-4o` streams `PIECE` events without end.
fn endless_server() -> MockServer {
    let server = MockServer::start();
    let burst = content_event(PIECE).repeat(PER_WRITE);
    server.on_model("gpt-4o", vec![Reply::sse(b"").forever(burst)]);
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_reply_stops_at_the_cap_and_keeps_its_text() {
    let server = endless_server();
    let cap = 256 * 1024;
    let client = Client::new().expect("client").with_reply_cap(cap);
    let mut text = String::new();
    let mut on_event = |ev| {
        if let StreamEvent::Content(t) = ev {
            text.push_str(&t);
        }
    };
    // A reader that never stops must fail the test, not hang the suite.
    let end = tokio::time::timeout(
        HANG,
        client.chat(
            &endpoint(&server),
            &request("gpt-4o", true),
            &mut on_event,
            &CancellationToken::new(),
        ),
    )
    .await
    .expect("the endless reply was still being read after 60 s")
    .expect("the reply ends without an error");
    assert!(end.over_limit, "{end:?}");
    assert!(!end.cancelled && !end.possibly_truncated, "{end:?}");
    // Every whole event before the cap is kept: at least the cap less one event of wire bytes.
    let pieces = text.len() / PIECE.len();
    let min_pieces = cap / content_event(PIECE).len() - 1;
    assert!(pieces >= min_pieces, "{pieces} pieces, want {min_pieces}");
    assert!(text.len() <= cap);
    assert_eq!(text, PIECE.repeat(pieces), "whole pieces only");
}

/// `PieceSink` with a record of how far the network got ahead of the consumer.
struct Watched {
    inner: PieceSink,
    /// Most pieces ever held back from the full channel.
    most_waiting: Arc<AtomicUsize>,
    /// Told when the reader has to wait for the consumer.
    blocked: Arc<Notify>,
    /// Pieces the consumer must take for the reader to go on.
    owed: Arc<AtomicUsize>,
    /// A sender on the channel, to see how full it is.
    probe: mpsc::Sender<Action>,
}

impl ReplySink for Watched {
    fn event(&mut self, ev: StreamEvent) {
        self.inner.event(ev);
        self.most_waiting
            .fetch_max(self.inner.waiting(), Ordering::SeqCst);
    }

    fn room(&mut self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        if self.inner.waiting() > 0 {
            let queued = self.probe.max_capacity() - self.probe.capacity();
            self.owed
                .store(self.inner.waiting() + queued, Ordering::SeqCst);
            self.blocked.notify_one();
        }
        self.inner.room()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_waits_for_a_consumer_that_does_not_take_pieces() {
    let server = endless_server();
    let cap = 1024 * 1024;
    let client = Client::new().expect("client").with_reply_cap(cap);
    let (tx, mut rx) = mpsc::channel::<Action>(8);
    let most_waiting = Arc::new(AtomicUsize::new(0));
    let blocked = Arc::new(Notify::new());
    let owed = Arc::new(AtomicUsize::new(0));
    let mut sink = Watched {
        inner: PieceSink::new(1, tx.clone()),
        most_waiting: most_waiting.clone(),
        blocked: blocked.clone(),
        owed: owed.clone(),
        probe: tx,
    };
    // The consumer takes pieces only once the reader has had to wait for it: a reader that
    // never waits leaves them all piling up.
    let taken = Arc::new(AtomicUsize::new(0));
    let consumer = {
        let taken = taken.clone();
        tokio::spawn(async move {
            loop {
                blocked.notified().await;
                for _ in 0..owed.swap(0, Ordering::SeqCst) {
                    match rx.recv().await {
                        None
                        | Some(Action::Stream {
                            msg: StreamMsg::End(_),
                            ..
                        }) => return,
                        Some(_) => {
                            taken.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            }
        })
    };
    let end = tokio::time::timeout(
        HANG,
        client.chat(
            &endpoint(&server),
            &request("gpt-4o", true),
            &mut sink,
            &CancellationToken::new(),
        ),
    )
    .await
    .expect("the endless reply was still being read after 60 s")
    .expect("the reply ends without an error");
    assert!(end.over_limit, "{end:?}");
    let most = most_waiting.load(Ordering::SeqCst);
    let total = cap / content_event(PIECE).len();
    assert!(
        most <= PER_WRITE,
        "{most} pieces held back at once (of ~{total}): the reader did not wait"
    );
    assert!(
        taken.load(Ordering::SeqCst) > 0,
        "the reader never had to wait"
    );
    consumer.abort();
}
