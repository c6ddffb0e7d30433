//! Checks the mock server itself with a raw TCP client: routing, recording, framing, write modes.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use support::raw::{RawConn, chat, exchange, request};
use support::{MockServer, REQUEST_ID, scenarios};

#[test]
fn routes_by_model_and_defaults_to_m1() {
    let server = MockServer::start();
    server.on_model("deepseek-reasoner", vec![scenarios::m2()]);
    let (r2, _) = exchange(&server, &chat("deepseek-reasoner"));
    assert_eq!(r2.status, 200);
    assert_eq!(r2.body, scenarios::m2().body_bytes());
    assert!(r2.text().contains("reasoning_content"));
    let (r1, _) = exchange(&server, &chat("some-other-model"));
    assert_eq!(r1.body, scenarios::m1().body_bytes());
    assert!(r1.text().starts_with(": PING\n\n"));
}

#[test]
fn records_method_path_headers_and_body() {
    let server = MockServer::start();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert!(server.base_url().ends_with("/v1"));
    assert_eq!(
        server.url("/img/cat.png"),
        format!("http://127.0.0.1:{}/img/cat.png", server.port())
    );
    exchange(&server, &chat("gpt-4o"));
    exchange(
        &server,
        &request("GET", "/elsewhere?x=1", &["X-Custom: yes"], ""),
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let chat_req = &reqs[0];
    assert_eq!(chat_req.method, "POST");
    assert_eq!(chat_req.path, "/v1/chat/completions");
    assert_eq!(chat_req.header("AUTHORIZATION"), Some("Bearer sk-test"));
    assert_eq!(chat_req.header("accept"), Some("text/event-stream"));
    assert_eq!(chat_req.json()["model"], "gpt-4o");
    assert_eq!(chat_req.json()["messages"][0]["content"], "你好");
    let last = server.last_request().expect("a request");
    assert_eq!(last.method, "GET");
    assert_eq!(last.path, "/elsewhere?x=1");
    assert_eq!(last.path_only(), "/elsewhere");
    assert_eq!(last.header("x-custom"), Some("yes"));
    assert!(last.body.is_empty());
}

#[test]
fn decodes_chunked_request_bodies() {
    let server = MockServer::start();
    let mut req =
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    req.extend_from_slice(b"5\r\n{\"mod\r\nd\r\nel\":\"chunky\"}\r\n0\r\n\r\n");
    exchange(&server, &req);
    assert_eq!(
        server.last_request().expect("request").json()["model"],
        "chunky"
    );
}

#[test]
fn sse_replies_use_new_api_headers_and_one_chunk_per_event() {
    let server = MockServer::start();
    let (resp, _) = exchange(&server, &chat("gpt-4o"));
    assert_eq!(resp.header("content-type"), Some("text/event-stream"));
    assert_eq!(resp.header("cache-control"), Some("no-cache"));
    assert_eq!(resp.header("x-accel-buffering"), Some("no"));
    assert_eq!(resp.header("x-oneapi-request-id"), Some(REQUEST_ID));
    assert_eq!(resp.header("content-length"), None);
    assert!(resp.complete, "terminating chunk expected");
    let events = support::reply::split_events(&scenarios::m1().body_bytes());
    assert_eq!(events.len(), 7, "PING, 5 chunks, DONE");
    assert_eq!(resp.chunks, events.iter().map(Vec::len).collect::<Vec<_>>());
}

#[test]
fn json_and_html_replies_use_content_length() {
    let server = MockServer::start();
    server.on_model("gpt-4o-all", vec![scenarios::m3()]);
    server.on_model("broken", vec![scenarios::m6_html502()]);
    let (json, _) = exchange(&server, &chat("gpt-4o-all"));
    assert_eq!(json.status, 200);
    assert_eq!(
        json.header("content-length"),
        Some(json.body.len().to_string().as_str())
    );
    let v: serde_json::Value = serde_json::from_slice(&json.body).expect("json");
    assert!(
        v["choices"][0]["message"]["content"]
            .as_str()
            .expect("content")
            .contains("[下载1]")
    );
    let (html, _) = exchange(&server, &chat("broken"));
    assert_eq!(html.status, 502);
    assert_eq!(html.header("content-length"), Some("150"));
    assert!(html.text().contains("<title>502 Bad Gateway</title>"));
}

#[test]
fn built_in_routes_models_images_png_404_and_spa() {
    let server = MockServer::start();
    let (models, _) = exchange(&server, &request("GET", "/v1/models", &[], ""));
    let v: serde_json::Value = serde_json::from_slice(&models.body).expect("json");
    let ids: Vec<&str> = v["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(ids, ["gpt-4o", "gpt-4o-all", "deepseek-reasoner"]);

    let (images, _) = exchange(
        &server,
        &request("POST", "/v1/images/generations", &[], r#"{"prompt":"cat"}"#),
    );
    let v: serde_json::Value = serde_json::from_slice(&images.body).expect("json");
    let url = v["data"][0]["url"].as_str().expect("url");
    assert_eq!(url, server.url("/img/cat.png"));

    let path = url.trim_start_matches(server.origin());
    let (png, _) = exchange(&server, &request("GET", path, &[], ""));
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert!(png.body.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(&png.body[16..24], &[0, 0, 0, 64, 0, 0, 0, 48], "64x48 IHDR");

    let (missing, _) = exchange(&server, &request("POST", "/v1/chat/completion", &[], "{}"));
    assert_eq!(missing.status, 404);
    assert!(
        missing
            .text()
            .contains("Invalid URL (POST /v1/chat/completion)")
    );

    let (spa, _) = exchange(&server, &request("POST", "/chat/completions", &[], "{}"));
    assert_eq!(spa.status, 200);
    assert!(
        spa.header("content-type")
            .expect("ctype")
            .starts_with("text/html")
    );
    assert!(spa.text().contains("<title>New API</title>"));
    assert_eq!(server.request_count(), 5);
}

#[test]
fn on_path_overrides_built_ins() {
    let server = MockServer::start();
    server.on_path("get", "/v1/models", vec![scenarios::m7d()]);
    let (resp, _) = exchange(&server, &request("GET", "/v1/models?page=1", &[], ""));
    assert_eq!(
        resp.text(),
        r#"{"success":false,"message":"get user group failed"}"#
    );
}

#[test]
fn queue_serves_in_order_and_repeats_the_last() {
    let server = MockServer::start();
    server.on_model("gpt-4o", vec![scenarios::http_429(), scenarios::m1()]);
    let mut conn = RawConn::open(server.addr());
    conn.send(&chat("gpt-4o"));
    let first = conn.read_response();
    assert_eq!(first.status, 429);
    assert!(first.text().contains("当前分组上游负载已饱和"));
    // Same connection: keep-alive works after a Content-Length reply and after a chunked one.
    conn.send(&chat("gpt-4o"));
    assert_eq!(conn.read_response().status, 200);
    conn.send(&chat("gpt-4o"));
    let third = conn.read_response();
    assert_eq!(third.status, 200);
    assert_eq!(third.body, scenarios::m1().body_bytes());
    assert_eq!(server.request_count(), 3);
}

#[test]
fn close_drops_the_socket_mid_body() {
    let server = MockServer::start();
    server.on_model("gpt-4o", vec![scenarios::m5_abrupt()]);
    let mut conn = RawConn::open(server.addr());
    conn.send(&chat("gpt-4o"));
    let resp = conn.read_response();
    assert_eq!(resp.status, 200);
    assert!(!resp.complete, "no terminating chunk after Close");
    assert!(conn.eof);
    assert_eq!(resp.chunks.len(), 2);
    assert!(resp.text().contains("一下原因："));
}

#[test]
fn odd_writes_arrive_as_separate_reads() {
    let server = MockServer::start();
    server.on_model("gpt-4o", vec![scenarios::m1().odd_writes()]);
    let (resp, reads) = exchange(&server, &chat("gpt-4o"));
    assert_eq!(resp.body, scenarios::m1().body_bytes());
    let expected: Vec<usize> = (0..resp.chunks.len() - 1)
        .map(|k| 1 + 6 * (k % 11))
        .collect();
    assert_eq!(&resp.chunks[..expected.len()], expected.as_slice());
    // Pieces are 2 ms apart; even on a loaded machine most of them must be read on their own.
    assert!(
        reads * 2 > resp.chunks.len(),
        "{reads} reads for {} pieces",
        resp.chunks.len()
    );
}

#[test]
fn one_byte_writes_and_coalesced() {
    let server = MockServer::start();
    server.on_model("one", vec![scenarios::m2().one_byte_writes()]);
    server.on_model("all", vec![scenarios::m2().coalesced()]);
    let (one, _) = exchange(&server, &chat("one"));
    assert_eq!(one.body, scenarios::m2().body_bytes());
    assert!(one.chunks.iter().all(|&n| n == 1));
    let (all, _) = exchange(&server, &chat("all"));
    assert_eq!(all.body, scenarios::m2().body_bytes());
    assert_eq!(all.chunks.len(), 1);
}

#[test]
fn split_utf8_cuts_inside_a_cjk_character() {
    let server = MockServer::start();
    server.on_model("gpt-4o", vec![scenarios::m1().split_utf8()]);
    let (resp, _) = exchange(&server, &chat("gpt-4o"));
    assert_eq!(resp.body, scenarios::m1().body_bytes());
    let mut offset = 0;
    let mut inside = 0;
    for &n in &resp.chunks {
        offset += n;
        if std::str::from_utf8(&resp.body[..offset]).is_err() {
            inside += 1;
        }
    }
    // 你 好 ！ 有 什 么 可 以 帮 你 ？: every one is cut.
    assert_eq!(inside, 11);
}

#[test]
fn slow_spaces_events_out() {
    let server = MockServer::start();
    server.on_model(
        "gpt-4o",
        vec![scenarios::slow_stream(3, Duration::from_millis(60))],
    );
    let start = Instant::now();
    let (resp, _) = exchange(&server, &chat("gpt-4o"));
    let elapsed = start.elapsed();
    assert!(resp.text().contains(&scenarios::piece(2)));
    // role, 3 pieces, stop, usage, DONE: 6 gaps.
    assert!(elapsed >= Duration::from_millis(360), "took {elapsed:?}");
}

#[test]
fn hang_keeps_the_socket_open_until_the_client_leaves() {
    let server = MockServer::start();
    server.on_model("silent", vec![scenarios::never_answers()]);
    server.on_model("idle", vec![scenarios::idle_after_first_chunk()]);

    let mut silent = TcpStream::connect(server.addr()).expect("connect");
    silent.write_all(&chat("silent")).expect("write");
    silent
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    let mut byte = [0u8; 1];
    let err = silent.read(&mut byte).expect_err("nothing should arrive");
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err:?}"
    );

    let mut idle = RawConn::open(server.addr());
    idle.stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    idle.send(&chat("idle"));
    let head = idle.take_until(b"\r\n\r\n").expect("head");
    assert!(head.starts_with(b"HTTP/1.1 200 OK"));
    assert!(idle.take_until(b"[DONE]").is_none());
    assert!(
        idle.timed_out && !idle.eof,
        "the read must time out, not end"
    );
    assert!(String::from_utf8_lossy(&idle.buf).contains("你好"));

    assert!(server.wait_for_requests(2, Duration::from_secs(2)));
    assert_eq!(server.open_connections(), 2);
    drop(silent);
    drop(idle);
    assert!(server.wait_for_no_connections(Duration::from_secs(2)));
}

#[test]
fn drop_stops_the_server() {
    let server = MockServer::start();
    let addr = server.addr();
    let mut hanging = TcpStream::connect(addr).expect("connect");
    server.on_model("silent", vec![scenarios::never_answers()]);
    hanging.write_all(&chat("silent")).expect("write");
    assert!(server.wait_for_requests(1, Duration::from_secs(2)));
    drop(server);
    // The hanging connection is closed with the server.
    hanging
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let mut buf = [0u8; 16];
    let n = hanging.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0);
    assert!(TcpStream::connect(addr).is_err(), "listener must be gone");
}

#[test]
fn catalogue_payloads_match_their_descriptions() {
    // Variants derived in code must differ from M1 only in framing.
    let m1 = scenarios::m1().body_bytes();
    let crlf = scenarios::m1_crlf().body_bytes();
    assert_eq!(
        String::from_utf8(crlf)
            .expect("utf-8")
            .replace("\r\n", "\n")
            .as_bytes(),
        m1.as_slice()
    );
    let nospace = String::from_utf8(scenarios::m1_nospace().body_bytes()).expect("utf-8");
    assert!(!nospace.contains("data: ") && !nospace.contains("\n\n"));
    assert_eq!(nospace.matches("data:").count(), 6);
    // Every JSON data line of every SSE scenario parses.
    let streams = [
        scenarios::m1(),
        scenarios::m2(),
        scenarios::m2_both(),
        scenarios::m2_think(),
        scenarios::m4(),
        scenarios::m4_video(),
        scenarios::m4_fail(),
        scenarios::m5(),
        scenarios::m5_glm(),
        scenarios::m5_abrupt(),
        scenarios::m5_sensitive(),
        scenarios::m7e(),
        scenarios::m9_kimi(),
        scenarios::m9_spark(),
        scenarios::m9_xunfei(),
        scenarios::m9_kimi_search(),
        scenarios::metaso_citations(),
        scenarios::big_reply(3),
    ];
    for reply in streams {
        assert_eq!(
            reply.header_value("content-type"),
            Some("text/event-stream")
        );
        let text = String::from_utf8(reply.body_bytes()).expect("utf-8");
        for line in text.lines() {
            let Some(data) = line.strip_prefix("data:") else {
                continue;
            };
            let data = data.trim_start();
            if data != "[DONE]" {
                serde_json::from_str::<serde_json::Value>(data)
                    .unwrap_or_else(|e| panic!("{e}: {data}"));
            }
        }
    }
    assert_eq!(scenarios::m6_cf524().status, 524);
    assert!(
        scenarios::m5_abrupt()
            .body
            .ends_with(&[support::Step::Close])
    );
    assert!(matches!(
        scenarios::never_answers().before_head.as_slice(),
        [support::Step::Hang]
    ));
}

#[tokio::test]
async fn reqwest_sees_429_then_a_stream_in_several_pieces() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = MockServer::start();
    server.on_model(
        "gpt-4o",
        vec![scenarios::http_429(), scenarios::m1().odd_writes()],
    );
    let client = reqwest::Client::new();
    let url = format!("{}/chat/completions", server.base_url());
    let body = serde_json::json!({"model": "gpt-4o", "messages": [], "stream": true});
    let first = client
        .post(&url)
        .json(&body)
        .send()
        .await
        .expect("first send");
    assert_eq!(first.status().as_u16(), 429);
    assert!(
        first
            .text()
            .await
            .expect("429 body")
            .contains("bad_response_status_code")
    );
    let second = client
        .post(&url)
        .json(&body)
        .send()
        .await
        .expect("second send");
    assert_eq!(second.status().as_u16(), 200);
    let mut stream = second.bytes_stream();
    let mut pieces = 0;
    let mut collected = Vec::new();
    while let Some(bytes) = stream.next().await {
        collected.extend_from_slice(&bytes.expect("body piece"));
        pieces += 1;
    }
    assert_eq!(collected, scenarios::m1().body_bytes());
    assert!(pieces > 10, "only {pieces} pieces reached reqwest");
    assert_eq!(server.request_count(), 2);
}
