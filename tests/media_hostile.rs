//! A reply is hostile to the network too: its links must not turn into requests the user did
//! not make (into the LAN, to web pages, hidden from the screen, hundreds at once), and what
//! the media code downloads must not fill the disk or memory. Against the mock on 127.0.0.1.

#[path = "media_rig/mod.rs"]
mod media_rig;
mod support;

use std::io::Write;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use ecochat::app::Action;
use ecochat::app::media::Load;
use ecochat::media::MediaKind;
use ecochat::media::fetch::{Fetched, Fetcher, MediaError};
use media_rig::{Rig, reply_with};
use support::{MockServer, Reply};

fn requested(server: &MockServer, path: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path_only() == path)
        .count()
}

fn key(rig: &mut Rig, code: KeyCode) {
    rig.apply(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// One SSE reply sent as one event per piece.
fn reply_in_pieces(pieces: &[String]) -> Reply {
    let mut sse = String::new();
    for p in pieces {
        let chunk = json!({"id":"c1","object":"chat.completion.chunk","model":"m",
            "choices":[{"index":0,"delta":{"content":p},"finish_reason":null}]});
        sse.push_str(&format!("data: {chunk}\n\n"));
    }
    let stop = json!({"id":"c1","object":"chat.completion.chunk","model":"m",
        "choices":[{"index":0,"delta":{},"finish_reason":"stop"}]});
    sse.push_str(&format!("data: {stop}\n\ndata: [DONE]\n\n"));
    Reply::sse(sse.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_links_web_pages_and_bare_links_are_never_requested() {
    let server = MockServer::start();
    let cat = server.url("/img/cat.png");
    let reboot = format!("{}/admin/reboot?confirm=1", server.origin());
    let text = format!(
        "![猫]({cat})\n[doc]({})\n{reboot}\nNice day!\x1b]0;![x]({})\x07",
        server.url("/doc.html"),
        server.url("/invisible.png"),
    );
    server.on_model("gpt-4o-all", vec![reply_with(&text)]);
    let mut rig = Rig::new(&server);
    rig.type_and_send("hi");
    rig.run_until("the reply", |app| {
        app.in_flight.is_none() && !app.media.is_busy()
    })
    .await;
    let urls = rig.app.media.urls();
    assert_eq!(urls, [cat.as_str(), &server.url("/doc.html"), &reboot]);
    // Walk the whole list: the page and the bare link are only listed; the image loads.
    key(&mut rig, KeyCode::Tab);
    key(&mut rig, KeyCode::Tab);
    for _ in 0..3 {
        key(&mut rig, KeyCode::Down);
        key(&mut rig, KeyCode::Enter);
    }
    rig.run_until("the chosen image", |app| {
        matches!(app.media.load(&cat), Some(Load::Ready(_)))
    })
    .await;
    assert_eq!(requested(&server, "/img/cat.png"), 1);
    for path in ["/invisible.png", "/doc.html", "/admin/reboot"] {
        assert_eq!(requested(&server, path), 0, "{path} was requested");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_image_links_make_at_most_eight_requests() {
    let server = MockServer::start();
    let pieces: Vec<String> = (0..300)
        .map(|i| format!("![p{i}]({})\n", server.url(&format!("/many/{i}.png"))))
        .collect();
    server.on_model("gpt-4o-all", vec![reply_in_pieces(&pieces)]);
    let mut rig = Rig::new(&server);
    rig.type_and_send("hi");
    rig.run_until("the reply and its fetches", |app| {
        app.in_flight.is_none() && !app.media.is_busy()
    })
    .await;
    assert_eq!(rig.app.media.items.len(), 300);
    let images = server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/many/"))
        .count();
    assert!((1..=8).contains(&images), "{images} image requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_host_other_than_the_providers_is_refused_unless_allowed() {
    let server = MockServer::start();
    // The provider is 127.0.0.1; `localhost` reaches the same mock, but it is another host.
    let probe = format!("http://localhost:{}/probe.png", server.port());
    let literal = format!("http://127.0.0.2:{}/literal.png", server.port());
    let text = format!("![a]({literal})\n![p]({probe})\n");
    server.on_model("gpt-4o-all", vec![reply_with(&text), reply_with(&text)]);
    let mut rig = Rig::new(&server);
    rig.type_and_send("hi");
    rig.run_until("the refusal", |app| {
        matches!(app.media.load(&probe), Some(Load::Failed(_)))
    })
    .await;
    let Some(Load::Failed(e)) = rig.load(&probe) else {
        unreachable!()
    };
    assert!(e.contains("localhost is a local or private address"), "{e}");
    assert_eq!(requested(&server, "/probe.png"), 0);
    // Chosen by hand, an address literal on another loopback address is refused as well.
    key(&mut rig, KeyCode::Tab);
    key(&mut rig, KeyCode::Tab);
    key(&mut rig, KeyCode::Down);
    rig.run_until("the literal's refusal", |app| {
        matches!(app.media.load(&literal), Some(Load::Failed(_)))
    })
    .await;
    let Some(Load::Failed(e)) = rig.load(&literal) else {
        unreachable!()
    };
    assert!(e.contains("127.0.0.2 is a local or private address"), "{e}");

    // With `media_allow_hosts = ["localhost"]` the same link is fetched.
    let mut rig = Rig::with(&server, |s| s.allow_hosts = vec!["localhost".into()]);
    rig.type_and_send("hi");
    rig.run_until("the allowed fetch", |app| {
        matches!(app.media.load(&probe), Some(Load::NotImage { .. }))
    })
    .await;
    assert_eq!(requested(&server, "/probe.png"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_a_private_host_is_refused() {
    let server = MockServer::start();
    let to_name = format!("http://localhost:{}/secret.png", server.port());
    let to_literal = format!("http://127.0.0.3:{}/secret.png", server.port());
    server.on_path(
        "GET",
        "/r1.png",
        vec![Reply::new(302).header("Location", &to_name)],
    );
    server.on_path(
        "GET",
        "/r2.png",
        vec![Reply::new(302).header("Location", &to_literal)],
    );
    let f = Fetcher::new(None).unwrap();
    for path in ["/r1.png", "/r2.png"] {
        let err = f
            .fetch(&server.url(path), Some("127.0.0.1"))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("is a local or private address"),
            "{path}: {err}"
        );
    }
    assert_eq!(requested(&server, "/r1.png"), 1);
    assert_eq!(requested(&server, "/secret.png"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_may_reach_its_own_local_host_but_not_be_redirected_to_another() {
    let server = MockServer::start();
    let elsewhere = format!("http://localhost:{}/secret.mp3", server.port());
    server.on_path(
        "GET",
        "/song.mp3",
        vec![
            Reply::new(302).header("Location", &elsewhere),
            Reply::new(200)
                .header("Content-Type", "audio/mpeg")
                .write(b"ID3 song"),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let f = Fetcher::new(None).unwrap();
    let url = server.url("/song.mp3");
    let err = f
        .save(&url, MediaKind::Audio, dir.path(), "song.mp3")
        .await
        .unwrap_err();
    assert!(matches!(err, MediaError::Refused(_)), "{err}");
    assert_eq!(requested(&server, "/secret.mp3"), 0);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // Asked for by key, the link's own host is fine though it is local.
    let saved = f
        .save(&url, MediaKind::Audio, dir.path(), "song.mp3")
        .await
        .unwrap();
    assert_eq!(std::fs::read(saved).unwrap(), b"ID3 song");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_bodies_are_saved_as_sent_never_inflated() {
    let server = MockServer::start();
    // 64 MB of zeros in 64 KB: inflated, the 1 GB cap would be counted after the damage.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&zeros).unwrap();
    }
    let wire = gz.finish().unwrap();
    assert!(wire.len() < 100_000);
    server.on_path(
        "GET",
        "/bomb.mp4",
        vec![
            Reply::new(200)
                .header("Content-Type", "video/mp4")
                .header("Content-Encoding", "gzip")
                .write(&wire),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let f = Fetcher::new(None).unwrap();
    let saved = f
        .save(
            &server.url("/bomb.mp4"),
            MediaKind::Video,
            dir.path(),
            "bomb.mp4",
        )
        .await
        .unwrap();
    assert_eq!(std::fs::metadata(&saved).unwrap().len(), wire.len() as u64);
    let req = server.last_request().unwrap();
    assert_eq!(req.header("accept-encoding"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_page_is_never_saved_and_a_typed_media_link_is() {
    let server = MockServer::start();
    server.on_path(
        "HEAD",
        "/doc",
        vec![Reply::new(200).header("Content-Type", "text/html; charset=utf-8")],
    );
    server.on_path(
        "HEAD",
        "/song",
        vec![Reply::new(200).header("Content-Type", "audio/mpeg")],
    );
    server.on_path(
        "GET",
        "/song",
        vec![
            Reply::new(200)
                .header("Content-Type", "audio/mpeg")
                .write(b"ID3 song"),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let f = Fetcher::new(None).unwrap();
    let err = f
        .save(&server.url("/doc"), MediaKind::Other, dir.path(), "doc.bin")
        .await
        .unwrap_err();
    assert!(matches!(err, MediaError::NotMedia(_)), "{err}");
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path_only() == "/doc")
            .count(),
        0
    );
    let saved = f
        .save(
            &server.url("/song"),
            MediaKind::Other,
            dir.path(),
            "song.bin",
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(saved).unwrap(), b"ID3 song");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_media_cache_stays_under_its_cap_and_private() {
    let server = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("media");
    let cat_size = std::fs::read("tests/fixtures/cat.png").unwrap().len() as u64;
    // Room for five of the twenty copies of the cat fetched under twenty names.
    let cap = 5 * cat_size + cat_size / 2;
    let f = Fetcher::new(Some(cache.clone()))
        .unwrap()
        .with_cache_max_bytes(cap);
    for i in 0..20 {
        let url = server.url(&format!("/img/cat.png?n={i}"));
        let got = f.fetch(&url, Some("127.0.0.1")).await.unwrap();
        assert!(matches!(got, Fetched::Image(_)));
    }
    let files: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap())
        .collect();
    let total: u64 = files.iter().map(|m| m.len()).sum();
    assert_eq!(files.len(), 5, "{total} bytes kept under a cap of {cap}");
    // The newest is among them: it is read back without a download.
    let before = server.request_count();
    f.fetch(&server.url("/img/cat.png?n=19"), Some("127.0.0.1"))
        .await
        .unwrap();
    assert_eq!(server.request_count(), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |m: &std::fs::Metadata| m.permissions().mode() & 0o777;
        assert_eq!(mode(&std::fs::metadata(&cache).unwrap()), 0o700);
        assert!(files.iter().all(|m| mode(m) == 0o600));
    }
}

/// A PNG whose header claims `w`x`h` pixels: a few hundred bytes that would decode to
/// `w * h * 4` bytes if the header were believed.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut png = std::fs::read("tests/fixtures/cat.png").unwrap();
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&png[12..29]);
    png[29..33].copy_from_slice(&crc.sum().to_be_bytes());
    png
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_pictures_in_small_files_are_refused_from_their_header() {
    let server = MockServer::start();
    let bomb = png_claiming(8192, 8192);
    let mut text = String::new();
    for i in 0..12 {
        let path = format!("/big/{i}.png");
        server.on_path(
            "GET",
            &path,
            vec![
                Reply::new(200)
                    .header("Content-Type", "image/png")
                    .write(&bomb),
            ],
        );
        text.push_str(&format!("![big {i}]({})\n", server.url(&path)));
    }
    server.on_model("gpt-4o-all", vec![reply_with(&text)]);
    let mut rig = Rig::new(&server);
    rig.type_and_send("hi");
    let newest = server.url("/big/11.png");
    rig.run_until("the refusal", |app| {
        matches!(app.media.load(&newest), Some(Load::Failed(_)))
    })
    .await;
    let Some(Load::Failed(e)) = rig.load(&newest) else {
        unreachable!()
    };
    assert!(e.contains("8192x8192 is more than 40 megapixels"), "{e}");
    assert_eq!(rig.app.media.decoded_bytes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_link_that_is_not_an_image_is_never_written_or_opened() {
    use base64::Engine;
    let server = MockServer::start();
    let html = b"<html><script>fetch('http://192.168.1.1/admin')</script></html>";
    let b64 = base64::engine::general_purpose::STANDARD.encode(html);
    let text = format!("![x](data:text/html;base64,{b64})\n");
    server.on_model("gpt-4o-all", vec![reply_with(&text)]);
    let mut rig = Rig::new(&server);
    let cache = rig.app.media.settings.cache_dir.clone().unwrap();
    rig.type_and_send("hi");
    rig.run_until("the reply", |app| {
        app.in_flight.is_none() && !app.media.items.is_empty()
    })
    .await;
    // A web page is not media: the panel stays shut until asked for.
    rig.apply(Action::Key(KeyEvent::new(
        KeyCode::Char('g'),
        KeyModifiers::CONTROL,
    )));
    assert!(rig.app.media.open);
    key(&mut rig, KeyCode::Tab);
    key(&mut rig, KeyCode::Tab);
    key(&mut rig, KeyCode::Char('o'));
    rig.run_until("the refusal", |app| {
        app.notice.as_ref().is_some_and(|n| n.is_error)
    })
    .await;
    let notice = rig.app.notice.as_ref().unwrap().text.clone();
    assert!(notice.contains("cannot decode the image"), "{notice}");
    let written = std::fs::read_dir(&cache).map_or(0, |d| d.count());
    assert_eq!(written, 0, "a file was written for the opener");
}
