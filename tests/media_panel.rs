//! Snapshots of the media panel at 120x40 through `TestBackend`: the list, a loading image, a
//! failed one and a half-block image, driven through `update` like the runtime does.

#[path = "ui_snapshots/harness.rs"]
#[allow(dead_code)]
mod harness;

use ratatui_image::picker::Picker;

use ecochat::app::Action;
use ecochat::app::media::MediaMsg;
use ecochat::media::fetch::{Fetched, decode};
use harness::Harness;

const CAT_PNG: &[u8] = include_bytes!("fixtures/cat.png");
const CAT: &str = "https://filesystem.site/cdn/20250330/JfAL6qr7iuQsq0UwLSfK8W2XvP1rgv.png";

const REPLY: &str = "{\"prompt\":\"a cat\",\"size\":\"1024x1024\"}\n\n[歌曲](https://cdn1.suno.ai/1f2e3d4c.mp3) · [视频](https://videos.openai.com/vg-assets/a%2Fb.mp4?sig=x)\n\n![file_0000](https://filesystem.site/cdn/20250330/JfAL6qr7iuQsq0UwLSfK8W2XvP1rgv.png)\n[下载⏬](https://filesystem.site/cdn/download/20250330/JfAL6qr7iuQsq0UwLSfK8W2XvP1rgv.png)\n\n这里是一只猫。";

fn with_reply() -> Harness {
    let mut h = Harness::new("gpt-4o-all", 120, 40);
    h.app.media.picker = Some(Picker::halfblocks());
    h.at(1_000).send("画一只猫");
    h.at(1_500).content(REPLY);
    h.at(2_000).finish(None);
    h
}

fn panel_text(h: &mut Harness) -> String {
    h.draw().to_string()
}

#[test]
fn list_of_links_with_drawing_off() {
    let mut h = with_reply();
    h.app.media.picker = None;
    h.act(Action::Tick);
    assert!(h.app.media.open);
    insta::assert_snapshot!("media_list_120x40", panel_text(&mut h));
}

#[test]
fn loading_shows_a_spinner_and_the_host() {
    let mut h = with_reply();
    h.at(3_200).act(Action::Tick);
    let screen = panel_text(&mut h);
    assert!(screen.contains("loading from filesystem.site"), "{screen}");
    insta::assert_snapshot!("media_loading_120x40", screen);
}

#[test]
fn a_failed_download_shows_why() {
    let mut h = with_reply();
    h.at(3_000).act(Action::Media(MediaMsg::Fetched {
        url: CAT.into(),
        result: Err("HTTP 404 from filesystem.site".into()),
    }));
    insta::assert_snapshot!("media_error_120x40", panel_text(&mut h));
}

#[test]
fn a_fetched_image_is_drawn_in_half_blocks() {
    let mut h = with_reply();
    let image = decode(CAT_PNG).unwrap();
    h.at(3_000).act(Action::Media(MediaMsg::Fetched {
        url: CAT.into(),
        result: Ok(Fetched::Image(image)),
    }));
    let screen = panel_text(&mut h);
    let blocks = screen.matches(['▀', '▄']).count();
    assert!(blocks > 200, "{screen}");
    insta::assert_snapshot!("media_image_120x40", screen);
}
