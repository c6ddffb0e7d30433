//! Attachments end to end: the real binary in tmux takes `/attach` with Tab completion and a
//! bracketed paste of a path, shows the chips, lets Backspace remove one, and the mock
//! receives the image with the prompt.

mod support;
mod tmux;

use std::io::Cursor;
use std::time::Duration;

use support::MockServer;
use tmux::Tmux;

const WAIT: Duration = Duration::from_secs(10);

fn png() -> Vec<u8> {
    let picture = image::DynamicImage::ImageRgb8(image::RgbImage::new(32, 24));
    let mut out = Cursor::new(Vec::new());
    picture
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

#[test]
fn attach_and_a_pasted_path_show_chips_and_the_mock_sees_the_image() {
    let server = MockServer::start();
    let mut t = Tmux::new();
    std::fs::write(t.path("shot.png"), png()).expect("write png");
    let notes = t.write_file("笔记 notes.txt", "第一行\n");
    let config = t.write_config(&format!(
        "[[providers]]\nname = \"mock\"\nbase_url = \"{}\"\napi_key_env = \"ECOCHAT_TEST_KEY\"\nmodels = [\"gpt-4o\"]\n",
        server.base_url()
    ));
    t.run(
        &["--config", &config, "-m", "mock:gpt-4o", "--no-save"],
        &[("ECOCHAT_TEST_KEY", "sk-attach")],
        100,
        30,
    );
    t.wait_ready();
    t.type_text("/attach ~/sh");
    t.keys(&["Tab"]);
    t.wait_for("/attach ~/shot.png", WAIT);
    t.keys(&["Enter"]);
    t.wait_for("[img shot.png", WAIT);
    t.wait_for("32x24]", WAIT);
    // A dropped file arrives as its path, shell-quoted, inside bracketed paste.
    t.paste(&format!("'{}'", notes.display()));
    let screen = t.wait_for("[txt 笔记 notes.txt", WAIT);
    assert!(screen.contains("[img shot.png"), "{screen}");
    t.keys(&["BSpace"]);
    let screen = t.wait_for("removed 笔记 notes.txt", WAIT);
    assert!(!screen.contains("[txt 笔记"), "the chip is gone:\n{screen}");
    assert!(screen.contains("[img shot.png"), "{screen}");
    t.type_text("这是什么？");
    t.keys(&["Enter"]);
    t.wait_until(
        |_| server.request_count() > 0,
        WAIT,
        "the request reaches the mock",
    );
    let body = server.last_request().expect("a request").json();
    let content = &body["messages"][0]["content"];
    assert_eq!(content[0]["text"], "这是什么？", "{body}");
    let url = content[1]["image_url"]["url"].as_str().unwrap_or_default();
    assert!(url.starts_with("data:image/png;base64,"), "{body}");
    assert_eq!(content.as_array().map(Vec::len), Some(2), "{body}");
    // The sent prompt shows what went with it.
    t.wait_for("+ [img shot.png", WAIT);
}

#[test]
fn dash_a_without_a_prompt_opens_the_tui_with_the_file_attached() {
    let mut t = Tmux::new();
    let notes = t.write_file("notes.md", "# 标题\n");
    let config = t.write_config("default_model = \"demo:demo\"\n");
    let notes = notes.display().to_string();
    t.run(
        &["--config", &config, "--no-save", "-a", &notes],
        &[],
        100,
        30,
    );
    t.wait_ready();
    t.wait_for("[txt notes.md", WAIT);
}
