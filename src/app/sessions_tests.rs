//! Pure tests of session persistence and the browser: actions in, store commands out.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::api::StreamEvent;
use crate::api::client::ReplyEnd;
use crate::app::browser::{BrowserFocus, BrowserMode};
use crate::app::test_harness::Harness;
use crate::app::{Action, StreamMsg};
use crate::chat::{Message, MessageFields, Status};
use crate::config::{ModelSpec, Provider};
use crate::store::{SearchHit, SessionSummary};

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

// The shared driver, with saving on (to a path the tests never open: effects are checked).
crate::app::test_harness::harness_wrapper!(H);

impl H {
    fn new() -> Self {
        let mut h = Harness::new();
        h.app.sessions = Sessions::new(
            Some(PathBuf::from("/nonexistent/ecochat.db")),
            Some(PathBuf::from("/t")),
            Some(Config::builtin(&|_| None)),
        );
        H(h)
    }

    /// Types `s` with no modifiers; the effects of every key.
    fn type_text(&mut self, s: &str) -> Vec<Effect> {
        s.chars()
            .flat_map(|c| self.key(KeyCode::Char(c), NONE))
            .collect()
    }

    fn send(&mut self, s: &str) -> (u64, Vec<Effect>) {
        self.type_text(s);
        let fx = self.key(KeyCode::Enter, NONE);
        let id = fx
            .iter()
            .find_map(|e| match e {
                Effect::StartReply { reply_id, .. } => Some(*reply_id),
                _ => None,
            })
            .expect("a reply starts");
        (id, fx)
    }

    fn piece(&mut self, id: u64, text: &str, advance: Duration) -> Vec<Effect> {
        self.at(
            advance,
            Action::Stream {
                id,
                msg: StreamMsg::Event(StreamEvent::Content(text.into())),
            },
        )
    }

    fn finish(&mut self, id: u64) -> Vec<Effect> {
        self.act(Action::Stream {
            id,
            msg: StreamMsg::End(Ok(ReplyEnd::default())),
        })
    }

    fn store(&mut self, ev: StoreEvent) -> Vec<Effect> {
        self.act(Action::Store(ev))
    }
}

/// The Save commands among `fx`: (session, messages).
fn saves(fx: &[Effect]) -> Vec<(SessionRef, Vec<Message>)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Store(StoreCmd::Save {
                session, messages, ..
            }) => Some((*session, messages.clone())),
            _ => None,
        })
        .collect()
}

fn store_cmds(fx: &[Effect]) -> Vec<&StoreCmd> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Store(c) => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn the_prompt_is_written_when_sent_with_a_title_from_it() {
    let mut h = H::new();
    let (_, fx) = h.send("明天北京天气怎么样");
    let Some(Effect::Store(StoreCmd::Save {
        session,
        meta,
        messages,
    })) = fx.iter().find(|e| matches!(e, Effect::Store(_)))
    else {
        panic!("{fx:?}")
    };
    assert_eq!(*session, SessionRef::New(0));
    assert_eq!(meta.title, "明天北京天气怎么样");
    assert_eq!(meta.model, "demo:demo");
    assert_eq!(messages.len(), 1, "the empty placeholder is not written");
    assert_eq!(messages[0].content, "明天北京天气怎么样");
}

#[test]
fn a_streaming_reply_is_checkpointed_every_second_and_written_when_done() {
    let mut h = H::new();
    let (id, _) = h.send("hi");
    let first = saves(&h.piece(id, "一", Duration::from_millis(10)));
    assert_eq!(first.len(), 1, "the first piece is written at once");
    assert_eq!(first[0].1[0].status, Status::Streaming);
    for _ in 0..5 {
        assert!(saves(&h.piece(id, "二", Duration::from_millis(100))).is_empty());
    }
    // A tick after the interval writes what arrived, even with no new piece.
    let tick = saves(&h.at(Duration::from_millis(600), Action::Tick));
    assert_eq!(tick.len(), 1);
    assert_eq!(tick[0].1[0].content, "一二二二二二");
    assert!(saves(&h.act(Action::Tick)).is_empty(), "nothing changed");
    let done = saves(&h.finish(id));
    assert_eq!(done[0].1[0].status, Status::Done);
    assert!(saves(&h.at(Duration::from_secs(5), Action::Tick)).is_empty());
}

#[test]
fn ticks_while_a_reply_waits_for_its_checkpoint_look_at_that_reply_alone() {
    let mut h = H::new();
    for prompt in ["一", "二", "三"] {
        let (id, _) = h.send(prompt);
        h.piece(id, "答", Duration::from_millis(10));
        h.finish(id);
    }
    let (id, _) = h.send("hi");
    h.piece(id, "一", Duration::from_millis(10));
    assert!(saves(&h.piece(id, "二", Duration::from_millis(100))).is_empty());
    let planned = h.app.sessions.full_plans;
    // Ticks of a streaming reply checked every message of the session, each time.
    for _ in 0..3 {
        assert!(saves(&h.at(Duration::from_millis(100), Action::Tick)).is_empty());
    }
    let tick = saves(&h.at(Duration::from_secs(1), Action::Tick));
    assert_eq!(tick.len(), 1, "the checkpoint is still written when due");
    assert_eq!(tick[0].1[0].content, "一二");
    assert_eq!(h.app.sessions.full_plans, planned);
    let done = saves(&h.finish(id));
    assert_eq!(done[0].1[0].status, Status::Done);
}

#[test]
fn cancelling_writes_the_partial_reply_as_cancelled() {
    let mut h = H::new();
    let (id, _) = h.send("hi");
    h.piece(id, "部分", Duration::from_millis(10));
    h.piece(id, "更多", Duration::from_millis(10));
    let fx = h.key(KeyCode::Esc, NONE);
    let s = saves(&fx);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].1[0].content, "部分更多");
    assert_eq!(s[0].1[0].status, Status::Cancelled);
}

#[test]
fn the_new_id_is_used_once_reported_and_regenerate_keeps_the_old_reply() {
    let mut h = H::new();
    let (id, _) = h.send("q");
    h.piece(id, "a", Duration::from_millis(10));
    h.finish(id);
    h.store(StoreEvent::Created { local: 0, id: 42 });
    assert_eq!(h.app.sessions.stored_id(), Some(42));
    let fx = h.key(KeyCode::Char('r'), CTRL);
    let cmds = store_cmds(&fx);
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, StoreCmd::DeleteMessages { .. })),
        "the old reply is an alternative now, not deleted: {cmds:?}"
    );
    let s = saves(&fx);
    assert!(matches!(s[0].0, SessionRef::Id(42)), "{cmds:?}");
    let old = &s[0].1[0];
    assert_eq!(
        (old.id, old.fork.map(|f| (f.index, f.count))),
        (id, Some((1, 2)))
    );
}

#[test]
fn new_chat_flushes_the_live_reply_then_starts_a_new_session() {
    let mut h = H::new();
    let (id, _) = h.send("q");
    h.piece(id, "a", Duration::from_millis(10));
    h.piece(id, "b", Duration::from_millis(10));
    let fx = h.key(KeyCode::Char('n'), CTRL);
    let s = saves(&fx);
    assert_eq!(s.len(), 1, "{fx:?}");
    assert_eq!(
        (s[0].0, s[0].1[0].content.as_str()),
        (SessionRef::New(0), "ab")
    );
    assert_eq!(s[0].1[0].status, Status::Cancelled);
    let (_, fx) = h.send("second");
    assert_eq!(saves(&fx)[0].0, SessionRef::New(1));
}

#[test]
fn an_unavailable_store_stops_writes_and_warns() {
    let mut h = H::new();
    h.store(StoreEvent::Unavailable("read-only".into()));
    assert!(h.app.notice.as_ref().unwrap().text.contains("read-only"));
    assert_eq!(h.app.sessions.warning.as_deref(), Some("not saving"));
    let (id, fx) = h.send("q");
    assert!(store_cmds(&fx).is_empty());
    h.piece(id, "a", Duration::from_secs(2));
    assert!(store_cmds(&h.finish(id)).is_empty());
    assert_eq!(h.app.conv.messages().len(), 2, "the chat goes on in memory");
    assert!(store_cmds(&h.key(KeyCode::Char('o'), CTRL)).is_empty());
    assert!(h.app.overlay.is_none());
}

#[test]
fn updates_that_touch_no_message_check_none_once_the_store_has_them_all() {
    let mut h = H::new();
    let (id, _) = h.send("q");
    h.piece(id, "a", Duration::from_millis(10));
    h.finish(id);
    let planned = h.app.sessions.full_plans;
    // Typing the next prompt and the ticks of a long session checked every message each time.
    h.type_text("下一个问题");
    h.act(Action::Tick);
    h.at(Duration::from_secs(5), Action::Tick);
    assert_eq!(h.app.sessions.full_plans, planned);
    // Sending adds messages: those are planned and written.
    let (_, fx) = h.send("");
    assert_eq!(h.app.sessions.full_plans, planned + 1);
    assert_eq!(saves(&fx)[0].1[0].content, "下一个问题");
}

#[test]
fn a_failed_write_waits_then_resends_everything() {
    let mut h = H::new();
    let (id, _) = h.send("q");
    h.store(StoreEvent::WriteFailed("disk full".into()));
    assert!(h.app.notice.as_ref().unwrap().is_error);
    h.piece(id, "a", Duration::from_millis(10));
    assert!(saves(&h.finish(id)).is_empty());
    let fx = h.at(RETRY, Action::Tick);
    let s = saves(&fx);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].1.len(), 2, "both messages again");
    h.store(StoreEvent::Saved);
    assert_eq!(h.app.sessions.warning, None);
}

fn summary(id: i64, title: &str, model: &str) -> SessionSummary {
    SessionSummary {
        id,
        title: title.into(),
        model: model.into(),
        created: Local::now(),
        updated: Local::now(),
        message_count: 2,
        spend: Vec::new(),
        attachments: 0,
    }
}

fn stored(id: i64, model: &str) -> StoredSession {
    let q = Message::new(0, Role::User, "暗号是什么", crate::chat::test_time());
    let mut a = MessageFields::new(1, Role::Assistant, "蓝色的长颈鹿", crate::chat::test_time());
    a.model = Some(model.into());
    let a = Message::from(a);
    StoredSession {
        summary: summary(id, "暗号是什么", model),
        messages: vec![q, a],
        shown: None,
    }
}

#[test]
fn a_loaded_session_continues_with_its_model_and_ids() {
    let mut h = H::new();
    let fx = h.store(StoreEvent::Loaded(Ok(stored(7, "ecovai:deepseek-chat"))));
    assert!(store_cmds(&fx).is_empty(), "nothing is re-written");
    assert_eq!(h.app.target.label(), "ecovai:deepseek-chat");
    assert_eq!(h.app.conv.messages().len(), 2);
    // The demo provider keeps the test offline; the session is still continued.
    h.app.target = Target {
        provider: Provider::builtin_demo(),
        model: ModelSpec::new("demo"),
    };
    let (reply, fx) = h.send("继续");
    let Some(Effect::StartReply { history, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let texts: Vec<_> = history.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(texts, ["暗号是什么", "蓝色的长颈鹿", "继续"]);
    assert_eq!(reply, 3);
    let s = saves(&fx);
    assert_eq!(s[0].0, SessionRef::Id(7));
    assert_eq!(s[0].1[0].id, 2);
}

#[test]
fn an_unknown_model_keeps_the_current_one_and_says_so() {
    let mut h = H::new();
    h.store(StoreEvent::Loaded(Ok(stored(7, "gone:model"))));
    assert_eq!(h.app.target.label(), "demo:demo");
    assert!(h.app.notice.as_ref().unwrap().text.contains("gone:model"));
}

fn hit(id: i64, title: &str) -> SearchHit {
    SearchHit {
        session: summary(id, title, "demo:demo"),
        snippet: None,
        message: None,
    }
}

#[test]
fn the_browser_searches_as_you_type_and_drops_stale_answers() {
    let mut h = H::new();
    let fx = h.key(KeyCode::Char('o'), CTRL);
    assert_eq!(h.app.overlay, Some(Overlay::Sessions));
    assert!(matches!(
        store_cmds(&fx)[..],
        [StoreCmd::Search { generation: 1, .. }]
    ));
    let fx = h.type_text("长颈");
    let Some(StoreCmd::Search { query, generation }) = store_cmds(&fx).last().copied() else {
        panic!("{fx:?}")
    };
    assert_eq!((query.as_str(), *generation), ("长颈", 3));
    h.store(StoreEvent::Found {
        generation: 2,
        hits: Ok(vec![hit(1, "stale")]),
    });
    assert!(h.app.sessions.browser.hits.is_empty());
    h.store(StoreEvent::Found {
        generation: 3,
        hits: Ok(vec![hit(5, "a"), hit(4, "b")]),
    });
    assert_eq!(h.app.sessions.browser.hits.len(), 2);
    h.key(KeyCode::Down, NONE);
    let fx = h.key(KeyCode::Enter, NONE);
    assert!(matches!(store_cmds(&fx)[..], [StoreCmd::Load { id: 4 }]));
    assert_eq!(h.app.overlay, None);
}

#[test]
fn in_the_list_d_deletes_after_yes_and_r_renames() {
    let mut h = H::new();
    h.key(KeyCode::Char('o'), CTRL);
    h.store(StoreEvent::Found {
        generation: 1,
        hits: Ok(vec![hit(5, "a"), hit(4, "b")]),
    });
    h.key(KeyCode::Tab, NONE);
    assert_eq!(h.app.sessions.browser.focus, BrowserFocus::List);
    h.key(KeyCode::Char('j'), NONE);
    h.key(KeyCode::Char('d'), NONE);
    assert_eq!(h.app.sessions.browser.mode, BrowserMode::ConfirmDelete);
    assert!(
        store_cmds(&h.key(KeyCode::Char('n'), NONE)).is_empty(),
        "no keeps it"
    );
    h.key(KeyCode::Char('d'), NONE);
    let fx = h.key(KeyCode::Char('y'), NONE);
    assert!(matches!(store_cmds(&fx)[..], [StoreCmd::Delete { id: 4 }]));
    assert_eq!(h.app.sessions.browser.hits.len(), 1);
    h.key(KeyCode::Char('r'), NONE);
    for _ in 0..3 {
        h.key(KeyCode::Backspace, NONE);
    }
    h.type_text("新标题");
    let fx = h.key(KeyCode::Enter, NONE);
    assert!(
        matches!(store_cmds(&fx)[..], [StoreCmd::Rename { id: 5, title }] if title == "新标题"),
        "{fx:?}"
    );
    // Another letter in the list goes back to searching.
    let fx = h.key(KeyCode::Char('x'), NONE);
    assert_eq!(h.app.sessions.browser.focus, BrowserFocus::Search);
    assert!(matches!(store_cmds(&fx)[..], [StoreCmd::Search { query, .. }] if query == "x"));
    h.key(KeyCode::Esc, NONE);
    assert_eq!(h.app.overlay, None);
}

#[test]
fn deleting_the_open_session_clears_the_screen_and_detaches() {
    let mut h = H::new();
    h.store(StoreEvent::Loaded(Ok(stored(7, "demo:demo"))));
    h.key(KeyCode::Char('o'), CTRL);
    h.store(StoreEvent::Found {
        generation: 1,
        hits: Ok(vec![hit(7, "暗号是什么")]),
    });
    h.key(KeyCode::Delete, NONE);
    h.key(KeyCode::Char('y'), NONE);
    assert!(h.app.conv.is_empty());
    assert!(matches!(h.app.sessions.current, SessionRef::New(_)));
}

#[test]
fn ctrl_s_writes_a_transcript_and_later_saves_replace_it() {
    let mut h = H::new();
    assert!(h.key(KeyCode::Char('s'), CTRL).is_empty());
    let (id, _) = h.send("画一只猫");
    h.piece(id, "![](https://x.cn/cat.png)", Duration::from_millis(10));
    h.finish(id);
    let fx = h.key(KeyCode::Char('s'), CTRL);
    let [
        StoreCmd::WriteTranscript {
            dir,
            stem,
            text,
            previous: None,
            ..
        },
    ] = store_cmds(&fx)[..]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(dir, &PathBuf::from("/t"));
    assert!(stem.ends_with("-画一只猫"), "{stem}");
    assert!(text.starts_with("# 画一只猫\n") && text.contains("- ![](https://x.cn/cat.png)"));
    h.store(StoreEvent::TranscriptSaved(Ok(PathBuf::from("/t/x.md"))));
    assert_eq!(h.app.notice.as_ref().unwrap().text, "saved /t/x.md");
    let fx = h.key(KeyCode::Char('s'), CTRL);
    assert!(matches!(
        store_cmds(&fx)[..],
        [StoreCmd::WriteTranscript { previous: Some(p), .. }] if p == &PathBuf::from("/t/x.md")
    ));
}

#[test]
fn with_saving_off_nothing_is_written() {
    let mut h = H::new();
    h.app.sessions.db_path = None;
    let (id, fx) = h.send("q");
    assert!(store_cmds(&fx).is_empty());
    h.piece(id, "a", Duration::from_secs(2));
    assert!(store_cmds(&h.finish(id)).is_empty());
}

#[test]
fn a_long_reply_is_written_as_its_start_then_appended_parts_never_whole() {
    let mut h = H::new();
    let (id, first) = h.send("写一篇很长的文章");
    let mut cmds: Vec<StoreCmd> = store_cmds(&first).into_iter().cloned().collect();
    // 1.2 MB of CJK text (3-byte chars, so cuts fall inside characters) in 20 KB pieces.
    let piece: String = "长文本的一段，包含中文。".repeat(570);
    for i in 0..60 {
        // Pieces end inside a line, as streamed text does.
        let link = if i % 20 == 7 {
            format!("![图{i}](https://img.example/{i}.png)")
        } else {
            String::new()
        };
        let fx = h.piece(
            id,
            &format!("{i}{piece}{link}\n第{i}行"),
            Duration::from_millis(100),
        );
        cmds.extend(store_cmds(&fx).into_iter().cloned());
    }
    cmds.extend(store_cmds(&h.finish(id)).into_iter().cloned());
    let reply = h.app.conv.messages().last().expect("the reply").clone();
    assert!(reply.content.len() > 1_000_000);
    // The panel's scan of the finished reply is current, so the store's links come from it.
    assert!(h.app.media.text_links(&reply).is_some());

    // No write carries more of the reply than its start, or than a checkpoint's worth.
    let mut appended = 0;
    for cmd in &cmds {
        match cmd {
            StoreCmd::Save { messages, .. } => {
                for m in messages.iter().filter(|m| m.id == id) {
                    assert!(m.content.len() <= LONG_BYTES, "{} bytes", m.content.len());
                }
            }
            StoreCmd::Append { seq, content, .. } => {
                assert_eq!(*seq, id);
                assert!(
                    content.len() <= 2 * CHECKPOINT_BYTES,
                    "{} bytes",
                    content.len()
                );
                appended += 1;
            }
            _ => {}
        }
    }
    assert!(appended >= 2, "{appended} appends");
    let Some(StoreCmd::Append {
        finish: Some(finish),
        ..
    }) = cmds.last()
    else {
        panic!("the last write finishes the reply");
    };
    let (done, media) = &**finish;
    assert_eq!(done.status, Status::Done);
    // The links the media panel found, as a scan of the whole text finds them.
    let want = serde_json::to_string(&crate::store::links::extract(&reply.content)).unwrap();
    assert_eq!(media, &want);
    assert!(want.contains("img.example/47.png"), "{want}");

    // Played into a real store, the reply reads back whole.
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ecochat.db");
    let store = crate::store::task::StoreHandle::spawn(Some(db.clone()), |ev| {
        assert!(!matches!(ev, StoreEvent::WriteFailed(_)), "{ev:?}");
    });
    for cmd in cmds {
        store.send(cmd);
    }
    store.shutdown();
    let store = crate::store::Store::open(&db).expect("the database");
    let session = store.latest().expect("query").expect("a session");
    let loaded = store.load(session).expect("the session");
    let back = loaded.messages.last().expect("the reply");
    assert_eq!(back.content, reply.content);
    assert_eq!(back.status, Status::Done);
}

#[test]
fn a_chat_begun_with_system_is_titled_from_its_first_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ecochat.db");
    let handle = crate::store::task::StoreHandle::spawn(Some(db.clone()), |_| {});
    let mut h = H::new();
    let mut fx = h.type_text("/system 你是翻译");
    fx.extend(h.key(KeyCode::Enter, NONE));
    // The system prompt is written at once, before there is anything to title the chat from.
    assert_eq!(saves(&fx).len(), 1);
    let (id, more) = h.send("把这句话译成英文");
    fx.extend(more);
    fx.extend(h.piece(id, "Translate this", Duration::from_millis(10)));
    fx.extend(h.finish(id));
    for e in fx {
        if let Effect::Store(cmd) = e {
            handle.send(cmd);
        }
    }
    handle.shutdown();
    let store = crate::store::Store::open(&db).unwrap();
    let sessions = store.sessions(10).unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].title, "把这句话译成英文");
    assert_eq!(sessions[0].message_count, 3);
    assert_eq!(h.app.sessions.title.as_deref(), Some("把这句话译成英文"));
}

#[test]
fn the_search_and_rename_fields_take_readline_keys() {
    let mut h = H::new();
    h.key(KeyCode::Char('o'), CTRL);
    h.type_text("giraffe neck");
    h.key(KeyCode::Char('a'), CTRL);
    let fx = h.key(KeyCode::Char('k'), CTRL);
    assert!(matches!(store_cmds(&fx)[..], [StoreCmd::Search { query, .. }] if query.is_empty()));
    let fx = h.key(KeyCode::Char('y'), CTRL);
    assert!(
        matches!(store_cmds(&fx)[..], [StoreCmd::Search { query, .. }] if query == "giraffe neck")
    );
    // Moving the cursor is no new search.
    assert!(store_cmds(&h.key(KeyCode::Char('b'), KeyModifiers::ALT)).is_empty());
    h.store(StoreEvent::Found {
        generation: h.app.sessions.browser.generation,
        hits: Ok(vec![hit(5, "old title here")]),
    });
    h.key(KeyCode::Char('r'), CTRL);
    h.key(KeyCode::Char('w'), CTRL);
    h.key(KeyCode::Char('a'), CTRL);
    h.type_text("新 ");
    let fx = h.key(KeyCode::Enter, NONE);
    assert!(
        matches!(store_cmds(&fx)[..], [StoreCmd::Rename { id: 5, title }] if title == "新 old title"),
        "{fx:?}"
    );
}

#[test]
fn an_opened_session_is_laid_out_with_its_own_text_not_the_last_ones() {
    // Ids restart with every session: the prompt of the chat on screen and the first prompt
    // of the one opened are both message 0, and both unchanged since written.
    let mut h = H::new();
    let (id, _) = h.send("hello there");
    h.finish(id);
    assert!(screen_text(&h).contains("hello there"));
    h.store(StoreEvent::Loaded(Ok(stored(7, "demo:demo"))));
    let text = screen_text(&h);
    assert!(text.contains("暗号是什么"), "{text}");
    assert!(!text.contains("hello there"), "{text}");
}

fn screen_text(h: &H) -> String {
    let layout = h.app.layout();
    layout
        .visible(0, layout.total_lines())
        .iter()
        .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
        .collect()
}
