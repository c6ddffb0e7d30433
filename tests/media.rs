//! The media panel end to end against the mock server, without a terminal: the app, `update`,
//! the real effect runner (chat client, media fetcher, images API) and a `TestBackend` frame.

#[path = "media_rig/mod.rs"]
mod media_rig;
mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use ecochat::app::Action;
use ecochat::app::media::Load;
use ecochat::config::parse_str;
use ecochat::media::ImageProtocol;
use media_rig::{KEY, Rig, reply_with};
use support::{MockServer, Reply};

fn panel_half_blocks(screen: &str) -> usize {
    // The panel is the right part of each line (the conversation takes the first 72 columns).
    screen
        .lines()
        .map(|l| {
            l.chars()
                .skip(73)
                .filter(|c| matches!(c, '▀' | '▄'))
                .count()
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_linking_an_image_ends_with_it_drawn_and_no_key_sent_to_the_image_host() {
    let server = MockServer::start();
    let cat = server.url("/img/cat.png");
    server.on_model(
        "gpt-4o-all",
        vec![reply_with(&format!(
            "{{\"prompt\":\"a cat\",\"size\":\"1024x1024\"}}\n\n![猫]({cat})\n\n这里是一只猫。"
        ))],
    );
    let mut rig = Rig::new(&server);
    assert!(panel_half_blocks(&rig.screen()) == 0);
    rig.type_and_send("画一只猫");
    rig.run_until("the image", |app| {
        matches!(app.media.load(&cat), Some(Load::Ready(_))) && app.in_flight.is_none()
    })
    .await;
    assert!(rig.app.media.open, "the panel opened by itself");
    let Some(Load::Ready(img)) = rig.load(&cat) else {
        unreachable!()
    };
    assert_eq!(
        (img.width, img.height, img.format.as_str()),
        (64, 48, "png")
    );
    let screen = rig.screen();
    assert!(
        panel_half_blocks(&screen) > 100,
        "the cat is drawn in half blocks:\n{screen}"
    );
    assert!(screen.contains("64x48 png"), "{screen}");

    let requests = server.requests();
    let chat = requests
        .iter()
        .find(|r| r.path_only() == "/v1/chat/completions")
        .unwrap();
    assert_eq!(
        chat.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    let image = requests
        .iter()
        .find(|r| r.path_only() == "/img/cat.png")
        .expect("the image was downloaded");
    assert_eq!(image.header("authorization"), None);
    assert!(
        !image.headers.iter().any(|(_, v)| v.contains(KEY)),
        "the key went to the image host: {:?}",
        image.headers
    );

    // Re-opening draws from the cache: no second download.
    let downloads = server.request_count();
    rig.app.media.loads.clear();
    rig.apply(Action::Tick);
    rig.run_until("the cached image", |app| {
        matches!(app.media.load(&cat), Some(Load::Ready(_)))
    })
    .await;
    assert_eq!(server.request_count(), downloads);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_and_missing_links_end_in_the_error_state() {
    let server = MockServer::start();
    server.on_path(
        "GET",
        "/img/gone.png",
        vec![Reply::json(404, br#"{"error":"not found"}"#)],
    );
    let gone = server.url("/img/gone.png");
    // Port 1 on localhost: nothing listens, the connection is refused at once.
    let closed = "http://127.0.0.1:1/never.png";
    server.on_model(
        "gpt-4o-all",
        vec![reply_with(&format!("![a]({closed})\n![b]({gone})\n"))],
    );
    let mut rig = Rig::new(&server);
    rig.type_and_send("两张图");
    rig.run_until("the newest link to fail", |app| {
        matches!(app.media.load(&gone), Some(Load::Failed(_)))
    })
    .await;
    let Some(Load::Failed(e)) = rig.load(&gone) else {
        unreachable!()
    };
    assert!(e.contains("404"), "{e}");
    assert!(rig.screen().contains("✖ HTTP 404"), "{}", rig.screen());
    // Selecting the older one fetches it and shows why it failed; the app carries on.
    rig.apply(Action::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)));
    rig.apply(Action::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)));
    rig.apply(Action::Key(KeyEvent::new(
        KeyCode::Down,
        KeyModifiers::NONE,
    )));
    rig.run_until("the refused link to fail", |app| {
        matches!(app.media.load(closed), Some(Load::Failed(_)))
    })
    .await;
    let Some(Load::Failed(e)) = rig.load(closed) else {
        unreachable!()
    };
    assert!(e.contains("cannot reach 127.0.0.1"), "{e}");
    assert!(rig.screen().contains("✖ cannot reach"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_command_round_trip_through_the_images_route() {
    let server = MockServer::start();
    let cat = server.url("/img/cat.png");
    let mut rig = Rig::new(&server);
    rig.type_and_send("/image 一只橘猫 --size 1024x1024 --model flux");
    rig.run_until("the generated image", |app| {
        matches!(app.media.load(&cat), Some(Load::Ready(_)))
    })
    .await;
    let msg = rig.app.conv.messages().last().unwrap();
    assert_eq!(msg.content, format!("![image 1]({cat})"));
    let requests = server.requests();
    let generation = requests
        .iter()
        .find(|r| r.path_only() == "/v1/images/generations")
        .expect("the images route was called");
    assert_eq!(
        generation.json(),
        json!({"model":"flux","prompt":"一只橘猫","size":"1024x1024"})
    );
    assert_eq!(
        generation.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    let image = requests
        .iter()
        .find(|r| r.path_only() == "/img/cat.png")
        .unwrap();
    assert_eq!(image.header("authorization"), None);
    assert!(panel_half_blocks(&rig.screen()) > 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_image_line_and_its_images_are_not_sent_to_the_chat_model() {
    let server = MockServer::start();
    let cat = server.url("/img/cat.png");
    server.on_model("gpt-4o-all", vec![reply_with("一只橘猫。")]);
    let mut rig = Rig::new(&server);
    rig.type_and_send("/image 一只橘猫 --model flux");
    rig.run_until("the generated image", |app| {
        matches!(app.media.load(&cat), Some(Load::Ready(_)))
    })
    .await;
    rig.type_and_send("这只猫是什么颜色");
    rig.run_until("the chat reply", |app| {
        app.in_flight.is_none()
            && app
                .conv
                .messages()
                .last()
                .is_some_and(|m| !m.content.is_empty())
    })
    .await;
    let chat = server
        .requests()
        .into_iter()
        .find(|r| r.path_only() == "/v1/chat/completions")
        .expect("the chat route was called");
    assert_eq!(
        chat.json()["messages"],
        json!([{"role":"user","content":"这只猫是什么颜色"}]),
        "no /image line, no image links: strict APIs would refuse them, models would be confused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_answering_images_with_a_chat_completion_is_told_as_such() {
    let server = MockServer::start();
    let completion = json!({"id":"chatcmpl-9","object":"chat.completion","model":"flux",
        "choices":[{"index":0,"message":{"role":"assistant","content":"I can't draw, but here is a poem."},
        "finish_reason":"stop"}]});
    server.on_path(
        "POST",
        "/v1/images/generations",
        vec![Reply::json(200, completion.to_string().as_bytes())],
    );
    let mut rig = Rig::new(&server);
    rig.type_and_send("/image 一只橘猫 --model flux");
    rig.run_until("the generation to fail", |app| {
        app.media.generating.is_none()
    })
    .await;
    let msg = rig.app.conv.messages().last().unwrap();
    let ecochat::chat::Status::Failed(e) = &msg.status else {
        panic!("{:?}", msg.status)
    };
    assert!(e.contains("chat completion instead of images"), "{e}");
    assert!(e.contains("here is a poem"), "{e}");
    assert!(!e.contains("answered with an error"), "{e}");
}

#[test]
fn config_keys_for_the_media_panel() {
    let env = |name: &str| (name == "HOME").then(|| "/home/u".to_string());
    let path = std::path::Path::new("config.toml");
    let text = "media_panel_auto_open = false\ndownloads_dir = \"~/Pictures/eco\"\nimage_protocol = \"sixel\"\n";
    let cfg = parse_str(text, path, &env).unwrap();
    assert!(!cfg.media.auto_open);
    assert_eq!(
        cfg.media.downloads_dir.as_deref(),
        Some(std::path::Path::new("/home/u/Pictures/eco"))
    );
    assert_eq!(cfg.media.image_protocol, ImageProtocol::Sixel);
    let defaults = parse_str("", path, &env).unwrap();
    assert!(defaults.media.auto_open);
    assert_eq!(defaults.media.image_protocol, ImageProtocol::Auto);
    assert!(defaults.media.allow_hosts.is_empty());
    assert_eq!(defaults.media.cache_max_mb, 200);
    let text = "media_allow_hosts = [\"nas.local\", \"192.168.1.5\"]\nmedia_cache_max_mb = 50\n";
    let cfg = parse_str(text, path, &env).unwrap();
    assert_eq!(cfg.media.allow_hosts, ["nas.local", "192.168.1.5"]);
    assert_eq!(cfg.media.cache_max_mb, 50);
    assert!(parse_str("media_cache_max_mb = 0\n", path, &env).is_err());
    let err = parse_str("image_protocol = \"chafa\"\n", path, &env)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("config.toml:1:") && err.contains("halfblocks"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn y_on_the_demo_image_copies_the_path_of_a_png_written_to_the_cache() {
    let demo = ecochat::demo::DEMO_IMAGE_URL;
    let server = MockServer::start();
    server.on_model("gpt-4o-all", vec![reply_with(&format!("![demo]({demo})"))]);
    let mut rig = Rig::new(&server);
    rig.type_and_send("demo");
    rig.run_until("the reply", |app| {
        app.in_flight.is_none() && !app.media.items.is_empty()
    })
    .await;
    for code in [KeyCode::Tab, KeyCode::Tab, KeyCode::Char('y')] {
        rig.apply(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
    rig.run_until("the copied path", |app| {
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.starts_with("copied the path"))
    })
    .await;
    let notice = rig.app.notice.clone().unwrap().text;
    let path = std::path::PathBuf::from(notice.rsplit(": ").next().unwrap());
    let cache = rig.app.media.settings.cache_dir.clone().unwrap();
    assert!(path.starts_with(&cache), "{notice}");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "{notice}");
}
