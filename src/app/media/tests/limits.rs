//! What the panel fetches by itself: images only, a few per reply and two at a time, and how
//! much decoded picture it keeps in memory.

use super::*;
use crate::media::fetch::DecodedImage;

fn image_links(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("![p{i}](https://img.example/{i}.png)\n"))
        .collect()
}

fn loading(h: &H) -> usize {
    h.app
        .media
        .loads
        .values()
        .filter(|l| matches!(l, Load::Loading { .. }))
        .count()
}

#[test]
fn a_reply_of_300_image_links_fetches_8_by_itself_and_2_at_a_time() {
    let mut h = H::new();
    h.type_text("hi");
    let fx = h.key(KeyCode::Enter);
    let Some(Effect::StartReply { reply_id, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let id = *reply_id;
    let mut asked = Vec::new();
    let mut most_at_once = 0;
    for piece in image_links(300) {
        let mut fx = h.act(Action::Stream {
            id,
            msg: StreamMsg::Event(StreamEvent::Content(piece)),
        });
        most_at_once = most_at_once.max(loading(&h));
        // Each download answers after the next piece: two pieces' fetches overlap.
        let done: Vec<String> = asked.iter().rev().skip(1).take(1).cloned().collect();
        for url in done {
            fx.extend(h.act(Action::Media(MediaMsg::Fetched {
                url,
                result: Err("HTTP 404 from img.example".into()),
            })));
        }
        asked.extend(fetches(&fx));
        most_at_once = most_at_once.max(loading(&h));
    }
    h.act(Action::Stream {
        id,
        msg: StreamMsg::End(Ok(ReplyEnd::default())),
    });
    assert_eq!(h.app.media.items.len(), 300);
    assert_eq!(asked.len(), AUTO_FETCHES_PER_REPLY, "{asked:?}");
    assert!(
        most_at_once <= AUTO_FETCHES_AT_ONCE,
        "{most_at_once} at once"
    );
    // The rest load when chosen: the newest, chosen with Enter, then one more down the list.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    let newest = "https://img.example/299.png";
    assert!(h.app.media.load(newest).is_none());
    assert_eq!(fetches(&h.key(KeyCode::Enter)), [newest]);
    assert_eq!(
        fetches(&h.key(KeyCode::Char('j'))),
        ["https://img.example/298.png"]
    );
}

#[test]
fn two_downloads_at_most_run_by_themselves() {
    let mut h = H::new();
    let pieces = image_links(20);
    let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
    let fx = h.reply(&pieces);
    // Nothing came back: the first two wait, and so does everything after them.
    assert_eq!(
        fetches(&fx),
        ["https://img.example/0.png", "https://img.example/1.png"]
    );
    assert_eq!(loading(&h), 2);
}

#[test]
fn web_pages_audio_and_video_are_never_fetched() {
    let mut h = H::new();
    let fx = h.reply(&[
        "[doc](https://docs.example/doc.html) https://192.168.1.1/admin/reboot?confirm=1\n",
        "[歌](https://cdn1.suno.ai/abc.mp3) [片](https://v.example/a.mp4)\n",
    ]);
    assert!(fetches(&fx).is_empty(), "{fx:?}");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    for _ in 0..4 {
        assert!(fetches(&h.key(KeyCode::Char('j'))).is_empty());
        assert!(fetches(&h.key(KeyCode::Enter)).is_empty());
    }
    assert!(h.app.media.loads.is_empty());
    // `s` on a web page leaves it to the edge, which asks for its type and refuses pages.
    let fx = h.key(KeyCode::Char('s'));
    assert!(
        matches!(
            &fx[..],
            [Effect::Media(MediaEffect::Save {
                kind: MediaKind::Other,
                ..
            })]
        ),
        "{fx:?}"
    );
}

#[test]
fn a_link_inside_a_stripped_escape_sequence_is_not_listed() {
    let mut h = H::new();
    let fx = h.reply(&[
        "Nice day!\x1b]0;![x](https://img.example/invisible.png)",
        "\x07 and \x1bP![y](https://img.example/dcs.png)\x1b\\ done\n",
    ]);
    assert!(fetches(&fx).is_empty());
    assert!(h.app.media.items.is_empty(), "{:?}", h.app.media.items);
}

#[test]
fn decoded_images_stay_within_the_memory_budget() {
    let mut h = H::new();
    let big = |_| DecodedImage {
        image: image::DynamicImage::new_rgba8(KEEP_SIDE_FOR_TEST, KEEP_SIDE_FOR_TEST),
        width: 8000,
        height: 5000,
        format: "png".into(),
        file_size: 200_000,
    };
    for i in 0..8 {
        h.act(Action::Media(MediaMsg::Fetched {
            url: format!("https://img.example/{i}.png"),
            result: Ok(Fetched::Image(big(i))),
        }));
        assert!(
            h.app.media.decoded_bytes() <= DECODED_BUDGET,
            "{} MB kept after {i}",
            h.app.media.decoded_bytes() >> 20
        );
    }
    // The newest is kept.
    assert!(matches!(
        h.app.media.load("https://img.example/7.png"),
        Some(Load::Ready(_))
    ));
}

const KEEP_SIDE_FOR_TEST: u32 = crate::media::fetch::KEEP_SIDE;

#[test]
fn a_new_chat_starts_the_count_afresh() {
    let mut h = H::new();
    let links = image_links(12);
    let mut asked = 0;
    for round in 0..2 {
        h.type_text("hi");
        let fx = h.key(KeyCode::Enter);
        let Some(Effect::StartReply { reply_id, .. }) = fx.first() else {
            panic!("{fx:?}")
        };
        let id = *reply_id;
        for piece in &links {
            let piece = piece.replace("img.example", &format!("r{round}.example"));
            let fx = h.act(Action::Stream {
                id,
                msg: StreamMsg::Event(StreamEvent::Content(piece)),
            });
            // Every download answers at once.
            for url in fetches(&fx) {
                asked += 1;
                h.act(Action::Media(MediaMsg::Fetched {
                    url,
                    result: Err("HTTP 404".into()),
                }));
            }
        }
        h.act(Action::Stream {
            id,
            msg: StreamMsg::End(Ok(ReplyEnd::default())),
        });
        h.ctrl('n');
    }
    assert_eq!(asked, 2 * AUTO_FETCHES_PER_REPLY);
}
