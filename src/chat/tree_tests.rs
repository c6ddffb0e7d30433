//! The conversation as a tree: retry, edit-and-branch, switch, compare replies, delete, and the
//! path that is shown and sent.

use super::*;

fn t() -> DateTime<Local> {
    test_time()
}

/// The shown path as `role:text`, the system prompt included.
fn shown(c: &Conversation) -> Vec<String> {
    c.messages()
        .iter()
        .map(|m| format!("{}:{}", m.role.as_str(), m.content))
        .collect()
}

fn fork(c: &Conversation, id: u64) -> Option<(usize, usize)> {
    c.get(id)?.fork.map(|f| (f.index, f.count))
}

/// A reply by the demo model that has arrived whole.
fn reply(c: &mut Conversation, text: &str) -> u64 {
    let id = c.push_reply("demo:demo".into(), t());
    c.get_mut(id).unwrap().complete(text.into());
    id
}

#[test]
fn messages_follow_the_one_before_them_and_the_system_prompt_stands_apart() {
    let mut c = Conversation::default();
    c.set_system(Some("terse".into()), t());
    let q = c.push(Role::User, "q", t());
    let a = reply(&mut c, "a");
    assert_eq!(c.get(q).unwrap().parent, None);
    assert_eq!(c.get(a).unwrap().parent, Some(q));
    assert_eq!(c.messages()[0].parent, None);
    assert_eq!(fork(&c, a), None, "a lone reply has no alternatives");
}

#[test]
fn a_retry_keeps_the_earlier_reply_as_an_alternative_and_sends_only_the_new_one() {
    let mut c = Conversation::default();
    let q = c.push(Role::User, "q", t());
    let first = reply(&mut c, "first");
    c.set_aside_replies();
    assert_eq!(shown(&c), ["user:q"]);
    let second = reply(&mut c, "second");
    assert_eq!(shown(&c), ["user:q", "assistant:second"]);
    assert_eq!(fork(&c, second), Some((2, 2)));
    assert_eq!(fork(&c, first), Some((1, 2)));
    assert_eq!(c.get(second).unwrap().parent, Some(q));
    let wire: Vec<String> = c.wire_history().iter().map(|m| m.content.clone()).collect();
    assert_eq!(wire, ["q", "second"]);
}

#[test]
fn a_failed_or_empty_reply_is_not_kept_by_a_retry() {
    let mut c = Conversation::default();
    c.push(Role::User, "q", t());
    let failed = c.push_reply("demo:demo".into(), t());
    c.get_mut(failed).unwrap().fail("401".into());
    c.set_aside_replies();
    let again = reply(&mut c, "ok");
    assert!(c.get(failed).is_none());
    assert_eq!(fork(&c, again), None);
}

#[test]
fn switching_shows_the_other_reply_and_the_next_prompt_follows_it() {
    let mut c = Conversation::default();
    c.push(Role::User, "q", t());
    let first = reply(&mut c, "first");
    c.set_aside_replies();
    let second = reply(&mut c, "second");
    assert_eq!(c.switch(second, 1), None, "no third alternative");
    assert_eq!(c.switch(second, -1), Some(first));
    assert_eq!(shown(&c), ["user:q", "assistant:first"]);
    let q2 = c.push(Role::User, "more", t());
    assert_eq!(c.get(q2).unwrap().parent, Some(first));
    let wire: Vec<String> = c.wire_history().iter().map(|m| m.content.clone()).collect();
    assert_eq!(wire, ["q", "first", "more"]);
    // Back to the second reply: the branch below the first one is hidden with it.
    assert_eq!(c.switch(first, 1), Some(second));
    assert_eq!(shown(&c), ["user:q", "assistant:second"]);
    assert_eq!(c.switch(second, -1), Some(first));
    assert_eq!(
        shown(&c),
        ["user:q", "assistant:first", "user:more"],
        "a branch comes back with what was written below it"
    );
}

#[test]
fn an_edited_prompt_starts_a_branch_and_the_old_one_stays_reachable() {
    let mut c = Conversation::default();
    let q1 = c.push(Role::User, "q1", t());
    reply(&mut c, "a1");
    let q2 = c.push(Role::User, "q2", t());
    reply(&mut c, "a2");
    assert!(c.branch_before(q2));
    assert_eq!(shown(&c), ["user:q1", "assistant:a1"]);
    let edited = c.push(Role::User, "q2, better", t());
    reply(&mut c, "a2'");
    assert_eq!(
        shown(&c),
        [
            "user:q1",
            "assistant:a1",
            "user:q2, better",
            "assistant:a2'"
        ]
    );
    assert_eq!(fork(&c, edited), Some((2, 2)));
    assert_eq!(c.switch(edited, -1), Some(q2));
    assert_eq!(
        shown(&c),
        ["user:q1", "assistant:a1", "user:q2", "assistant:a2"]
    );
    // The first prompt can be edited too: its alternatives have no parent.
    assert!(c.branch_before(q1));
    let other = c.push(Role::User, "another start", t());
    assert_eq!(fork(&c, other), Some((2, 2)));
    assert_eq!(shown(&c), ["user:another start"]);
    assert!(!c.branch_before(q1), "not on the shown path any more");
}

#[test]
fn replies_of_a_comparison_are_siblings_and_picking_one_shows_it() {
    let mut c = Conversation::default();
    let q = c.push(Role::User, "比较一下", t());
    let a = c.push_reply("p:a".into(), t());
    let b = c.push_alternative_reply(q, "p:b".into(), t());
    let d = c.push_alternative_reply(q, "p:d".into(), t());
    assert_eq!(c.messages().len(), 2, "one reply is shown");
    assert_eq!(c.hidden().len(), 2);
    c.get_mut(b).unwrap().append("乙的回答");
    assert_eq!(
        c.take_changes(),
        Changes::Many,
        "adding replies is a change of shape"
    );
    c.get_mut(b).unwrap().append("。");
    assert_eq!(
        c.take_changes(),
        Changes::One(b),
        "a hidden reply streams like a shown one"
    );
    assert_eq!(
        (fork(&c, a), fork(&c, b), fork(&c, d)),
        (Some((1, 3)), Some((2, 3)), Some((3, 3)))
    );
    c.show(b);
    assert_eq!(shown(&c), ["user:比较一下", "assistant:乙的回答。"]);
}

#[test]
fn deleting_an_exchange_takes_its_alternatives_and_keeps_what_followed() {
    let mut c = Conversation::default();
    let q1 = c.push(Role::User, "q1", t());
    let a1 = reply(&mut c, "a1");
    c.set_aside_replies();
    let a1b = reply(&mut c, "a1b");
    let q2 = c.push(Role::User, "q2", t());
    reply(&mut c, "a2");
    assert!(c.remove(&[q1, a1b]));
    assert!(
        c.get(a1).is_none(),
        "the other reply of the deleted turn goes with it"
    );
    assert_eq!(shown(&c), ["user:q2", "assistant:a2"]);
    assert_eq!(c.get(q2).unwrap().parent, None);
    assert_eq!(c.all().count(), 2);
}

#[test]
fn deleting_a_turn_keeps_the_next_turns_alternatives() {
    let mut c = Conversation::default();
    let q1 = c.push(Role::User, "q1", t());
    let a1 = reply(&mut c, "a1");
    let q2 = c.push(Role::User, "q2", t());
    assert!(c.branch_before(q2));
    let q2b = c.push(Role::User, "q2b", t());
    assert!(c.remove(&[q1, a1]));
    assert_eq!(shown(&c), ["user:q2b"]);
    assert_eq!(fork(&c, q2b), Some((2, 2)));
    assert_eq!(c.get(q2).unwrap().parent, None);
}

#[test]
fn loading_shows_the_branch_last_written_to_or_the_one_through_a_hit() {
    let mut c = Conversation::default();
    let q = c.push(Role::User, "q", t());
    let first = reply(&mut c, "first");
    c.set_aside_replies();
    reply(&mut c, "second");
    c.switch(first + 1, -1);
    c.push(Role::User, "after first", t());
    let stored: Vec<Message> = c.all().cloned().collect();
    let loaded = Conversation::from_messages(stored.clone());
    assert_eq!(
        shown(&loaded),
        ["user:q", "assistant:first", "user:after first"]
    );
    let mut at_hit = Conversation::default();
    at_hit.load_showing(stored, Some(first + 1));
    assert_eq!(shown(&at_hit), ["user:q", "assistant:second"]);
    assert_eq!(at_hit.get(q).unwrap().fork, None);
}

#[test]
fn messages_without_parents_load_as_one_straight_path() {
    let flat: Vec<Message> = ["q1", "a1", "q2"]
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let role = if i % 2 == 0 {
                Role::User
            } else {
                Role::Assistant
            };
            Message::new(i as u64, role, *text, t())
        })
        .collect();
    let c = Conversation::from_messages(flat);
    assert_eq!(shown(&c), ["user:q1", "assistant:a1", "user:q2"]);
    assert_eq!(c.get(2).unwrap().parent, Some(1));
}
