//! The media panel through `update`: links appearing while a reply streams, auto-open, fetch
//! effects, drawing, keys, `/image`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_image::picker::Picker;

use super::*;
use crate::api::StreamEvent;
use crate::api::client::ReplyEnd;
use crate::app::test_harness::Harness;
use crate::app::{Action, Focus, StreamMsg};
use crate::demo::DEMO_IMAGE_URL;
use crate::media::fetch::decode;

const CAT: &str = "https://img.example/cat.png";
const SONG: &str = "https://cdn1.suno.ai/abc.mp3";

// The shared driver at 120x40 with half-block drawing.
crate::app::test_harness::harness_wrapper!(H);

impl H {
    fn new() -> Self {
        let mut h = Harness::sized(120, 40);
        h.app.media.picker = Some(Picker::halfblocks());
        H(h)
    }

    fn key(&mut self, code: KeyCode) -> Vec<Effect> {
        self.0.key(code, KeyModifiers::NONE)
    }

    fn ctrl(&mut self, c: char) -> Vec<Effect> {
        self.act(Action::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )))
    }

    /// Sends a prompt and streams `pieces` as the reply; returns every effect after the send.
    fn reply(&mut self, pieces: &[&str]) -> Vec<Effect> {
        self.type_text("hi");
        let fx = self.key(KeyCode::Enter);
        let Some(Effect::StartReply { reply_id, .. }) = fx.first() else {
            panic!("{fx:?}")
        };
        let id = *reply_id;
        let mut out = Vec::new();
        for p in pieces {
            out.extend(self.act(Action::Stream {
                id,
                msg: StreamMsg::Event(StreamEvent::Content(p.to_string())),
            }));
        }
        out.extend(self.act(Action::Stream {
            id,
            msg: StreamMsg::End(Ok(ReplyEnd::default())),
        }));
        out
    }

    fn fetched(&mut self, url: &str, png: &[u8]) -> Vec<Effect> {
        let result = decode(png).map(Fetched::Image).map_err(|e| e.to_string());
        self.act(Action::Media(MediaMsg::Fetched {
            url: url.into(),
            result,
        }))
    }
}

fn fetches(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Media(MediaEffect::Fetch { url, .. }) => Some(url.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_streamed_link_opens_the_panel_once_complete_and_fetches_it() {
    let mut h = H::new();
    // The URL arrives in two pieces: nothing is fetched from its first half.
    let fx = h.reply(&["看这张：![猫](https://img.exa", "mple/cat.png) 好看吗"]);
    assert_eq!(fetches(&fx), [CAT]);
    assert!(h.app.media.open);
    assert_eq!(h.app.focus, Focus::Input, "auto-open never takes the focus");
    assert_eq!(h.app.media.items.len(), 1);
    assert_eq!(h.app.media.items[0].reply_no, 1);
    assert!(matches!(h.app.media.load(CAT), Some(Load::Loading { .. })));
    assert!(h.app.media.is_busy());
    // Nothing more is asked while it loads.
    assert!(fetches(&h.key(KeyCode::Char('x'))).is_empty());
}

#[test]
fn updates_that_touch_no_message_scan_none_and_the_next_reply_is_still_found() {
    let mut h = H::new();
    h.reply(&["看这张：![猫](https://img.example/cat.png)"]);
    let scanned = h.app.media.full_scans;
    // Typing the next prompt and ticks looked at every reply of a long session each time.
    h.type_text("再来一张");
    h.act(Action::Tick);
    assert_eq!(h.app.media.full_scans, scanned);
    h.reply(&["![歌](https://cdn1.suno.ai/abc.mp3)"]);
    assert!(h.app.media.full_scans > scanned);
    let urls = h.app.media.urls();
    assert_eq!(urls, [CAT, SONG]);
}

#[test]
fn a_finished_reply_keeps_its_links_but_not_its_scanner() {
    let mut h = H::new();
    h.reply(&[
        "看这张：![猫](https://img.example/cat.png)",
        " 最后一行没有换行",
    ]);
    let id = h
        .app
        .conv
        .messages()
        .last()
        .map(|m| m.id)
        .expect("the reply");
    let scan = &h.app.media.scans[&id];
    assert_eq!(scan.links.len(), 1);
    assert!(
        scan.scanner.is_fresh(),
        "the unfinished line stays with every reply"
    );
}

#[test]
fn a_fetched_image_is_encoded_for_the_preview_area() {
    let mut h = H::new();
    h.reply(&["![猫](", CAT, ")\n"]);
    h.fetched(CAT, crate::demo::DEMO_IMAGE_PNG);
    let drawn = h.app.media.drawn.as_ref().expect("encoded");
    assert_eq!(drawn.url, CAT);
    let panel = h.app.panes().unwrap().media.unwrap();
    assert_eq!(drawn.area, crate::view::media::preview_area(panel, 1));
    assert!(!h.app.media.is_busy());
    // A new size re-encodes for the new area.
    h.act(Action::Resize {
        width: 100,
        height: 30,
    });
    let panel = h.app.panes().unwrap().media.unwrap();
    assert_eq!(
        h.app.media.drawn.as_ref().unwrap().area,
        crate::view::media::preview_area(panel, 1)
    );
    // Enter on the focused panel shows it full screen; any key closes.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Focus::Media);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.overlay, Some(Overlay::Image));
    assert_eq!(
        h.app.media.drawn.as_ref().unwrap().area,
        crate::view::media::fullscreen_image_area(h.app.area)
    );
    h.key(KeyCode::Char('q'));
    assert_eq!(h.app.overlay, None);
    assert!(h.app.prompt.is_empty(), "the closing key does not type");
}

#[test]
fn failures_are_kept_and_not_retried() {
    let mut h = H::new();
    h.reply(&["![x](", CAT, ")\n"]);
    h.act(Action::Media(MediaMsg::Fetched {
        url: CAT.into(),
        result: Err("HTTP 404 from img.example".into()),
    }));
    assert!(matches!(h.app.media.load(CAT), Some(Load::Failed(e)) if e.contains("404")));
    assert!(fetches(&h.key(KeyCode::Char('a'))).is_empty());
    assert!(h.app.media.drawn.is_none());
}

#[test]
fn newest_first_selection_and_item_keys() {
    let mut h = H::new();
    h.reply(&["[song](", SONG, ") ![cat](", CAT, ")\n"]);
    let urls: Vec<&str> = h
        .app
        .media
        .newest_first()
        .map(|i| i.link.url.as_str())
        .collect();
    assert_eq!(urls, [CAT, SONG]);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.media.selected_item().unwrap().link.url, CAT);
    // Down selects the older song: audio is listed but not fetched.
    assert!(fetches(&h.key(KeyCode::Down)).is_empty());
    assert_eq!(h.app.media.selected_item().unwrap().link.url, SONG);
    assert_eq!(h.app.media.selected_item().unwrap().number, 1);
    let fx = h.key(KeyCode::Char('y'));
    assert!(matches!(&fx[..], [Effect::Copy { text }] if text == SONG));
    let fx = h.key(KeyCode::Char('s'));
    let [Effect::Media(MediaEffect::Save { url, name, dir, .. })] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!((url.as_str(), name.as_str()), (SONG, "abc.mp3"));
    assert_eq!(dir, &h.app.media.settings.downloads_dir);
    let fx = h.key(KeyCode::Char('o'));
    assert!(
        matches!(&fx[..], [Effect::Media(MediaEffect::Open { url, key_from: None, .. })] if url == SONG)
    );
    // Up goes back to the newest; typing returns to the prompt.
    h.key(KeyCode::Up);
    assert_eq!(h.app.media.selected_item().unwrap().link.url, CAT);
    h.type_text("hi");
    assert_eq!(h.app.focus, Focus::Input);
    assert_eq!(h.app.prompt.text(), "hi");
}

#[test]
fn non_web_links_are_never_fetched_or_opened() {
    let mut h = H::new();
    h.reply(&["![f](ftp://files.example/a.png)\n"]);
    assert!(h.app.media.open);
    assert!(h.app.media.loads.is_empty());
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert!(h.key(KeyCode::Char('o')).is_empty());
    assert!(h.app.notice.as_ref().unwrap().is_error);
}

#[test]
fn toggle_focus_cycle_and_auto_open_setting() {
    let mut h = H::new();
    h.app.media.settings.auto_open = false;
    h.reply(&["![demo](", DEMO_IMAGE_URL, ")\n"]);
    assert!(!h.app.media.open);
    assert_eq!(h.app.focus, Focus::Input);
    // Closed: Tab skips the panel.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Focus::Input);
    // Ctrl+G opens it and fetches the built-in demo image.
    assert_eq!(fetches(&h.ctrl('g')), [DEMO_IMAGE_URL]);
    assert!(h.app.media.open);
    let conv_width = h.app.panes().unwrap().conversation.width;
    assert_eq!(conv_width, 72, "the panel narrows the conversation");
    for want in [Focus::Conversation, Focus::Media, Focus::Input] {
        h.key(KeyCode::Tab);
        assert_eq!(h.app.focus, want);
    }
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::F(3));
    assert!(!h.app.media.open);
    assert_eq!(
        h.app.focus,
        Focus::Input,
        "hiding the focused panel moves the focus"
    );
}

#[test]
fn drawing_off_lists_without_fetching() {
    let mut h = H::new();
    h.app.media.picker = None;
    let fx = h.reply(&["![demo](", DEMO_IMAGE_URL, ")\n"]);
    assert!(h.app.media.open);
    assert!(fetches(&fx).is_empty());
}

#[test]
fn a_new_chat_empties_the_panel() {
    let mut h = H::new();
    h.reply(&["![cat](", CAT, ")\n"]);
    assert_eq!(h.app.media.items.len(), 1);
    h.ctrl('n');
    assert!(h.app.media.items.is_empty());
}

#[test]
fn image_command_round_trip() {
    let mut h = H::new();
    h.type_text("/image 一只猫 --size 512x512 --n 2 --model flux");
    let fx = h.key(KeyCode::Enter);
    let [
        Effect::Media(MediaEffect::Generate {
            message_id, body, ..
        }),
    ] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(body["model"], "flux");
    assert_eq!(body["n"], 2);
    assert_eq!(body["size"], "512x512");
    assert_eq!(body["prompt"], "一只猫");
    let id = *message_id;
    assert!(h.app.prompt.is_empty());
    assert!(h.app.media.is_busy());
    assert_eq!(h.app.conv.messages().len(), 2);
    // A second one waits for the first.
    h.type_text("/image again");
    assert!(h.key(KeyCode::Enter).is_empty());
    let app = &mut h.app;
    app.prompt.take(&app.theme);
    let fx = h.act(Action::Media(MediaMsg::Generated {
        message_id: id,
        result: Ok(vec![CAT.into(), DEMO_IMAGE_URL.into()]),
    }));
    let msg = h.app.conv.messages().last().unwrap();
    assert_eq!(msg.status, crate::chat::Status::Done);
    assert!(msg.content.contains(CAT));
    assert_eq!(h.app.media.items.len(), 2);
    assert!(h.app.media.open);
    assert_eq!(fetches(&fx), [DEMO_IMAGE_URL], "the newest is fetched");
    // Neither the `/image` line nor the links are a turn of the chat with the model.
    assert!(h.app.conv.wire_history().is_empty());
    assert!(h.app.conv.left_out(id - 1) && h.app.conv.left_out(id));
}

#[test]
fn image_without_model_uses_the_providers_configured_image_model() {
    let mut h = H::new();
    let mut p = crate::config::Provider::new("relay", Some("http://127.0.0.1:9/v1".into()));
    p.models = vec![
        crate::config::ModelSpec::new("deepseek-chat"),
        crate::config::ModelSpec {
            kind: crate::config::Capability::Image,
            ..crate::config::ModelSpec::new("gpt-4o-all")
        },
        crate::config::ModelSpec {
            kind: crate::config::Capability::Image,
            ..crate::config::ModelSpec::new("flux-schnell")
        },
    ];
    h.app.target = crate::providers::Target {
        provider: p.clone(),
        model: p.models[0].clone(),
    };
    h.app.providers = vec![p];
    h.type_text("/image 一只猫");
    let fx = h.key(KeyCode::Enter);
    let [Effect::Media(MediaEffect::Generate { body, .. })] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(body["model"], "flux-schnell");
    assert!(!h.notice().contains("generating with"), "{}", h.notice());
    assert_eq!(
        h.app.conv.messages().last().unwrap().model.as_deref(),
        Some("relay:flux-schnell (images)")
    );
}

#[test]
fn image_command_mistakes_keep_the_prompt() {
    let mut h = H::new();
    h.type_text("/image cat --n 0");
    assert!(h.key(KeyCode::Enter).is_empty());
    assert_eq!(h.app.prompt.text(), "/image cat --n 0");
    assert!(h.app.notice.as_ref().unwrap().is_error);
    assert!(h.app.conv.is_empty());
}

#[test]
fn failed_generation_fails_the_message() {
    let mut h = H::new();
    h.type_text("/image cat");
    let fx = h.key(KeyCode::Enter);
    let [
        Effect::Media(MediaEffect::Generate {
            message_id, body, ..
        }),
    ] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(body["model"], crate::api::images::DEFAULT_IMAGE_MODEL);
    // The demo provider lists no image model: the guess is said, not silent.
    assert!(
        h.notice().contains("generating with dall-e-3") && h.notice().contains("--model"),
        "{}",
        h.notice()
    );
    let id = *message_id;
    h.act(Action::Media(MediaMsg::Generated {
        message_id: id,
        result: Err("403 insufficient_user_quota".into()),
    }));
    assert!(matches!(
        &h.app.conv.messages().last().unwrap().status,
        crate::chat::Status::Failed(e) if e.contains("quota")
    ));
    assert!(h.app.media.generating.is_none());
}

#[test]
fn search_citations_join_the_panel_as_links() {
    let mut h = H::new();
    h.type_text("上海天气");
    let fx = h.key(KeyCode::Enter);
    let Some(Effect::StartReply { reply_id, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let id = *reply_id;
    let cite = crate::api::Citation {
        title: "上海天气".into(),
        url: "https://sh.weather.com.cn/".into(),
    };
    h.act(Action::Stream {
        id,
        msg: StreamMsg::Event(StreamEvent::Citations(vec![cite])),
    });
    h.act(Action::Stream {
        id,
        msg: StreamMsg::Event(StreamEvent::Content("明天上海晴到多云。[[1]]".into())),
    });
    h.act(Action::Stream {
        id,
        msg: StreamMsg::End(Ok(ReplyEnd::default())),
    });
    let urls = h.app.media.urls();
    assert_eq!(urls, ["https://sh.weather.com.cn/"]);
    assert_eq!(h.app.media.items[0].link.label.as_deref(), Some("上海天气"));
    // A citation is a web page: listed, never downloaded, even when chosen.
    h.ctrl('g');
    assert!(h.app.media.open);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Focus::Media);
    assert!(fetches(&h.key(KeyCode::Enter)).is_empty());
    assert!(h.app.media.loads.is_empty());
}

#[test]
fn piece_by_piece_items_match_a_fresh_scan_of_the_reply() {
    let mut h = H::new();
    h.app.conv = crate::dev::synthetic::conversation(6);
    h.type_text("hi");
    let fx = h.key(KeyCode::Enter);
    let Some(Effect::StartReply { reply_id, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let id = *reply_id;
    let text = crate::dev::synthetic::reply_with_links(3_000);
    let chars: Vec<char> = text.chars().collect();
    for piece in chars.chunks(5) {
        h.act(Action::Stream {
            id,
            msg: StreamMsg::Event(StreamEvent::Content(piece.iter().collect())),
        });
        let content = &h.app.conv.messages().last().unwrap().content;
        let want: Vec<String> = settled_links(content, true)
            .into_iter()
            .map(|l| l.url)
            .collect();
        let got: Vec<String> = item_urls(&h);
        assert_eq!(got, want, "after {} bytes", content.len());
    }
    h.act(Action::Stream {
        id,
        msg: StreamMsg::End(Ok(ReplyEnd::default())),
    });
    let done: Vec<String> = item_urls(&h);
    let want: Vec<String> = settled_links(&text, false)
        .into_iter()
        .map(|l| l.url)
        .collect();
    assert_eq!(done, want);
}

/// The URLs in the panel, newest first.
fn item_urls(h: &H) -> Vec<String> {
    h.app
        .media
        .items
        .iter()
        .map(|i| i.link.url.clone())
        .collect()
}

#[test]
fn a_url_with_escape_sequences_is_copied_as_shown() {
    let mut h = H::new();
    h.type_text("天气");
    let fx = h.key(KeyCode::Enter);
    let Some(Effect::StartReply { reply_id, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let id = *reply_id;
    // Links in the text are found in the text as shown; a citation's URL comes from the JSON
    // as sent, so an 8-bit OSC can ride along in it.
    let cite = crate::api::Citation {
        title: String::new(),
        url: "https://img.example/a\u{9d};touch${IFS}/tmp/PWNED\u{7}".into(),
    };
    h.act(Action::Stream {
        id,
        msg: StreamMsg::Event(StreamEvent::Citations(vec![cite])),
    });
    h.act(Action::Stream {
        id,
        msg: StreamMsg::End(Ok(ReplyEnd::default())),
    });
    assert!(
        h.app.media.items[0].link.url.contains('\u{9d}'),
        "the raw link"
    );
    h.ctrl('g');
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    let fx = h.key(KeyCode::Char('y'));
    let [Effect::Copy { text }] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(text, "https://img.example/a");
    assert!(
        h.notice().ends_with(crate::app::copy::STRIPPED_NOTE),
        "{}",
        h.notice()
    );
}

mod keyed;
mod limits;
mod opening;
