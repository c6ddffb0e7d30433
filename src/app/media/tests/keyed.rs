//! Which media links may carry the provider's key: only those on its own origin.

use super::*;
use crate::config::Provider;

const OWN: &str = "https://api.ecovai.cn/v1/videos/task_1/content";
/// The same host on another port is another origin.
const OTHER_PORT: &str = "https://api.ecovai.cn:8443/v1/videos/task_2/content";
const CDN: &str = "https://cdn.example/v1/videos/task_3/content";
/// The provider's origin, but an image: no key.
const OWN_IMAGE: &str = "https://api.ecovai.cn/mj/image/9.png";

fn key_of(fx: &[Effect]) -> Option<String> {
    match fx {
        [Effect::Media(MediaEffect::Save { key_from, .. })]
        | [Effect::Media(MediaEffect::Open { key_from, .. })] => {
            key_from.as_ref().map(|p| p.name.clone())
        }
        _ => panic!("{fx:?}"),
    }
}

#[test]
fn a_video_on_the_providers_origin_is_saved_and_opened_with_its_key_and_no_other_is() {
    let mut h = H::new();
    h.app.target.provider = Provider::new("ecovai", Some("https://api.ecovai.cn/v1".into()));
    let text = format!(
        "[video 1]({OWN})\n[video 2]({OTHER_PORT})\n[video 3]({CDN})\n![image]({OWN_IMAGE})\n"
    );
    h.reply(&[&text]);
    let kinds: Vec<MediaKind> = h.app.media.newest_first().map(|i| i.link.kind).collect();
    assert_eq!(
        kinds,
        [
            MediaKind::Image,
            MediaKind::Video,
            MediaKind::Video,
            MediaKind::Video
        ],
        "the relay's content route is a video"
    );
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Focus::Media);
    // Newest first: the relay's image, the CDN's, the other port's, then the provider's own.
    for (url, key) in [
        (OWN_IMAGE, None),
        (CDN, None),
        (OTHER_PORT, None),
        (OWN, Some("ecovai")),
    ] {
        assert_eq!(h.app.media.selected_item().unwrap().link.url, url);
        assert_eq!(key_of(&h.key(KeyCode::Char('s'))).as_deref(), key, "{url}");
        assert_eq!(key_of(&h.key(KeyCode::Char('o'))).as_deref(), key, "{url}");
        h.key(KeyCode::Down);
    }
    // A browser cannot send the key: the file is downloaded for the opener first.
    assert!(
        h.notice().starts_with("downloading to open"),
        "{}",
        h.notice()
    );
}
