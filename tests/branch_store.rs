//! A conversation tree through the real binary against the mock: export writes the branch
//! shown as Markdown and the whole tree as JSON; `--resume` in pipe mode continues the branch
//! shown and stores the new prompt under it.

mod support;

use ecochat::chat::{Conversation, Message, Role};
use support::binary::{self, MockHome};

const REPLY: &str = "你好！有什么可以帮你？";
const OTHER: &str = "换个说法：你好，请讲。";

/// A session of one prompt whose reply was retried: the mock's reply is kept as an
/// alternative and `OTHER` is shown. Returns the session id.
fn retried_session(home: &MockHome) -> i64 {
    let (code, _, err) = home.run(&["-p", "讲个笑话"]);
    assert_eq!(code, 0, "{err}");
    let mut store = binary::open_checked(&home.db());
    let id = store.latest().expect("latest").expect("a session");
    let mut conv = Conversation::from_messages(store.load(id).expect("load").messages);
    conv.set_aside_replies();
    conv.push(Role::Assistant, OTHER, chrono::Local::now());
    let changed: Vec<Message> = conv.all().cloned().collect();
    store
        .save_messages(id, "mock:gpt-4o", &changed)
        .expect("save");
    id
}

#[test]
fn markdown_export_writes_the_branch_shown_and_json_the_whole_tree() {
    let home = MockHome::new();
    let id = retried_session(&home).to_string();
    let (code, md, err) = home.run(&["export", &id, "--format", "md"]);
    assert_eq!(code, 0, "{err}");
    assert!(md.contains(OTHER), "{md}");
    assert!(
        !md.contains(REPLY),
        "the alternative off the branch is left out:\n{md}"
    );
    let (code, json, _) = home.run(&["export", &id, "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let messages = v["messages"].as_array().expect("messages");
    let brief: Vec<(i64, Option<i64>, bool)> = messages
        .iter()
        .map(|m| {
            (
                m["seq"].as_i64().unwrap(),
                m["parent"].as_i64(),
                m["shown"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        brief,
        [(0, None, true), (1, Some(0), false), (2, Some(0), true)]
    );
}

#[test]
fn pipe_resume_continues_the_branch_shown_and_stores_the_prompt_under_it() {
    let home = MockHome::new();
    let id = retried_session(&home).to_string();
    let (code, out, err) = home.run(&["--resume", &id, "-p", "继续"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(REPLY), "{out}");
    let sent = home.server.last_request().expect("a request").contents();
    assert_eq!(sent, ["讲个笑话", OTHER, "继续"]);
    let stored = binary::latest_messages(&home.db());
    let by_seq = |seq: u64| stored.iter().find(|m| m.id == seq).expect("stored");
    assert_eq!(by_seq(3).content, "继续", "numbered past the alternative");
    assert_eq!(by_seq(3).parent, Some(2));
    assert_eq!(by_seq(4).parent, Some(3));
    let conv = Conversation::from_messages(stored);
    let shown: Vec<&str> = conv.messages().iter().map(|m| m.content.as_str()).collect();
    assert_eq!(shown, ["讲个笑话", OTHER, "继续", REPLY]);
}
