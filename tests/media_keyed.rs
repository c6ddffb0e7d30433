//! A video on the relay's own origin (`/v1/videos/{id}/content`, which wants the key) is saved
//! from the media panel with the provider's key; a link on any other origin (a second mock on
//! another port) never gets it.

#[path = "media_rig/mod.rs"]
mod media_rig;
mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use ecochat::app::{Action, Focus};
use ecochat::config::Provider;
use ecochat::media::MediaKind;
use media_rig::{Rig, reply_with};
use support::chat::TEST_KEY;
use support::{MockServer, Reply};

/// Submits a video task on `server` (the mock serves `/content` only for its own tasks).
async fn video_task(server: &MockServer) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let resp = reqwest::Client::new()
        .post(server.url("/v1/video/generations"))
        .bearer_auth(TEST_KEY)
        .json(&json!({"model": "runway-video", "prompt": "a corgi"}))
        .send()
        .await
        .expect("submit");
    let v: serde_json::Value = resp.json().await.expect("json");
    v["task_id"]
        .as_str()
        .or(v["data"]["task_id"].as_str())
        .or(v["id"].as_str())
        .unwrap_or_else(|| panic!("no task id in {v}"))
        .to_string()
}

fn key(rig: &mut Rig, c: char) {
    rig.apply(Action::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_goes_to_the_providers_origin_and_never_to_another_host() {
    let relay = MockServer::start();
    let other = MockServer::start();
    let id = video_task(&relay).await;
    let own = relay.url(&format!("/v1/videos/{id}/content"));
    let foreign = other.url("/v1/videos/elsewhere/content");
    other.on_path(
        "GET",
        "/v1/videos/elsewhere/content",
        vec![
            Reply::new(200)
                .header("Content-Type", "video/mp4")
                .write(b"other video"),
        ],
    );
    relay.on_model(
        "gpt-4o-all",
        vec![reply_with(&format!(
            "[video 1]({own})\n[video 2]({foreign})\n"
        ))],
    );
    let mut rig = Rig::new(&relay);
    let provider = Provider::new("mock", Some(relay.base_url())).with_api_key(TEST_KEY);
    rig.app.target.provider = provider.clone();
    rig.app.providers = vec![provider];
    rig.type_and_send("make a video");
    rig.run_until("both links", |app| app.media.newest_first().count() == 2)
        .await;
    assert!(
        rig.app
            .media
            .newest_first()
            .all(|i| i.link.kind == MediaKind::Video)
    );
    rig.app.focus = Focus::Media;
    // Newest first: the other host's link, then the relay's.
    for (url, host) in [(&foreign, &other), (&own, &relay)] {
        let selected = rig.app.media.selected_item().map(|i| i.link.url.clone());
        assert_eq!(selected.as_ref(), Some(url));
        key(&mut rig, 's');
        rig.run_until("the save", |app| {
            app.notice
                .as_ref()
                .is_some_and(|n| n.text.starts_with("saved ") || n.text.contains("failed"))
        })
        .await;
        let notice = rig.app.notice.clone().map(|n| n.text).unwrap_or_default();
        assert!(notice.starts_with("saved "), "{notice}");
        let path = notice.trim_start_matches("saved ");
        let saved = std::fs::read(path).expect("the saved file");
        assert!(!saved.is_empty());
        let asked = host
            .requests()
            .into_iter()
            .rfind(|r| r.path_only().ends_with("/content"))
            .expect("a download");
        if std::ptr::eq(host, &relay) {
            assert_eq!(
                asked.header("authorization"),
                Some(format!("Bearer {TEST_KEY}").as_str())
            );
            assert!(saved.starts_with(b"\x00\x00\x00\x18ftypmp42"));
        } else {
            assert_eq!(asked.header("authorization"), None);
            assert_eq!(saved, b"other video");
        }
        rig.app.notice = None;
        key(&mut rig, 'j');
    }
    // Nothing else on the other host ever carried it either.
    assert!(
        other
            .requests()
            .iter()
            .all(|r| r.header("authorization").is_none())
    );
}
