//! The conversation's and the messages' rules.

use super::*;
use crate::api::client::ReplyEnd;
use crate::api::{Citation, StreamEvent, Usage};

#[test]
fn wire_history_skips_reasoning_failures_and_live_replies() {
    let mut c = Conversation::default();
    c.push(Role::User, "q1", crate::chat::test_time());
    let a = c.push(Role::Assistant, "a1", crate::chat::test_time());
    c.get_mut(a)
        .unwrap()
        .edit(|f| f.reasoning = "secret thoughts".into());
    c.push(Role::User, "q2", crate::chat::test_time());
    let f = c.push(Role::Assistant, "", crate::chat::test_time());
    c.get_mut(f)
        .unwrap()
        .edit(|f| f.status = Status::Failed("401".into()));
    c.push(Role::User, "q3", crate::chat::test_time());
    let live = c.push(Role::Assistant, "partial", crate::chat::test_time());
    c.get_mut(live)
        .unwrap()
        .edit(|f| f.status = Status::Streaming);
    let wire = c.wire_history();
    let texts: Vec<_> = wire
        .iter()
        .map(|m| (m.role.as_str(), m.content.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            ("user", "q1"),
            ("assistant", "a1"),
            // q2 failed: it is left out with its reply, not sent twice in a row with q3.
            ("user", "q3")
        ]
    );
    assert!(!wire.iter().any(|m| m.content.contains("secret")));
}

#[test]
fn the_system_prompt_is_first_on_the_wire_and_can_be_replaced_or_removed() {
    let mut c = Conversation::default();
    c.push(Role::User, "q1", crate::chat::test_time());
    c.push(Role::Assistant, "a1", crate::chat::test_time());
    c.set_system(Some("你是翻译".into()), crate::chat::test_time());
    let wire = c.wire_history();
    assert_eq!(
        (wire[0].role.as_str(), wire[0].content.as_str()),
        ("system", "你是翻译")
    );
    assert_eq!(wire.len(), 3);
    let id = c.messages()[0].id;
    assert!(id > c.messages()[2].id, "a fresh id, never a reused one");
    c.set_system(Some("terse".into()), crate::chat::test_time());
    assert_eq!(c.system_prompt(), Some("terse"));
    assert_eq!((c.messages()[0].id, c.messages()[0].revision()), (id, 1));
    c.set_system(None, crate::chat::test_time());
    assert_eq!(c.system_prompt(), None);
    assert_eq!(c.messages().len(), 2);
}

#[test]
fn a_stored_system_prompt_comes_back_first() {
    let mut c = Conversation::default();
    c.push(Role::User, "q1", crate::chat::test_time());
    c.set_system(Some("s".into()), crate::chat::test_time());
    // The store returns messages by id: the system prompt last.
    let mut stored = c.messages().to_vec();
    stored.sort_by_key(|m| m.id);
    let back = Conversation::from_messages(stored);
    assert_eq!(back.system_prompt(), Some("s"));
    assert_eq!(back.messages(), c.messages());
}

#[test]
fn cancelled_partial_replies_are_kept_in_history() {
    let mut c = Conversation::default();
    c.push(Role::User, "q", crate::chat::test_time());
    let a = c.push(Role::Assistant, "half an answer", crate::chat::test_time());
    c.get_mut(a).unwrap().edit(|f| f.status = Status::Cancelled);
    assert_eq!(c.wire_history().len(), 2);
}

fn reply_in(c: &mut Conversation) -> u64 {
    c.push(Role::User, "q", test_time());
    c.push_reply("p:m".into(), test_time())
}

/// Applies `change` to message `id` and returns what it reported and whether the revision moved.
fn changed(
    c: &mut Conversation,
    id: u64,
    change: impl FnOnce(&mut Message) -> bool,
) -> (bool, bool) {
    let before = c.get(id).unwrap().revision();
    let said = change(c.get_mut(id).unwrap());
    (said, c.get(id).unwrap().revision() != before)
}

#[test]
fn a_reply_waits_streams_and_finishes_bumping_the_revision_only_on_change() {
    let mut c = Conversation::default();
    let id = reply_in(&mut c);
    let r = c.get(id).unwrap();
    assert_eq!(
        (&r.status, r.model.as_deref()),
        (&Status::Waiting, Some("p:m"))
    );
    assert_eq!(changed(&mut c, id, |m| m.start_streaming()), (true, true));
    assert_eq!(c.get(id).unwrap().status, Status::Streaming);
    // Already streaming: nothing shown changes, so nothing is laid out or written again.
    assert_eq!(changed(&mut c, id, |m| m.start_streaming()), (false, false));
    assert_eq!(changed(&mut c, id, |m| m.append("你好")), (true, true));
    assert_eq!(changed(&mut c, id, |m| m.append("")), (false, false));
    assert_eq!(
        changed(&mut c, id, |m| m.append_reasoning("想")),
        (true, true)
    );
    let usage = Usage {
        prompt_tokens: 1,
        completion_tokens: 2,
        total_tokens: 3,
        reasoning_tokens: None,
        cached_tokens: None,
    };
    assert_eq!(changed(&mut c, id, |m| m.set_usage(usage)), (true, true));
    assert_eq!(changed(&mut c, id, |m| m.set_usage(usage)), (false, false));
    let cost = Some(crate::cost::Money::new(12, crate::cost::Currency::Cny));
    assert_eq!(changed(&mut c, id, |m| m.set_cost(cost)), (true, true));
    assert_eq!(changed(&mut c, id, |m| m.set_cost(cost)), (false, false));
    let citation = Citation {
        title: "t".into(),
        url: "https://c.cn".into(),
    };
    assert_eq!(
        changed(&mut c, id, |m| m.add_citations(vec![citation.clone()])),
        (true, true)
    );
    assert_eq!(
        changed(&mut c, id, |m| m.add_citations(Vec::new())),
        (false, false)
    );
    assert_eq!(
        changed(&mut c, id, |m| m.set_finish_reason("length".into())),
        (true, true)
    );
    let end = ReplyEnd {
        finish_reason: Some("stop".into()),
        possibly_truncated: true,
        ..ReplyEnd::default()
    };
    assert_eq!(changed(&mut c, id, |m| m.finish(&end)), (true, true));
    let r = c.get(id).unwrap();
    assert_eq!(r.status, Status::Done);
    assert!(r.truncated);
    // The reason sent in the stream wins over the one read at the end.
    assert_eq!(r.finish_reason.as_deref(), Some("length"));
    assert_eq!((r.content.as_str(), r.reasoning.as_str()), ("你好", "想"));
    assert_eq!(r.citations, [citation]);
    assert_eq!(changed(&mut c, id, |m| m.finish(&end)), (false, false));
}

#[test]
fn stream_pieces_are_taken_in_as_the_methods_would() {
    let mut a = Message::new(0, Role::Assistant, "", test_time());
    let mut b = a.clone();
    let events = [
        StreamEvent::Reasoning("r".into()),
        StreamEvent::Content("c".into()),
        StreamEvent::Finish("stop".into()),
        StreamEvent::Error(crate::api::ApiError::InStream {
            message: "x".into(),
        }),
    ];
    let said: Vec<bool> = events.iter().map(|e| a.receive(e)).collect();
    assert_eq!(said, [true, true, true, false]);
    b.append_reasoning("r");
    b.append("c");
    b.set_finish_reason("stop".into());
    assert_eq!(a, b);
}

#[test]
fn an_error_fails_a_reply_with_no_text_and_interrupts_one_with_some() {
    let mut c = Conversation::default();
    let empty = reply_in(&mut c);
    let started = reply_in(&mut c);
    let thinking = reply_in(&mut c);
    c.get_mut(started).unwrap().append("半");
    c.get_mut(thinking).unwrap().append_reasoning("想");
    for id in [empty, started, thinking] {
        assert_eq!(changed(&mut c, id, |m| m.fail("502".into())), (true, true));
        assert_eq!(
            changed(&mut c, id, |m| m.fail("502".into())),
            (false, false)
        );
    }
    assert_eq!(c.get(empty).unwrap().status, Status::Failed("502".into()));
    for id in [started, thinking] {
        assert_eq!(c.get(id).unwrap().status, Status::Interrupted("502".into()));
    }
    // A message whose text describes its own request fails whole, text and all.
    let card = reply_in(&mut c);
    c.get_mut(card)
        .unwrap()
        .complete("> 一只红狐狸\n\n✖ 400".into());
    assert_eq!(
        changed(&mut c, card, |m| m.fail_whole("no result".into())),
        (true, true)
    );
    assert_eq!(
        c.get(card).unwrap().status,
        Status::Failed("no result".into())
    );
    // A stray error piece interrupts whatever arrived; a cancel keeps the text.
    let stray = reply_in(&mut c);
    assert_eq!(
        changed(&mut c, stray, |m| m.interrupt("x".into())),
        (true, true)
    );
    assert_eq!(
        c.get(stray).unwrap().status,
        Status::Interrupted("x".into())
    );
    assert_eq!(changed(&mut c, started, |m| m.cancel()), (true, true));
    assert_eq!(changed(&mut c, started, |m| m.cancel()), (false, false));
    assert_eq!(c.get(started).unwrap().content, "半");
}

#[test]
fn a_reply_cut_at_the_size_cap_says_so_and_a_cancelled_end_is_cancelled() {
    let mut m = Message::new(0, Role::Assistant, "", test_time());
    m.set_finish_reason("length".into());
    m.finish(&ReplyEnd {
        over_limit: true,
        ..ReplyEnd::default()
    });
    assert_eq!(m.finish_reason.as_deref(), Some(OVER_SIZE_LIMIT));
    let mut m = Message::new(0, Role::Assistant, "", test_time());
    m.finish(&ReplyEnd {
        cancelled: true,
        finish_reason: Some("stop".into()),
        ..ReplyEnd::default()
    });
    assert_eq!(m.status, Status::Cancelled);
    assert_eq!(m.finish_reason.as_deref(), Some("stop"));
}

#[test]
fn generated_images_arrive_whole() {
    let mut c = Conversation::default();
    let id = reply_in(&mut c);
    assert_eq!(
        changed(&mut c, id, |m| m.complete("![image 1](u)".into())),
        (true, true)
    );
    let r = c.get(id).unwrap();
    assert_eq!(
        (r.content.as_str(), &r.status),
        ("![image 1](u)", &Status::Done)
    );
}

#[test]
fn changes_name_the_one_message_touched_or_many() {
    let mut c = Conversation::default();
    let id = reply_in(&mut c);
    assert_eq!(c.take_changes(), Changes::Many, "messages were added");
    assert_eq!(c.take_changes(), Changes::None);
    c.get_mut(id).unwrap().append("a");
    c.get_mut(id).unwrap().append("b");
    assert_eq!(c.take_changes().only(), Some(id));
    c.get_mut(id).unwrap().append("c");
    c.get_mut(0).unwrap();
    assert_eq!(c.take_changes(), Changes::Many);
    c.set_system(Some("s".into()), test_time());
    assert_eq!(c.take_changes(), Changes::Many);
    let system = c.messages()[0].id;
    c.set_system(Some("t".into()), test_time());
    assert_eq!(c.take_changes(), Changes::One(system));
    c.set_aside_replies();
    assert_eq!(c.take_changes(), Changes::Many);
    assert!(!c.remove(&[99]));
    assert_eq!(c.take_changes(), Changes::None);
    assert!(c.remove(&[0]));
    assert_eq!(c.take_changes(), Changes::Many);
}

#[test]
fn a_new_or_loaded_conversation_never_repeats_an_id_and_revision_pair() {
    let mut c = Conversation::default();
    let id = reply_in(&mut c);
    c.get_mut(id).unwrap().append("old");
    let seen: Vec<(u64, u64)> = c.messages().iter().map(|m| (m.id, m.revision())).collect();
    c.clear();
    let again = reply_in(&mut c);
    assert_eq!(again, id, "ids start again at 0");
    for m in c.messages() {
        assert!(!seen.contains(&(m.id, m.revision())), "{m:?}");
    }
    // So does a session loaded in its place, whose stored messages all say revision 0.
    let stored = vec![
        Message::new(0, Role::User, "q", test_time()),
        Message::new(1, Role::Assistant, "a", test_time()),
    ];
    let before: Vec<(u64, u64)> = c.messages().iter().map(|m| (m.id, m.revision())).collect();
    c.load(stored);
    for m in c.messages() {
        assert!(!seen.contains(&(m.id, m.revision())) && !before.contains(&(m.id, m.revision())));
    }
    assert_eq!(c.push(Role::User, "next", test_time()), 2);
}
