//! Attachments on the wire, against the mock: the parts exactly as sent, text-only messages
//! as strings, placeholders for a model that takes no images, and a refused large request.

mod support;

use std::io::Cursor;

use base64::Engine;
use ecochat::attach::{self, Attachment, Limits};
use ecochat::chat::{Conversation, Role};
use ecochat::config::{ModelSpec, Provider};
use ecochat::providers::Target;
use serde_json::{Value, json};
use support::chat::{chat, endpoint};
use support::{MockServer, Reply};

fn png_bytes() -> Vec<u8> {
    let picture = image::DynamicImage::ImageRgb8(image::RgbImage::new(4, 3));
    let mut out = Cursor::new(Vec::new());
    picture
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

fn picture() -> Attachment {
    attach::classify("cat.png", "cat.png".into(), png_bytes(), Limits::default()).expect("image")
}

fn notes() -> Attachment {
    attach::classify(
        "notes.md",
        "notes.md".into(),
        b"- a\n".to_vec(),
        Limits::default(),
    )
    .expect("text")
}

fn target(server: &MockServer, model: &str) -> Target {
    Target {
        provider: Provider::new("mock", Some(server.base_url())),
        model: ModelSpec::new(model),
    }
}

/// Sends `conv` to `model` on a fresh mock and returns the messages it received.
async fn sent(conv: &Conversation, model: &str) -> Vec<Value> {
    let server = MockServer::start();
    let request = target(&server, model).request(conv.wire_history(), false);
    let outcome = chat(&endpoint(&server), &request).await;
    assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    let body = server.last_request().expect("a request").json();
    body["messages"].as_array().expect("messages").clone()
}

fn with_attachments(conv: &mut Conversation, text: &str, attachments: Vec<Attachment>) {
    let id = conv.push(Role::User, text, chrono::Local::now());
    conv.get_mut(id).expect("just pushed").attach(attachments);
}

#[tokio::test]
async fn the_request_carries_the_text_part_first_then_the_image() {
    let mut conv = Conversation::default();
    conv.push(Role::User, "hi", chrono::Local::now());
    conv.push(Role::Assistant, "hello", chrono::Local::now());
    with_attachments(&mut conv, "这是什么？", vec![picture(), notes()]);
    let b64 = base64::engine::general_purpose::STANDARD.encode(png_bytes());
    assert_eq!(
        sent(&conv, "gpt-4o").await,
        [
            json!({"role": "user", "content": "hi"}),
            json!({"role": "assistant", "content": "hello"}),
            json!({"role": "user", "content": [
                {"type": "text", "text": "这是什么？\n\nnotes.md:\n```md\n- a\n```"},
                {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{b64}")}},
            ]}),
        ]
    );
}

#[tokio::test]
async fn a_text_file_alone_keeps_string_content() {
    let mut conv = Conversation::default();
    with_attachments(&mut conv, "summarise", vec![notes()]);
    assert_eq!(
        sent(&conv, "deepseek-chat").await,
        [json!({"role": "user", "content": "summarise\n\nnotes.md:\n```md\n- a\n```"})]
    );
}

#[tokio::test]
async fn a_model_without_vision_gets_a_placeholder_for_an_earlier_image() {
    let mut conv = Conversation::default();
    with_attachments(&mut conv, "look", vec![picture()]);
    conv.push(Role::Assistant, "a black picture", chrono::Local::now());
    conv.push(Role::User, "now in words", chrono::Local::now());
    let messages = sent(&conv, "deepseek-chat").await;
    assert_eq!(
        messages[0],
        json!({"role": "user", "content": "look\n[image omitted]"})
    );
    assert!(
        messages.iter().all(|m| m["content"].is_string()),
        "{messages:?}"
    );
    // A vision model gets the image again.
    let messages = sent(&conv, "gpt-4o").await;
    assert!(messages[0]["content"].is_array(), "{messages:?}");
}

#[tokio::test]
async fn a_413_page_from_a_proxy_names_the_request_size() {
    let server = MockServer::start();
    server.on_model(
        "gpt-4o",
        vec![Reply::html(
            413,
            "text/html",
            b"<html><head><title>413 Request Entity Too Large</title></head></html>",
        )],
    );
    let big = attach::classify(
        "big.txt",
        "big.txt".into(),
        "字".repeat(300_000).into_bytes(),
        Limits::default(),
    )
    .expect("text");
    let mut conv = Conversation::default();
    with_attachments(&mut conv, "read this", vec![big]);
    let request = target(&server, "gpt-4o").request(conv.wire_history(), false);
    let outcome = chat(&endpoint(&server), &request).await;
    let err = outcome.result.expect_err("refused").to_string();
    assert!(
        err.starts_with(&format!(
            "413 from {}: the relay refused a request of 0.9 MB",
            server.addr().ip()
        )),
        "{err}"
    );
}
