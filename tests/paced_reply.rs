//! A reply streamed at a pace (a chunk every 2 ms, a fast model) through `Client::chat`: it
//! arrives whole and in order, cancelling still ends it, and a dropped connection keeps what
//! came. On a runtime shaped like the binary's: one thread (`#[tokio::test]` is current-thread).

mod support;

use std::time::Duration;

use ecochat::api::client::{Client, Endpoint};
use ecochat::api::{ApiError, StreamEvent};
use support::chat::{endpoint, request};
use support::{MockServer, scenarios};
use tokio_util::sync::CancellationToken;

const PACE: Duration = Duration::from_millis(2);
/// The test endpoint's silence limit.
const IDLE: Duration = Duration::from_secs(10);

/// The content pieces of a reply, in order, and how `chat` ended.
struct Got {
    pieces: Vec<String>,
    end: Result<ecochat::api::client::ReplyEnd, ApiError>,
}

/// Streams `reply` through the client; `first_piece` is told of the first content piece.
async fn stream(
    reply: support::Reply,
    idle: Duration,
    cancel: &CancellationToken,
    first_piece: Option<tokio::sync::oneshot::Sender<()>>,
) -> Got {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = MockServer::start();
    server.on_model("m", vec![reply]);
    let client = Client::new().expect("client");
    let ep = Endpoint {
        idle_timeout: idle,
        ..endpoint(&server)
    };
    let mut pieces = Vec::new();
    let mut first_piece = first_piece;
    let mut sink = |ev: StreamEvent| {
        if let StreamEvent::Content(t) = ev {
            if let Some(tell) = first_piece.take() {
                let _ = tell.send(());
            }
            pieces.push(t);
        }
    };
    // A reply that never ends must fail the test, not stall the suite.
    let end = tokio::time::timeout(
        Duration::from_secs(60),
        client.chat(&ep, &request("m", true), &mut sink, cancel),
    )
    .await
    .expect("Client::chat did not return within 60 s");
    Got { pieces, end }
}

#[tokio::test]
async fn a_paced_reply_arrives_whole_and_in_order() {
    let n = 400;
    let got = stream(
        scenarios::slow_stream(n, PACE),
        IDLE,
        &CancellationToken::new(),
        None,
    )
    .await;
    let end = got.end.expect("a clean end");
    assert_eq!(end.finish_reason.as_deref(), Some("stop"));
    assert!(!end.possibly_truncated && !end.cancelled);
    assert!(end.usage.is_some());
    let want: Vec<String> = (0..n).map(scenarios::piece).collect();
    assert_eq!(got.pieces, want, "every piece, once, in order");
}

#[tokio::test]
async fn cancelling_a_paced_reply_ends_it_and_keeps_what_came() {
    let n = 2000;
    let cancel = CancellationToken::new();
    let (tell, told) = tokio::sync::oneshot::channel();
    // Cancelled from another task, as the event loop does on Esc: the reader is then between
    // reads, waiting on the network or pausing.
    let canceller = cancel.clone();
    tokio::spawn(async move {
        let _ = told.await;
        canceller.cancel();
    });
    let got = stream(scenarios::slow_stream(n, PACE), IDLE, &cancel, Some(tell)).await;
    let end = got.end.expect("a cancelled reply is no error");
    assert!(end.cancelled, "{end:?}");
    assert!(end.finish_reason.is_none());
    assert!(
        !got.pieces.is_empty() && got.pieces.len() < n,
        "{} pieces",
        got.pieces.len()
    );
    let want: Vec<String> = (0..got.pieces.len()).map(scenarios::piece).collect();
    assert_eq!(got.pieces, want, "the start of the reply, in order");
}

#[tokio::test]
async fn a_paced_reply_cut_off_keeps_every_piece_that_came() {
    let n = 100;
    let mut reply = scenarios::slow_stream(n, PACE);
    // The role chunk and the content chunks, then the connection drops: no stop, usage, [DONE].
    reply.body.truncate(n + 1);
    let got = stream(reply.close(), IDLE, &CancellationToken::new(), None).await;
    assert!(
        matches!(got.end, Err(ApiError::Interrupted { .. })),
        "{:?}",
        got.end
    );
    let want: Vec<String> = (0..n).map(scenarios::piece).collect();
    assert_eq!(got.pieces, want);
}

#[tokio::test]
async fn a_reply_longer_than_the_idle_limit_is_no_timeout_while_chunks_come() {
    // 30 chunks 50 ms apart: 1.5 s of reply under a 1 s limit on silence.
    let n = 30;
    let got = stream(
        scenarios::slow_stream(n, Duration::from_millis(50)),
        Duration::from_secs(1),
        &CancellationToken::new(),
        None,
    )
    .await;
    let end = got.end.expect("no timeout");
    assert_eq!(end.finish_reason.as_deref(), Some("stop"));
    let want: Vec<String> = (0..n).map(scenarios::piece).collect();
    assert_eq!(got.pieces, want);
}
