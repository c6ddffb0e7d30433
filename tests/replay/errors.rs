//! Error scenarios: status codes, HTML pages, 200-with-error bodies, retries, timeouts, cancel.

use std::time::Duration;

use ecochat::api::ApiError;

use super::support::chat::{self, KEY_ENV, TEST_KEY, endpoint, request};
use super::support::{MockServer, REQUEST_ID, Reply, scenarios};
use super::{M1, check, ep_with};

/// Replays `replies` for model "m" with `retries`; returns the outcome and the request count.
async fn replay_retrying(
    replies: Vec<Reply>,
    retries: u32,
    stream: bool,
) -> (chat::Outcome, usize) {
    let server = MockServer::start();
    server.on_model("m", replies);
    let ep = ep_with(&server, retries, Duration::from_secs(10));
    let out = chat::chat(&ep, &request("m", stream)).await;
    (out, server.request_count())
}

#[tokio::test]
async fn m6_html_502_names_the_status_not_the_html() {
    let (out, _) = replay_retrying(vec![scenarios::m6_html502()], 0, true).await;
    assert!(
        matches!(out.error(), Some(ApiError::Html { status: 502, .. })),
        "{:?}",
        out.error()
    );
    let msg = out.message();
    assert!(msg.starts_with("502 Bad Gateway from 127.0.0.1"), "{msg}");
    assert!(
        !msg.contains('<') && !msg.contains("nginx</center>"),
        "{msg}"
    );
}

#[tokio::test]
async fn m6_html_502_is_retried_before_the_first_byte() {
    let (out, count) =
        replay_retrying(vec![scenarios::m6_html502(), scenarios::m1()], 1, true).await;
    check("502 then ok", &out, M1);
    assert_eq!(count, 2);
}

#[tokio::test]
async fn a_retry_sends_the_same_body_again() {
    let server = MockServer::start();
    server.on_model("m", vec![scenarios::m6_html502(), scenarios::m1()]);
    let ep = ep_with(&server, 1, Duration::from_secs(10));
    let out = chat::chat(&ep, &request("m", true)).await;
    check("502 then ok", &out, M1);
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(
        seen[0].json()["messages"].is_array(),
        "a whole body the first time"
    );
    assert_eq!(seen[0].body, seen[1].body, "the retry's body");
    for r in &seen {
        assert!(
            r.header("content-type")
                .is_some_and(|v| v.starts_with("application/json")),
            "content type on every attempt"
        );
    }
}

#[tokio::test]
async fn m6_spa_page_means_wrong_base_url() {
    let server = MockServer::start();
    let ep = ecochat::api::client::Endpoint {
        base_url: server.origin().to_string(),
        ..endpoint(&server)
    };
    let out = chat::chat(&ep, &request("gpt-4o", true)).await;
    assert!(
        matches!(out.error(), Some(ApiError::Html { status: 200, .. })),
        "{:?}",
        out.error()
    );
    assert!(
        out.message().contains("check the base URL"),
        "{}",
        out.message()
    );
    assert_eq!(
        server.last_request().expect("request").path,
        "/chat/completions"
    );
}

#[tokio::test]
async fn m6_cloudflare_524() {
    let (out, _) = replay_retrying(vec![scenarios::m6_cf524()], 0, false).await;
    let msg = out.message();
    assert!(
        matches!(out.error(), Some(ApiError::Html { status: 524, .. })),
        "{msg}"
    );
    assert!(
        msg.contains("524") && msg.contains("A timeout occurred"),
        "{msg}"
    );
    assert!(!msg.contains('<'), "{msg}");
}

#[tokio::test]
async fn m7_errors_inside_200_bodies() {
    let cases = [
        (scenarios::m7a(), "[请求kimi失败]: 用户未登录或登录已过期"),
        (
            scenarios::m7b(),
            "输入内容审核不通过，涉嫌违规，请重新调整输入内容",
        ),
        (scenarios::m7c(), "login fail"),
    ];
    for (reply, text) in cases {
        for stream in [false, true] {
            let (out, _) = replay_retrying(vec![reply.clone()], 0, stream).await;
            assert!(
                matches!(out.error(), Some(ApiError::Body { .. })),
                "{text} stream={stream}: {:?}",
                out.result
            );
            let msg = out.message();
            assert!(msg.starts_with("127.0.0.1") && msg.contains(text), "{msg}");
            assert_eq!(out.content, "");
        }
    }
}

#[tokio::test]
async fn m8_401_names_the_key_source_and_is_not_retried() {
    let (out, count) = replay_retrying(vec![scenarios::m8_401()], 2, true).await;
    assert!(
        matches!(out.error(), Some(ApiError::Auth { status: 401, .. })),
        "{:?}",
        out.error()
    );
    let msg = out.message();
    assert!(msg.starts_with("401 from 127.0.0.1"), "{msg}");
    assert!(
        msg.contains("无效的令牌") && msg.contains(REQUEST_ID),
        "{msg}"
    );
    assert!(msg.contains(KEY_ENV), "{msg}");
    assert!(!msg.contains(TEST_KEY));
    assert_eq!(count, 1);
}

#[tokio::test]
async fn m8_403_quota() {
    let (out, count) = replay_retrying(vec![scenarios::m8_403()], 2, true).await;
    let msg = out.message();
    assert!(
        msg.starts_with("403 from 127.0.0.1") && msg.contains("user quota is not enough"),
        "{msg}"
    );
    assert_eq!(count, 1);
}

#[tokio::test]
async fn m8_429_then_success_returns_the_success() {
    let (out, count) = replay_retrying(vec![scenarios::http_429(), scenarios::m1()], 2, true).await;
    check("429 then ok", &out, M1);
    assert_eq!(count, 2);
}

#[tokio::test]
async fn m8_429_every_time_gives_up_after_the_retries() {
    let (out, count) = replay_retrying(vec![scenarios::http_429()], 1, true).await;
    assert!(
        matches!(out.error(), Some(ApiError::Status { status: 429, .. })),
        "{:?}",
        out.error()
    );
    assert!(
        out.message().contains("当前分组上游负载已饱和，请稍后再试"),
        "{}",
        out.message()
    );
    assert_eq!(count, 2);
}

#[tokio::test]
async fn m8_503_500_404_messages() {
    let (out, _) = replay_retrying(vec![scenarios::m8_503()], 0, true).await;
    assert!(
        out.message().starts_with("503 from 127.0.0.1"),
        "{}",
        out.message()
    );
    assert!(
        out.message()
            .contains("当前分组 default 下对于模型 gpt-5-ultra 无可用渠道")
    );

    let (out, count) = replay_retrying(vec![scenarios::m8_500()], 1, true).await;
    assert!(
        out.message().contains("请求上游地址失败"),
        "{}",
        out.message()
    );
    assert_eq!(count, 2, "500 is retried once");

    let (out, _) = replay_retrying(vec![scenarios::m8_404()], 0, true).await;
    assert!(
        matches!(out.error(), Some(ApiError::Status { status: 404, .. })),
        "{:?}",
        out.error()
    );
    assert!(
        out.message()
            .contains("Invalid URL (POST /v1/chat/completion)"),
        "{}",
        out.message()
    );
}

#[tokio::test]
async fn no_retry_after_the_first_byte() {
    let (out, count) =
        replay_retrying(vec![scenarios::m5_abrupt(), scenarios::m1()], 2, true).await;
    assert!(
        matches!(out.error(), Some(ApiError::Interrupted { .. })),
        "{:?}",
        out.error()
    );
    assert_eq!(out.content, "我先解释一下原因：");
    assert_eq!(count, 1);
}

#[tokio::test]
async fn idle_timeout_after_the_first_chunk() {
    let server = MockServer::start();
    server.on_model("m", vec![scenarios::idle_after_first_chunk()]);
    let ep = ep_with(&server, 0, Duration::from_millis(300));
    let out = chat::chat(&ep, &request("m", true)).await;
    assert_eq!(out.content, "你好");
    assert!(
        matches!(out.error(), Some(ApiError::Timeout { .. })),
        "{:?}",
        out.error()
    );
    assert!(out.message().starts_with("127.0.0.1"), "{}", out.message());
    assert!(out.elapsed < Duration::from_secs(5), "{:?}", out.elapsed);
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn idle_timeout_when_nothing_ever_arrives() {
    let server = MockServer::start();
    server.on_model("m", vec![scenarios::never_answers()]);
    let ep = ecochat::api::client::Endpoint {
        connect_timeout: Duration::from_secs(1),
        ..ep_with(&server, 0, Duration::from_millis(300))
    };
    let out = chat::chat(&ep, &request("m", true)).await;
    assert!(
        matches!(out.error(), Some(ApiError::Timeout { .. })),
        "{:?}",
        out.error()
    );
    // The wait for the status line may allow connect + idle time, but no more.
    assert!(out.elapsed < Duration::from_secs(3), "{:?}", out.elapsed);
    assert!(
        out.elapsed >= Duration::from_millis(300),
        "{:?}",
        out.elapsed
    );
    assert!(out.events.is_empty());
}

#[tokio::test]
async fn cancel_stops_reading_at_once() {
    let server = MockServer::start();
    server.on_model(
        "m",
        vec![scenarios::slow_stream(50, Duration::from_millis(100))],
    );
    let out = chat::chat_cancel_after_first_content(&endpoint(&server), &request("m", true)).await;
    let end = out
        .result
        .as_ref()
        .expect("a cancelled reply is not an error");
    assert!(end.cancelled);
    assert_eq!(
        out.content,
        scenarios::piece(0),
        "nothing read after the cancel"
    );
    assert!(out.elapsed < Duration::from_secs(2), "{:?}", out.elapsed);
    // The socket is closed, so the server stops writing too.
    for _ in 0..200 {
        if server.open_connections() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the client kept the connection open after cancelling");
}

#[tokio::test]
async fn connection_refused() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let server = MockServer::start();
    let ep = ecochat::api::client::Endpoint {
        base_url: format!("http://127.0.0.1:{port}/v1"),
        ..endpoint(&server)
    };
    let out = chat::chat(&ep, &request("m", true)).await;
    assert!(
        matches!(out.error(), Some(ApiError::Connect { .. })),
        "{:?}",
        out.error()
    );
    assert!(
        out.message().starts_with("cannot connect to 127.0.0.1"),
        "{}",
        out.message()
    );
}
