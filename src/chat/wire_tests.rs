//! The request never carries two user messages in a row, whatever became of earlier turns.

use proptest::prelude::*;

use super::*;

fn roles(c: &Conversation) -> Vec<(String, String)> {
    c.wire_history()
        .into_iter()
        .map(|m| (m.role, m.content))
        .collect()
}

fn failed_turn(c: &mut Conversation, prompt: &str, why: &str) {
    c.push(Role::User, prompt, crate::chat::test_time());
    let a = c.push(Role::Assistant, "", crate::chat::test_time());
    c.get_mut(a)
        .unwrap()
        .edit(|f| f.status = Status::Failed(why.into()));
}

#[test]
fn four_failed_turns_are_not_resent() {
    let mut c = Conversation::default();
    c.push(Role::User, "q0", crate::chat::test_time());
    c.push(Role::Assistant, "a0", crate::chat::test_time());
    failed_turn(&mut c, "q1", "502 Bad Gateway");
    failed_turn(&mut c, "q2", "the server answered 200 with an error");
    failed_turn(&mut c, "q3", "429 Too Many Requests");
    failed_turn(&mut c, "q4", "the connection dropped");
    c.push(Role::User, "q5", crate::chat::test_time());
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        roles(&c),
        [s("user", "q0"), s("assistant", "a0"), s("user", "q5")]
    );
    let q1 = c.messages()[2].id;
    assert!(c.left_out(q1) && c.left_out(q1 + 1));
    assert!(!c.left_out(c.messages()[0].id));
    assert!(
        !c.left_out(c.messages().last().unwrap().id),
        "the prompt being sent"
    );
}

#[test]
fn an_image_exchange_is_not_sent_to_the_chat_model() {
    let mut c = Conversation::default();
    c.push(
        Role::User,
        "/image a red fox --n 2",
        crate::chat::test_time(),
    );
    let a = c.push(
        Role::Assistant,
        "![image 1](http://x/1.png)",
        crate::chat::test_time(),
    );
    c.get_mut(a)
        .unwrap()
        .edit(|f| f.model = Some(format!("mock:dall-e-3{IMAGES_MARK}")));
    c.push(Role::User, "describe a fox", crate::chat::test_time());
    let wire = roles(&c);
    assert_eq!(wire.len(), 1);
    assert_eq!(wire[0].1, "describe a fox");
}

#[test]
fn a_prompt_without_a_stored_reply_gives_way_to_the_next() {
    // ecochat stopped while waiting: the store has the prompt but no reply row.
    let mut c = Conversation::default();
    c.push(Role::User, "q1", crate::chat::test_time());
    c.push(Role::User, "q2", crate::chat::test_time());
    assert_eq!(roles(&c).len(), 1);
    assert!(c.left_out(c.messages()[0].id));
}

/// What became of one turn's reply.
#[derive(Debug, Clone)]
enum Outcome {
    Done(String),
    Failed,
    CancelledEmpty,
    CancelledPartial,
    Interrupted,
    Images,
    Missing,
    ReasoningOnly,
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        "[a-z 你]{0,4}".prop_map(Outcome::Done),
        Just(Outcome::Failed),
        Just(Outcome::CancelledEmpty),
        Just(Outcome::CancelledPartial),
        Just(Outcome::Interrupted),
        Just(Outcome::Images),
        Just(Outcome::Missing),
        Just(Outcome::ReasoningOnly),
    ]
}

proptest! {
    #[test]
    fn the_wire_never_has_two_user_messages_in_a_row(
        system in any::<bool>(),
        turns in proptest::collection::vec(outcome(), 0..12),
        pending in any::<bool>(),
    ) {
        let mut c = Conversation::default();
        for (i, o) in turns.iter().enumerate() {
            c.push(Role::User, format!("q{i}"), crate::chat::test_time());
            let (text, status) = match o {
                Outcome::Done(t) => (t.clone(), Status::Done),
                Outcome::Failed => (String::new(), Status::Failed("x".into())),
                Outcome::CancelledEmpty => (String::new(), Status::Cancelled),
                Outcome::CancelledPartial => ("half".into(), Status::Cancelled),
                Outcome::Interrupted => ("half".into(), Status::Interrupted("x".into())),
                Outcome::Images | Outcome::ReasoningOnly => ("![i](u)".into(), Status::Done),
                Outcome::Missing => continue,
            };
            let a = c.push(Role::Assistant, text, crate::chat::test_time());
            let m = c.get_mut(a).unwrap();
            m.edit(|f| f.status = status);
            if matches!(o, Outcome::Images) {
                m.edit(|f| f.model = Some(format!("p:m{IMAGES_MARK}")));
            }
            if matches!(o, Outcome::ReasoningOnly) {
                m.edit(|f| f.content.clear());
                m.edit(|f| f.reasoning = "thought".into());
            }
        }
        if system {
            c.set_system(Some("s".into()), crate::chat::test_time());
        }
        if pending {
            c.push(Role::User, "now", crate::chat::test_time());
        }
        let wire = c.wire_history();
        for pair in wire.windows(2) {
            prop_assert!(!(pair[0].role == "user" && pair[1].role == "user"), "{wire:?}");
        }
        if pending {
            prop_assert_eq!(wire.last().map(|m| m.content.as_str()), Some("now"));
        }
        // Every prompt on the wire is one that is not shown as left out.
        for m in c.messages() {
            if m.role == Role::User && c.left_out(m.id) {
                prop_assert!(!wire.iter().any(|w| w.content == m.content), "{m:?} {wire:?}");
            }
        }
    }
}
