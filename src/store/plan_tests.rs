//! The write policy, without a database: what is written when, and what is left for later.

use super::*;
use crate::chat::{Conversation, MessageFields, Role, Status, test_time};

fn plan_all(c: &Conversation, has: &StoreHas, due: bool) -> Plan {
    plan(
        c.messages(),
        c.hidden(),
        has,
        Scope { only: None, due },
        |_| None,
    )
}

fn ids(rows: &[Message]) -> Vec<u64> {
    rows.iter().map(|m| m.id).collect()
}

/// A prompt and a reply in `status` holding `text`.
fn exchange(text: &str, status: Status) -> Conversation {
    let mut reply = MessageFields::new(1, Role::Assistant, text, test_time());
    reply.status = status;
    Conversation::from_messages(vec![
        Message::new(0, Role::User, "q", test_time()),
        reply.into(),
    ])
}

#[test]
fn new_and_changed_messages_are_written_whole_once() {
    let mut c = Conversation::default();
    c.push(Role::User, "你好", test_time());
    c.push(Role::Assistant, "答", test_time());
    let mut has = StoreHas::default();
    let p = plan_all(&c, &has, false);
    assert_eq!(ids(&p.rows), [0, 1]);
    assert!(p.appends.is_empty() && p.deleted.is_empty() && !p.checkpoint);
    has.record(&p);
    assert!(plan_all(&c, &has, true).is_empty(), "nothing changed");
    c.set_system(Some("s".into()), test_time());
    let p = plan_all(&c, &has, false);
    assert_eq!(ids(&p.rows), [2], "only the new system prompt");
}

#[test]
fn a_live_reply_waits_for_its_checkpoint_and_an_empty_one_is_never_written() {
    let c = exchange("", Status::Waiting);
    let p = plan_all(&c, &StoreHas::default(), true);
    assert_eq!(ids(&p.rows), [0], "the placeholder is not worth a row");
    let c = exchange("部分", Status::Streaming);
    let mut has = StoreHas::default();
    let p = plan_all(&c, &has, false);
    assert_eq!(ids(&p.rows), [0]);
    assert!(!p.checkpoint);
    has.record(&p);
    let p = plan_all(&c, &has, true);
    assert_eq!(ids(&p.rows), [1]);
    assert!(p.checkpoint);
}

#[test]
fn removed_messages_are_deleted_unless_only_one_changed() {
    let mut c = Conversation::default();
    for text in ["q1", "a1", "q2", "a2"] {
        c.push(Role::User, text, test_time());
    }
    let mut has = StoreHas::default();
    has.record(&plan_all(&c, &has, false));
    c.remove(&[2, 0]);
    let only = Scope {
        only: Some(3),
        due: false,
    };
    assert!(
        plan(c.messages(), c.hidden(), &has, only, |_| None)
            .deleted
            .is_empty()
    );
    let p = plan_all(&c, &has, false);
    assert_eq!(p.deleted, [0, 2]);
    has.record(&p);
    assert!(plan_all(&c, &has, false).is_empty());
}

#[test]
fn a_long_reply_is_written_as_its_start_then_parts_at_line_ends_then_its_end() {
    let line = "长".repeat(100) + "\n";
    let mut text = String::new();
    while text.len() <= LONG_BYTES {
        text.push_str(&line);
    }
    text.push_str("未完");
    let mut c = exchange(&text, Status::Streaming);
    let mut has = StoreHas::default();
    // Past the long mark it is written at once, due or not: the start up to a line end.
    let p = plan_all(&c, &has, false);
    assert_eq!(ids(&p.rows), [0, 1]);
    let head = &p.rows[1];
    assert!(head.content.len() <= LONG_BYTES && head.content.ends_with('\n'));
    assert_eq!(p.appends.len(), 1);
    let a = &p.appends[0];
    assert_eq!(
        head.content.len() + a.content.len(),
        text.rfind('\n').unwrap() + 1
    );
    assert!(a.content.ends_with('\n') && a.finish.is_none());
    has.record(&p);
    let stored = has.get(1).unwrap().parted.unwrap();
    assert_eq!(stored.0, head.content.len() + a.content.len());
    c.get_mut(1).unwrap().append("x");
    assert!(plan_all(&c, &has, false).is_empty(), "a little more waits");
    // The rest of the line waits; once done, it goes with the links of the whole reply.
    let r = c.get_mut(1).unwrap();
    r.append(" ![p](https://x.cn/p.png)");
    r.finish(&Default::default());
    let p = plan_all(&c, &has, false);
    assert!(p.rows.is_empty(), "no row rewritten");
    let a = &p.appends[0];
    assert_eq!(a.content, "未完x ![p](https://x.cn/p.png)");
    let (done, media) = &**a.finish.as_ref().unwrap();
    assert_eq!((done.content.as_str(), &done.status), ("", &Status::Done));
    assert!(media.contains("https://x.cn/p.png"), "{media}");
    has.record(&p);
    assert_eq!(has.get(1).unwrap().parted, None);
}

#[test]
fn a_parted_reply_whose_text_no_longer_grows_from_the_stored_part_is_rewritten_whole() {
    let c = exchange("短", Status::Done);
    let mut has = StoreHas::default();
    has.record(&plan_all(&c, &has, false));
    // The store has more bytes than the text is long: not a continuation.
    has.record(&Plan {
        written: vec![(
            1,
            Written {
                revision: u64::MAX,
                parted: Some((100, 0)),
            },
        )],
        ..Plan::default()
    });
    let p = plan_all(&c, &has, false);
    assert_eq!(ids(&p.rows), [1]);
    assert!(p.appends.is_empty());
}

#[test]
fn links_are_stored_once_the_text_is_final_and_a_current_scan_is_used() {
    let text = "看 ![a](https://x.cn/a.png)";
    let live = exchange(text, Status::Streaming);
    assert_eq!(media_json(&live.messages()[1], None), "[]");
    let done = exchange(text, Status::Done);
    let reply = &done.messages()[1];
    let json = media_json(reply, None);
    assert!(json.contains("https://x.cn/a.png"), "{json}");
    // The panel's links of the text, when current, are what is stored.
    let scanned = crate::media::extract_links("![b](https://x.cn/b.png)");
    let json = media_json(reply, Some(&scanned));
    assert!(json.contains("b.png") && !json.contains("a.png"), "{json}");
}
