//! Failed turns: left out of later requests, retried with Ctrl+R, deleted with `d`.

use super::*;

fn failures() -> Vec<ApiError> {
    let host = || "relay.example".to_string();
    vec![
        ApiError::Html {
            status: 502,
            host: host(),
            title: "502 Bad Gateway".into(),
        },
        ApiError::Body {
            host: host(),
            message: "当前分组负载已饱和".into(),
        },
        ApiError::Status {
            status: 429,
            host: host(),
            message: "rate limited".into(),
            hint: None,
        },
        ApiError::Connect {
            host: host(),
            detail: "connection reset".into(),
        },
    ]
}

fn wire(fx: &[Effect]) -> Vec<(String, String)> {
    let [Effect::StartReply { history, .. }] = fx else {
        panic!("expected StartReply, got {fx:?}")
    };
    history
        .iter()
        .map(|m| (m.role.clone(), m.content.clone()))
        .collect()
}

fn pair(role: &str, text: &str) -> (String, String) {
    (role.into(), text.into())
}

#[test]
fn four_failed_requests_are_not_resent_with_the_next_prompt() {
    let mut h = Harness::new();
    h.exchange("q0", "a0");
    for (i, e) in failures().into_iter().enumerate() {
        let id = h.send(&format!("failed {i}"));
        h.end(id, Err(e));
    }
    h.type_text("q5");
    let fx = h.enter();
    assert_eq!(
        wire(&fx),
        [
            pair("user", "q0"),
            pair("assistant", "a0"),
            pair("user", "q5")
        ]
    );
    // On screen the failed turns stay, marked as left out.
    let failed = &h.app.conv.messages()[3];
    assert!(matches!(failed.status, Status::Failed(_)));
    assert!(h.app.conv.left_out(failed.id));
}

#[test]
fn ctrl_r_retries_a_failed_turn_without_the_earlier_failures() {
    let mut h = Harness::new();
    for (i, e) in failures().into_iter().enumerate() {
        let id = h.send(&format!("q{i}"));
        h.end(id, Err(e));
    }
    let fx = h.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert_eq!(wire(&fx), [pair("user", "q3")]);
    // The failed reply is replaced, not kept beside the retry.
    let n = h.app.conv.messages().len();
    assert_eq!(n, 8);
    assert_eq!(h.last().status, Status::Waiting);
}

/// Focuses the conversation and selects the message `back` steps before the newest.
fn select(h: &mut Harness, back: usize) {
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    h.press(']');
    for _ in 0..back {
        h.press('[');
    }
}

#[test]
fn d_twice_deletes_the_selected_exchange_and_the_store_forgets_it() {
    let mut h = Harness::new();
    h.exchange("q0", "a0");
    let id = h.send("q1");
    h.end(id, Err(failures().remove(0)));
    h.exchange("q2", "a2");
    // Saving from here on: the next action writes the conversation, so it is in the store.
    h.app.sessions =
        crate::app::sessions::Sessions::new(Some("/nonexistent/db".into()), None, None);
    // The failed reply (third from the end).
    select(&mut h, 2);
    assert_eq!(h.app.selected, Some(id));
    assert!(h.press('d').is_empty());
    assert!(h.notice().contains("press d again"), "{}", h.notice());
    assert_eq!(
        h.app.conv.messages().len(),
        6,
        "nothing deleted on the first press"
    );
    let fx = h.press('d');
    let texts = texts(&h);
    assert_eq!(texts, ["q0", "a0", "q2", "a2"]);
    let deleted = fx.iter().find_map(|e| match e {
        Effect::Store(crate::store::task::StoreCmd::DeleteMessages { seqs, .. }) => Some(seqs),
        _ => None,
    });
    assert_eq!(deleted, Some(&vec![id - 1, id]));
    assert_eq!(h.app.selected, None);
}

#[test]
fn another_key_between_the_two_presses_cancels_the_delete() {
    let mut h = Harness::new();
    h.exchange("q0", "a0");
    h.exchange("q1", "a1");
    select(&mut h, 0);
    h.press('d');
    h.press('[');
    h.press('d');
    assert_eq!(h.app.conv.messages().len(), 4);
    assert!(h.notice().contains("press d again"));
    // The prompt selected: it goes with its reply.
    h.press('d');
    let texts = texts(&h);
    assert_eq!(texts, ["q0", "a0"]);
}

#[test]
fn the_system_prompt_and_a_live_reply_are_not_deleted() {
    let mut h = Harness::new();
    h.type_text("/system terse");
    h.enter();
    h.send("q");
    select(&mut h, 0);
    h.press('d');
    h.press('d');
    assert_eq!(h.app.conv.messages().len(), 3);
    assert!(h.notice().contains("still arriving"), "{}", h.notice());
}

#[test]
fn ctrl_r_after_an_image_turn_does_not_send_the_image_line_to_the_chat_model() {
    let mut h = Harness::new();
    h.type_text("/image 一只猫");
    let fx = h.enter();
    let [Effect::Media(crate::app::media::MediaEffect::Generate { message_id, .. })] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    let id = *message_id;
    h.act(Action::Media(crate::app::media::MediaMsg::Generated {
        message_id: id,
        result: Ok(vec!["https://img.example/cat.png".into()]),
    }));
    let fx = h.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::StartReply { .. })),
        "{fx:?}"
    );
    assert!(h.notice().contains("/image"), "{}", h.notice());
    assert_eq!(h.app.conv.messages().len(), 2, "the images stay");
}

/// The text of every message, in order.
fn texts(h: &Harness) -> Vec<&str> {
    h.app
        .conv
        .messages()
        .iter()
        .map(|m| m.content.as_str())
        .collect()
}
