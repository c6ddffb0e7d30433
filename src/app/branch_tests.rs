//! `<` `>` and `e` driven as a user does: keys in, the conversation and the requests out.

use crossterm::event::{KeyCode, KeyModifiers};

use crate::app::test_harness::Harness;
use crate::app::{Action, Effect, Focus};

const NONE: KeyModifiers = KeyModifiers::NONE;

/// The text of the shown path.
fn shown(h: &Harness) -> Vec<String> {
    h.app
        .conv
        .messages()
        .iter()
        .map(|m| m.content.clone())
        .collect()
}

fn focus_conversation(h: &mut Harness) {
    while h.app.focus != Focus::Conversation {
        h.key(KeyCode::Tab, NONE);
    }
}

#[test]
fn ctrl_r_keeps_the_first_reply_and_lt_gt_switch_between_them() {
    let mut h = Harness::new();
    h.exchange("讲个笑话", "第一个笑话");
    let fx = h.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
    let sent = h.answer(&fx, "第二个笑话");
    assert_eq!(
        sent,
        ["讲个笑话"],
        "the old reply is not sent with the retry"
    );
    assert_eq!(shown(&h), ["讲个笑话", "第二个笑话"]);
    focus_conversation(&mut h);
    h.press('<');
    assert_eq!(shown(&h), ["讲个笑话", "第一个笑话"]);
    assert_eq!(h.notice(), "alternative 1/2");
    h.press('<');
    assert_eq!(h.notice(), "this is the first alternative");
    h.press('>');
    assert_eq!(shown(&h), ["讲个笑话", "第二个笑话"]);
    // The next prompt continues from the alternative shown.
    h.press('<');
    h.key(KeyCode::Tab, NONE);
    while h.app.focus != Focus::Input {
        h.key(KeyCode::Tab, NONE);
    }
    h.type_text("再来");
    let fx = h.enter();
    let sent = h.answer(&fx, "好");
    assert_eq!(sent, ["讲个笑话", "第一个笑话", "再来"]);
}

#[test]
fn a_message_without_alternatives_says_how_to_make_some() {
    let mut h = Harness::new();
    h.exchange("q", "a");
    focus_conversation(&mut h);
    h.press('>');
    assert!(
        h.notice().contains("Ctrl+R keeps the old reply"),
        "{}",
        h.notice()
    );
    assert_eq!(shown(&h), ["q", "a"]);
}

#[test]
fn editing_a_prompt_sends_a_new_branch_and_the_old_one_stays_reachable() {
    let mut h = Harness::new();
    h.exchange("first question", "first answer");
    h.exchange("second question", "second answer");
    focus_conversation(&mut h);
    // Select the second prompt: `[` walks up from the end.
    h.press('[');
    h.press('[');
    let selected = h.app.selected.expect("a selection");
    assert_eq!(h.app.conv.get(selected).unwrap().content, "second question");
    h.press('e');
    assert_eq!(h.app.focus, Focus::Input);
    assert_eq!(h.app.prompt.text(), "second question");
    for _ in 0.."question".len() {
        h.key(KeyCode::Backspace, NONE);
    }
    h.type_text("try, in Chinese");
    let fx = h.enter();
    let sent = h.answer(&fx, "第二个回答");
    assert_eq!(
        sent,
        ["first question", "first answer", "second try, in Chinese"],
        "only the new branch is sent"
    );
    assert_eq!(
        shown(&h),
        [
            "first question",
            "first answer",
            "second try, in Chinese",
            "第二个回答"
        ]
    );
    let edited = h.app.conv.messages()[2].fork.map(|f| (f.index, f.count));
    assert_eq!(edited, Some((2, 2)));
    focus_conversation(&mut h);
    h.press('[');
    h.press('[');
    h.press('<');
    assert_eq!(
        shown(&h),
        [
            "first question",
            "first answer",
            "second question",
            "second answer"
        ]
    );
}

#[test]
fn editing_keeps_the_draft_in_the_history_and_esc_stops_editing_keeping_the_text() {
    let mut h = Harness::new();
    h.exchange("q", "a");
    h.type_text("my draft");
    focus_conversation(&mut h);
    h.press('[');
    h.press('[');
    h.press('e');
    assert!(
        h.notice().contains("draft is in the history"),
        "{}",
        h.notice()
    );
    assert_eq!(h.app.prompt.text(), "q");
    assert!(h.app.prompt.history().iter().any(|e| e == "my draft"));
    h.key(KeyCode::Esc, NONE);
    assert_eq!(h.app.editing, None);
    assert_eq!(h.app.prompt.text(), "q", "Esc keeps the text");
    let fx = h.enter();
    let sent = h.answer(&fx, "a2");
    assert_eq!(
        sent,
        ["q", "a", "q"],
        "no longer editing: it continues the conversation"
    );
}

#[test]
fn e_on_a_reply_says_it_edits_prompts() {
    let mut h = Harness::new();
    h.exchange("q", "a");
    focus_conversation(&mut h);
    h.press('[');
    h.press('e');
    assert!(h.notice().contains("edits a prompt"), "{}", h.notice());
    assert_eq!(h.app.editing, None);
}

#[test]
fn a_search_hit_on_another_branch_opens_the_session_on_that_branch() {
    use crate::chat::{Conversation, Role};
    use crate::store::task::{StoreCmd, StoreEvent};
    use crate::store::{SearchHit, SessionSummary, StoredSession};
    let mut tree = Conversation::default();
    let t = crate::chat::test_time();
    tree.push(Role::User, "天气", t);
    let rainy = tree.push(Role::Assistant, "明天下雨", t);
    tree.set_aside_replies();
    tree.push(Role::Assistant, "明天晴", t);
    let summary = SessionSummary {
        id: 9,
        title: "天气".into(),
        model: "demo:demo".into(),
        created: t,
        updated: t,
        message_count: 3,
        spend: Vec::new(),
        attachments: 0,
    };
    let mut h = Harness::new();
    h.saving();
    h.key(KeyCode::Char('o'), KeyModifiers::CONTROL);
    h.type_text("下雨");
    let generation = h.app.sessions.browser.generation;
    h.act(Action::Store(StoreEvent::Found {
        generation,
        hits: Ok(vec![SearchHit {
            session: summary.clone(),
            snippet: Some("明天下雨".into()),
            message: Some(rainy),
        }]),
    }));
    let fx = h.key(KeyCode::Enter, NONE);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Store(StoreCmd::Load { id: 9 }))),
        "{fx:?}"
    );
    h.act(Action::Store(StoreEvent::Loaded(Ok(StoredSession {
        summary,
        messages: tree.all().cloned().collect(),
        shown: None,
    }))));
    assert_eq!(shown(&h), ["天气", "明天下雨"], "the branch of the hit");
}

#[test]
fn the_branch_on_screen_is_recorded_and_a_session_reopens_on_it() {
    use crate::store::task::{StoreCmd, StoreEvent};
    use crate::store::{SessionSummary, StoredSession};
    let mut h = Harness::new();
    h.saving();
    h.exchange("q", "first");
    let fx = h.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
    h.answer(&fx, "second");
    focus_conversation(&mut h);
    let fx = h.press('<');
    let first = h.app.conv.messages()[1].id;
    let recorded: Vec<Option<u64>> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Store(StoreCmd::Shown { shown, .. }) => Some(*shown),
            _ => None,
        })
        .collect();
    assert_eq!(recorded, [Some(first)], "{fx:?}");
    let fx = h.press('>');
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Store(StoreCmd::Shown { shown: None, .. }))),
        "back on the newest branch: {fx:?}"
    );
    // Reopened with the first reply recorded as shown, the session shows it.
    let messages = h.app.conv.all().cloned().collect();
    let t = crate::chat::test_time();
    let summary = SessionSummary {
        id: 3,
        title: "q".into(),
        model: "demo:demo".into(),
        created: t,
        updated: t,
        message_count: 3,
        spend: Vec::new(),
        attachments: 0,
    };
    let mut other = Harness::new();
    other.act(Action::Store(StoreEvent::Loaded(Ok(StoredSession {
        summary,
        messages,
        shown: Some(first),
    }))));
    assert_eq!(shown(&other), ["q", "first"]);
}
