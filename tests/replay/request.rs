//! What the client sends: path, headers, body, parameters.

use std::collections::BTreeSet;

use ecochat::api::client::Endpoint;
use serde_json::json;

use super::support::chat::{self, TEST_KEY, endpoint, request};
use super::support::{MockServer, scenarios};

#[tokio::test]
async fn streaming_request_shape() {
    let server = MockServer::start();
    let mut req = request("deepseek-reasoner", true);
    req.params.insert("temperature".into(), json!(0.7));
    req.params.insert("top_k".into(), json!(5));
    req.params.insert("stop".into(), json!(["\n\n"]));
    server.on_model("deepseek-reasoner", vec![scenarios::m2()]);
    chat::chat(&endpoint(&server), &req).await.end();

    let seen = server.last_request().expect("request");
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/v1/chat/completions");
    assert_eq!(
        seen.header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    assert!(
        seen.header("content-type")
            .is_some_and(|v| v.starts_with("application/json"))
    );
    let body = seen.json();
    assert_eq!(body["model"], "deepseek-reasoner");
    assert_eq!(
        body["messages"],
        json!([
            {"role": "system", "content": "你是一个乐于助人的助手。"},
            {"role": "user", "content": "你好"}
        ])
    );
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"], json!({"include_usage": true}));
    assert_eq!(body["temperature"], 0.7);
    assert_eq!(body["top_k"], 5);
    assert_eq!(body["stop"], json!(["\n\n"]));
    let keys: BTreeSet<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let want: BTreeSet<&str> = [
        "model",
        "messages",
        "stream",
        "stream_options",
        "temperature",
        "top_k",
        "stop",
    ]
    .into();
    assert_eq!(keys, want, "only the parameters that are set");
}

#[tokio::test]
async fn non_streaming_request_shape() {
    let server = MockServer::start();
    server.on_model("gpt-4o-all", vec![scenarios::m3()]);
    chat::chat(&endpoint(&server), &request("gpt-4o-all", false))
        .await
        .end();
    let body = server.last_request().expect("request").json();
    assert_eq!(body["stream"], false);
    assert!(body.get("stream_options").is_none(), "{body}");
    assert!(body.get("temperature").is_none(), "{body}");
}

#[tokio::test]
async fn no_stream_options_when_usage_is_not_wanted() {
    let server = MockServer::start();
    let ep = Endpoint {
        include_usage: false,
        ..endpoint(&server)
    };
    chat::chat(&ep, &request("gpt-4o", true)).await.end();
    let body = server.last_request().expect("request").json();
    assert_eq!(body["stream"], true);
    assert!(body.get("stream_options").is_none(), "{body}");
}

#[tokio::test]
async fn no_authorization_without_a_key() {
    let server = MockServer::start();
    let ep = Endpoint {
        api_key: None,
        ..endpoint(&server)
    };
    chat::chat(&ep, &request("gpt-4o", true)).await.end();
    assert_eq!(
        server
            .last_request()
            .expect("request")
            .header("authorization"),
        None
    );
}

#[tokio::test]
async fn trailing_slash_in_base_url() {
    let server = MockServer::start();
    let ep = Endpoint {
        base_url: format!("{}/", server.base_url()),
        ..endpoint(&server)
    };
    chat::chat(&ep, &request("gpt-4o", true)).await.end();
    assert_eq!(
        server.last_request().expect("request").path,
        "/v1/chat/completions"
    );
}
