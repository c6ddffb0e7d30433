//! `o` and `y` on the panel's selection: what happens with no opener, and what a built-in
//! image (whose URL means nothing outside ecochat) puts on the clipboard.

use super::*;

#[test]
fn o_without_an_opener_says_to_use_y_and_runs_nothing() {
    let mut h = H::new();
    h.app.media.settings.can_open = false;
    h.reply(&["listen: [song](", SONG, ")\n"]);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Focus::Media);
    assert!(h.key(KeyCode::Char('o')).is_empty());
    assert_eq!(h.notice(), NO_OPENER);
    assert!(h.notice().contains("press y"), "{}", h.notice());
    assert!(h.notice_is_error());
    // `y` still copies the link itself.
    let fx = h.key(KeyCode::Char('y'));
    assert!(matches!(&fx[..], [Effect::Copy { text }] if text == SONG));
}

#[test]
fn y_on_the_demo_image_copies_the_path_it_was_written_to() {
    let mut h = H::new();
    h.reply(&["![demo](", DEMO_IMAGE_URL, ")\n"]);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert_eq!(
        h.app.media.selected_item().unwrap().link.url,
        DEMO_IMAGE_URL
    );
    // Not the `ecochat://` URL: the edge writes the image out first.
    let fx = h.key(KeyCode::Char('y'));
    let [Effect::Media(MediaEffect::WriteOut { url })] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(url, DEMO_IMAGE_URL);
    let path = std::path::PathBuf::from("/cache/media/open-demo.png");
    let fx = h.act(Action::Media(MediaMsg::WrittenOut(path)));
    let [Effect::Copy { text }] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(text, "/cache/media/open-demo.png");
    assert!(
        h.notice().contains("/cache/media/open-demo.png"),
        "{}",
        h.notice()
    );
    assert!(!h.notice_is_error());
}
