//! Failed turns against the mock, through `update` and the real client: after a 502 page, a
//! 200 carrying an error, a 429 and a dropped connection, the next request carries none of the
//! four failed prompts, and never two user messages in a row.

mod support;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use ecochat::api::client::Client;
use ecochat::app::{Action, App, Effect, StreamMsg, update};
use ecochat::chat::Status;
use ecochat::config::{ModelSpec, Provider};
use ecochat::providers::{self, Target};
use ecochat::view::theme::Theme;
use support::{MockServer, Reply};

const MODEL: &str = "deepseek-reasoner";

fn reply_with(text: &str) -> Reply {
    let chunk = json!({"choices":[{"index":0,"delta":{"content":text},"finish_reason":null}]});
    let stop = json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]});
    Reply::sse(format!("data: {chunk}\n\ndata: {stop}\n\ndata: [DONE]\n\n").as_bytes())
}

/// Types `prompt`, sends it and runs the reply to its end with the real client.
async fn ask(app: &mut App, client: &Client, prompt: &str) {
    for c in prompt.chars() {
        update(
            app,
            Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            Instant::now(),
        );
    }
    let fx = update(
        app,
        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        Instant::now(),
    );
    let Some(Effect::StartReply {
        reply_id,
        target,
        history,
    }) = fx
        .into_iter()
        .find(|e| matches!(e, Effect::StartReply { .. }))
    else {
        panic!("no reply started for {prompt}")
    };
    let mut events = Vec::new();
    let end = tokio::time::timeout(
        Duration::from_secs(20),
        providers::chat(
            client,
            &target,
            history,
            false,
            &mut |e| events.push(e),
            &CancellationToken::new(),
        ),
    )
    .await
    .expect("the reply ends");
    for e in events {
        update(
            app,
            Action::Stream {
                id: reply_id,
                msg: StreamMsg::Event(e),
            },
            Instant::now(),
        );
    }
    update(
        app,
        Action::Stream {
            id: reply_id,
            msg: StreamMsg::End(end),
        },
        Instant::now(),
    );
}

fn roles_and_texts(body: &Value) -> Vec<(String, String)> {
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap().to_string(),
                m["content"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_failed_requests_are_not_resent_as_consecutive_user_messages() {
    let server = MockServer::start();
    server.on_model(
        MODEL,
        vec![
            reply_with("好的。"),
            Reply::html(
                502,
                "text/html",
                b"<html><head><title>502 Bad Gateway</title></head></html>",
            ),
            Reply::json(
                200,
                br#"{"error":{"message":"upstream overloaded","type":"new_api_error"}}"#,
            ),
            Reply::json(429, br#"{"error":{"message":"rate limit"}}"#),
            Reply::new(200).close_before_head(),
            reply_with("第五个回答"),
            reply_with("第六个回答"),
        ],
    );
    let mut provider = Provider::new("relay", Some(server.base_url())).with_api_key("sk-x");
    // Each fault is one failed turn, not a retry eating the next queued answer.
    provider.max_retries = 0;
    let target = Target {
        provider,
        model: ModelSpec::new(MODEL),
    };
    let mut app = App::new(
        target,
        Theme::default(),
        Rect::new(0, 0, 80, 24),
        Instant::now(),
    );
    let client = Client::new().unwrap();
    for prompt in ["q0", "q1", "q2", "q3", "q4", "q5", "q6"] {
        ask(&mut app, &client, prompt).await;
    }
    let failed = app
        .conv
        .messages()
        .iter()
        .filter(|m| matches!(m.status, Status::Failed(_)))
        .count();
    assert_eq!(failed, 4, "{:#?}", app.conv.messages());
    let bodies: Vec<Value> = server
        .requests()
        .iter()
        .filter(|r| r.path_only() == "/v1/chat/completions")
        .map(|r| r.json())
        .collect();
    assert_eq!(bodies.len(), 7);
    for body in &bodies {
        let wire = roles_and_texts(body);
        for pair in wire.windows(2) {
            assert!(
                !(pair[0].0 == "user" && pair[1].0 == "user"),
                "two user messages in a row: {wire:?}"
            );
        }
    }
    let s = |r: &str, t: &str| (r.to_string(), t.to_string());
    assert_eq!(
        roles_and_texts(&bodies[6]),
        [
            s("user", "q0"),
            s("assistant", "好的。"),
            s("user", "q5"),
            s("assistant", "第五个回答"),
            s("user", "q6"),
        ]
    );
}
