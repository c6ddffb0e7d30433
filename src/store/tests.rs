use chrono::{Local, TimeZone};

use super::*;
use crate::api::{Citation, Usage};
use crate::chat::{Role, Status};

fn new_session(store: &mut Store, title: &str) -> SessionId {
    store
        .create_session(&NewSession {
            title: title.into(),
            model: "mock:gpt-4o".into(),
            created: Local.timestamp_millis_opt(1_700_000_000_123).unwrap(),
        })
        .unwrap()
}

fn user(id: u64, text: &str) -> Message {
    let mut m = Message::new(id, Role::User, text, crate::chat::test_time());
    m.edit(|f| {
        f.created = Local
            .timestamp_millis_opt(1_700_000_000_000 + id as i64)
            .unwrap()
    });
    m
}

fn reply(id: u64, text: &str) -> Message {
    let mut m = user(id, text);
    m.edit(|f| f.role = Role::Assistant);
    m.edit(|f| f.model = Some("mock:deepseek-reasoner".into()));
    m
}

#[test]
fn messages_round_trip_with_every_field() {
    let mut store = Store::open_in_memory().unwrap();
    let id = new_session(&mut store, "你好");
    let mut a = reply(1, "答案 ![](https://x.cn/a.png)");
    a.edit(|f| f.reasoning = "先想一想".into());
    a.edit(|f| {
        f.usage = Some(Usage {
            cached_tokens: None,
            prompt_tokens: 3,
            completion_tokens: 4,
            total_tokens: 7,
            reasoning_tokens: Some(2),
        })
    });
    a.edit(|f| f.finish_reason = Some("stop".into()));
    a.edit(|f| f.truncated = true);
    a.edit(|f| {
        f.citations = vec![Citation {
            title: "t".into(),
            url: "https://c.cn".into(),
        }]
    });
    let mut cancelled = reply(2, "半");
    cancelled.edit(|f| f.status = Status::Cancelled);
    let mut broken = reply(3, "断");
    broken.edit(|f| f.status = Status::Interrupted("dropped".into()));
    let mut failed = reply(4, "");
    failed.edit(|f| f.status = Status::Failed("401".into()));
    let mut card = reply(5, "**Midjourney** task `1001` · running");
    card.edit(|f| f.task = true);
    let msgs = vec![user(0, "问题"), a, cancelled, broken, failed, card];
    store.save_messages(id, "mock:x", &msgs).unwrap();
    let loaded = store.load(id).unwrap();
    // The fields come back; the revision is the cache's, not stored.
    let fields = |ms: &[Message]| ms.iter().map(|m| (**m).clone()).collect::<Vec<_>>();
    assert_eq!(fields(&loaded.messages), fields(&msgs));
    assert_eq!(loaded.summary.title, "你好");
    assert_eq!(loaded.summary.model, "mock:x");
    assert_eq!(loaded.summary.message_count, 6);
    assert!(loaded.messages[5].is_task_card() && !loaded.messages[1].is_task_card());
    assert_eq!(loaded.summary.created.timestamp_millis(), 1_700_000_000_123);
    let media: String = store
        .conn
        .query_row("SELECT media FROM messages WHERE seq = 1", [], |r| r.get(0))
        .unwrap();
    assert!(media.contains("https://x.cn/a.png") && media.contains("image"));
}

#[test]
fn saving_again_updates_in_place_and_a_live_reply_loads_as_interrupted() {
    let mut store = Store::open_in_memory().unwrap();
    let id = new_session(&mut store, "t");
    let mut r = reply(1, "部分");
    r.edit(|f| f.status = Status::Streaming);
    store
        .save_messages(id, "m", &[user(0, "q"), r.clone()])
        .unwrap();
    r.edit(|f| f.content.push_str("更多"));
    store.save_messages(id, "m", &[r]).unwrap();
    let loaded = store.load(id).unwrap();
    assert_eq!(loaded.messages.len(), 2);
    assert_eq!(loaded.messages[1].content, "部分更多");
    assert_eq!(
        loaded.messages[1].status,
        Status::Interrupted(rows::STOPPED_MID_REPLY.into())
    );
}

#[test]
fn fts_finds_a_chinese_word_inside_a_longer_sentence() {
    let mut store = Store::open_in_memory().unwrap();
    let a = new_session(&mut store, "闲聊");
    store
        .save_messages(
            a,
            "m",
            &[
                user(0, "你好"),
                reply(1, "今天我们讨论一下量子计算机的基本原理吧"),
            ],
        )
        .unwrap();
    let b = new_session(&mut store, "旅行");
    store
        .save_messages(b, "m", &[user(0, "请问明天北京的天气怎么样？\n另外带伞吗")])
        .unwrap();
    let hits = store.search("量子计算", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].session.id, a);
    assert_eq!(
        hits[0].snippet.as_deref(),
        Some("今天我们讨论一下量子计算机的基本原理吧")
    );
    // Two characters: below the trigram size, answered by LIKE.
    let hits = store.search("天气", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].session.id, b);
    assert_eq!(
        hits[0].snippet.as_deref(),
        Some("请问明天北京的天气怎么样？")
    );
    // Words must all be in one message; a title matches on its own.
    assert_eq!(store.search("北京 量子", 10).unwrap().len(), 0);
    assert_eq!(store.search("北京 天气", 10).unwrap().len(), 1);
    let by_title = store.search("旅行", 10).unwrap();
    assert_eq!(by_title.len(), 1);
    assert_eq!(by_title[0].snippet, None);
    assert!(store.search("不存在的词", 10).unwrap().is_empty());
}

#[test]
fn search_treats_query_syntax_as_text() {
    let mut store = Store::open_in_memory().unwrap();
    let id = new_session(&mut store, "t");
    store
        .save_messages(id, "m", &[user(0, "100% sure \"quoted\" a_b OR NOT")])
        .unwrap();
    for q in [
        "100%",
        "\"quoted\"",
        "a_b",
        "OR",
        "NOT",
        "\"",
        "*",
        "sure)",
        "(sure",
    ] {
        let r = store.search(q, 10);
        assert!(r.is_ok(), "{q}: {r:?}");
    }
    assert_eq!(store.search("100%", 10).unwrap().len(), 1);
    assert_eq!(store.search("\"quoted\"", 10).unwrap().len(), 1);
    assert_eq!(store.search("a_b", 10).unwrap().len(), 1);
    assert_eq!(store.search("0%", 10).unwrap().len(), 1);
    assert_eq!(
        store.search("x_", 10).unwrap().len(),
        0,
        "_ is not a wildcard"
    );
}

#[test]
fn listing_is_newest_first_and_rename_delete_work() {
    let mut store = Store::open_in_memory().unwrap();
    let first = new_session(&mut store, "one");
    store.save_messages(first, "m", &[user(0, "a")]).unwrap();
    let second = new_session(&mut store, "two");
    store.save_messages(second, "m", &[user(0, "b")]).unwrap();
    store
        .conn
        .execute(
            "UPDATE sessions SET updated = updated + 10 WHERE id = ?1",
            [first],
        )
        .unwrap();
    let ids: Vec<_> = store.sessions(10).unwrap().iter().map(|s| s.id).collect();
    assert_eq!(ids, [first, second]);
    assert_eq!(store.latest().unwrap(), Some(first));
    store.rename(second, "新名字").unwrap();
    assert_eq!(store.load(second).unwrap().summary.title, "新名字");
    store.delete_session(first).unwrap();
    assert!(matches!(store.load(first), Err(StoreError::NotFound(_))));
    assert!(store.search("a", 10).unwrap().is_empty());
    assert!(matches!(
        store.delete_session(first),
        Err(StoreError::NotFound(_))
    ));
    store.delete_messages(second, &[0]).unwrap();
    assert_eq!(store.load(second).unwrap().messages.len(), 0);
}

#[test]
fn writing_to_a_missing_session_fails() {
    let mut store = Store::open_in_memory().unwrap();
    assert!(matches!(
        store.save_messages(42, "m", &[user(0, "x")]),
        Err(StoreError::NotFound(42))
    ));
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let garbage = b"this is not an sqlite database, but someone's precious file\n".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::Open { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(names.len(), 1, "no journal or WAL file next to it");
}

#[test]
fn a_database_from_a_newer_ecochat_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 999; CREATE TABLE future (x);")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).err().expect("refused");
    assert!(
        matches!(err, StoreError::NewerSchema { found: 999, .. }),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_locked_database_fails_to_open_after_waiting_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    drop(Store::open(&path).unwrap());
    let holder = Connection::open(&path).unwrap();
    holder
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .unwrap();
    let started = std::time::Instant::now();
    let blocked = match Store::open(&path) {
        Err(_) => true,
        // WAL may let the open itself through; the first write must then fail.
        Ok(mut store) => store
            .create_session(&NewSession {
                title: "t".into(),
                model: "m".into(),
                created: Local::now(),
            })
            .is_err(),
    };
    assert!(blocked);
    assert!(started.elapsed() < Duration::from_secs(10));
    holder.execute_batch("COMMIT").unwrap();
}

#[test]
fn open_existing_does_not_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join(DB_FILE);
    assert!(matches!(
        Store::open_existing(&path),
        Err(StoreError::Missing { .. })
    ));
    assert!(!dir.path().join("sub").exists());
}

#[cfg(unix)]
#[test]
fn the_database_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let mut store = Store::open(&path).unwrap();
    new_session(&mut store, "t");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn a_reply_written_in_parts_reads_back_whole_and_rewrites_and_deletes_drop_the_parts() {
    let mut store = Store::open_in_memory().unwrap();
    let id = new_session(&mut store, "长文");
    let mut live = reply(2, "开头");
    live.edit(|f| f.reasoning = "想".into());
    live.edit(|f| f.status = Status::Streaming);
    store
        .save_messages(id, "mock:m", &[user(1, "写"), live.clone()])
        .unwrap();
    // 600 KB of 3-byte characters: split into parts at character boundaries.
    let long = "段".repeat(200_000);
    store
        .append_to_message(id, "mock:m", 2, (&long, "再想"), None)
        .unwrap();
    let parts: i64 = store
        .conn
        .query_row("SELECT COUNT(*) FROM message_parts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(parts, 3);
    // Stopped here, it loads as what arrived, marked interrupted.
    let back = &store.load(id).unwrap().messages[1];
    assert_eq!(back.content, format!("开头{long}"));
    assert_eq!(back.reasoning, "想再想");
    assert!(matches!(back.status, Status::Interrupted(_)));

    let mut done = live.clone();
    done.edit(|f| f.status = Status::Done);
    done.edit(|f| {
        f.usage = Some(Usage {
            cached_tokens: None,
            prompt_tokens: 1,
            completion_tokens: 2,
            total_tokens: 3,
            reasoning_tokens: None,
        })
    });
    store
        .append_to_message(id, "mock:m", 2, ("结尾", ""), Some((&done, "[]")))
        .unwrap();
    let back = &store.load(id).unwrap().messages[1];
    assert_eq!(back.content, format!("开头{long}结尾"));
    assert_eq!(back.status, Status::Done);
    assert_eq!(back.usage, done.usage);
    // Search finds words in the row and in the parts, short and long, with a snippet.
    assert_eq!(store.search("开头", 10).unwrap().len(), 1);
    for (term, line) in [("结尾", "结尾"), ("段段段段", "段段"), ("再想", "再想")] {
        let hits = store.search(term, 10).unwrap();
        assert_eq!(hits.len(), 1, "{term}");
        let snippet = hits[0].snippet.clone().unwrap_or_default();
        assert!(snippet.contains(line), "{term}: {snippet:?}");
    }
    assert!(store.search("结尾 没有", 10).unwrap().is_empty());

    let count = |store: &Store| -> i64 {
        store
            .conn
            .query_row("SELECT COUNT(*) FROM message_parts", [], |r| r.get(0))
            .unwrap()
    };
    // A whole-row write replaces the text: the parts go.
    store.save_messages(id, "mock:m", &[done.clone()]).unwrap();
    assert_eq!(count(&store), 0);
    assert_eq!(store.load(id).unwrap().messages[1].content, "开头");
    // Deleting the message or the session takes its parts along.
    store
        .append_to_message(id, "mock:m", 2, ("x", ""), None)
        .unwrap();
    store.delete_messages(id, &[2]).unwrap();
    assert_eq!(count(&store), 0);
    store.save_messages(id, "mock:m", &[live.clone()]).unwrap();
    store
        .append_to_message(id, "mock:m", 2, ("x", ""), None)
        .unwrap();
    store.delete_session(id).unwrap();
    assert_eq!(count(&store), 0);
}

#[test]
fn deleted_session_ids_are_never_reused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let mut store = Store::open(&path).unwrap();
    let ids: Vec<SessionId> = (0..4)
        .map(|i| new_session(&mut store, &format!("s{i}")))
        .collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    store.delete_session(3).unwrap();
    store.delete_session(4).unwrap();
    assert_eq!(new_session(&mut store, "s5"), 5);
    store.delete_session(5).unwrap();
    drop(store);
    // The mark is in the file, not in the connection.
    let mut store = Store::open(&path).unwrap();
    assert_eq!(new_session(&mut store, "s6"), 6);
    assert_eq!(store.sessions(10).unwrap().len(), 3);
}

#[test]
fn a_conversation_tree_comes_back_with_its_alternatives() {
    use crate::chat::Conversation;
    let mut store = Store::open_in_memory().unwrap();
    let id = new_session(&mut store, "树");
    let mut c = Conversation::default();
    c.push(Role::User, "问", crate::chat::test_time());
    let first = c.push(Role::Assistant, "第一个回答", crate::chat::test_time());
    c.set_aside_replies();
    c.push(Role::Assistant, "第二个回答", crate::chat::test_time());
    let all: Vec<Message> = c.all().cloned().collect();
    store.save_messages(id, "mock:x", &all).unwrap();
    let loaded = Conversation::from_messages(store.load(id).unwrap().messages);
    let texts = |c: &Conversation| -> Vec<String> {
        c.messages().iter().map(|m| m.content.clone()).collect()
    };
    assert_eq!(texts(&loaded), ["问", "第二个回答"]);
    assert_eq!(loaded.hidden().len(), 1);
    assert_eq!(loaded.get(first).and_then(|m| m.parent), Some(0));
    assert_eq!(
        loaded.messages()[1].fork.map(|f| (f.index, f.count)),
        Some((2, 2))
    );
}

#[test]
fn the_page_cache_is_small_so_a_long_session_does_not_grow_it() {
    let store = Store::open_in_memory().unwrap();
    let kib: i64 = store
        .conn
        .query_row("PRAGMA cache_size", [], |r| r.get(0))
        .unwrap();
    // Negative: a size in KiB (SQLite's default is -2000).
    assert_eq!(kib, -i64::from(CACHE_KIB));
}

#[test]
fn openers_of_a_new_database_at_once_all_get_it_migrated() {
    // The session store and the task recorder both open the database at the first prompt.
    for _ in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("ecochat.db");
        let start = std::sync::Arc::new(std::sync::Barrier::new(4));
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Store::open(&path).map(|_| ()).map_err(|e| e.to_string())
                })
            })
            .collect();
        for opener in openers {
            assert_eq!(opener.join().unwrap(), Ok(()));
        }
        let conn = rusqlite::Connection::open(&path).unwrap();
        assert_eq!(schema::version(&conn).unwrap(), schema::LATEST);
    }
}
