//! Compare mode through `update`: several replies at once, cancelling, picking, the picker.

use crossterm::event::{KeyCode, KeyModifiers};

use crate::api::client::ReplyEnd;
use crate::api::{ApiError, StreamEvent};
use crate::app::test_harness::Harness;
use crate::app::{Action, Effect, Focus, Overlay, StreamMsg};
use crate::chat::{Role, Status};
use crate::config::{ModelSpec, Provider};

/// A harness whose config has a `mock` provider with four chat models.
fn harness(width: u16, height: u16) -> Harness {
    let mut h = Harness::sized(width, height);
    let mut p = Provider::new("mock", Some("http://127.0.0.1:9/v1".into()));
    p.models = [
        "gpt-4o",
        "deepseek-chat",
        "qwen-max",
        "glm-4-plus",
        "claude",
    ]
    .into_iter()
    .map(ModelSpec::new)
    .collect();
    h.app.providers = vec![h.app.providers[0].clone(), p];
    h
}

fn command(h: &mut Harness, text: &str) -> Vec<Effect> {
    h.type_text(text);
    h.enter()
}

/// Sends `text`; the replies started, as (reply id, model label, history length).
fn send(h: &mut Harness, text: &str) -> Vec<(u64, String, usize)> {
    h.type_text(text);
    h.enter()
        .into_iter()
        .filter_map(|e| match e {
            Effect::StartReply {
                reply_id,
                target,
                history,
            } => Some((reply_id, target.label(), history.len())),
            _ => None,
        })
        .collect()
}

fn piece(h: &mut Harness, id: u64, text: &str) {
    h.act(Action::Stream {
        id,
        msg: StreamMsg::Event(StreamEvent::Content(text.into())),
    });
}

fn end(h: &mut Harness, id: u64) {
    h.act(Action::Stream {
        id,
        msg: StreamMsg::End(Ok(ReplyEnd::default())),
    });
}

fn text_of(h: &Harness, id: u64) -> String {
    h.app.conv.get(id).map(|m| m.content.clone()).unwrap()
}

fn shown_ids(h: &Harness) -> Vec<u64> {
    h.app.conv.messages().iter().map(|m| m.id).collect()
}

/// `/compare` with two models, a prompt sent, both replies finished; their ids.
fn compared(h: &mut Harness) -> (u64, u64) {
    command(h, "/compare mock:gpt-4o deepseek-chat");
    let started = send(h, "你好");
    let (a, b) = (started[0].0, started[1].0);
    piece(h, a, "回答甲");
    piece(h, b, "回答乙");
    end(h, a);
    end(h, b);
    (a, b)
}

#[test]
fn compare_sends_the_prompt_to_every_model_with_the_same_history() {
    let mut h = harness(120, 40);
    h.exchange("first", "earlier answer");
    command(&mut h, "/compare mock:gpt-4o deepseek-chat qwen");
    assert!(h.app.compare.is_on());
    assert!(
        h.notice()
            .contains("mock:gpt-4o · mock:deepseek-chat · mock:qwen-max")
    );
    assert!(h.app.prompt.is_empty(), "the command left the prompt");
    let started = send(&mut h, "比较一下");
    let labels: Vec<&str> = started.iter().map(|(_, l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        ["mock:gpt-4o", "mock:deepseek-chat", "mock:qwen-max"]
    );
    assert!(started.iter().all(|(_, _, n)| *n == 3), "{started:?}");
    // The first reply is on the shown path; the others are its alternatives.
    let msgs = h.app.conv.messages();
    assert_eq!(msgs.last().unwrap().id, started[0].0);
    assert_eq!(h.app.conv.hidden().len(), 2);
    let prompt = msgs[msgs.len() - 2].id;
    assert!(
        h.app
            .conv
            .hidden()
            .iter()
            .all(|m| m.parent == Some(prompt) && m.status == Status::Waiting)
    );
    assert!(h.app.replying() && h.app.comparing());
    assert!(h.app.in_flight.is_none(), "no single reply in flight");
}

#[test]
fn replies_stream_in_parallel_into_their_own_messages() {
    let mut h = harness(120, 40);
    command(&mut h, "/compare gpt-4o deepseek-chat");
    let started = send(&mut h, "q");
    let (a, b) = (started[0].0, started[1].0);
    piece(&mut h, a, "A1 ");
    piece(&mut h, b, "B1 ");
    piece(&mut h, a, "A2");
    piece(&mut h, b, "B2 ");
    piece(&mut h, b, "B3");
    assert_eq!(text_of(&h, a), "A1 A2");
    assert_eq!(text_of(&h, b), "B1 B2 B3");
    let turn = h.app.compare.turn.clone().unwrap();
    assert_eq!(turn.columns[0].flight.pieces, 2);
    assert_eq!(turn.columns[1].flight.pieces, 3);
    assert!(turn.columns.iter().all(|c| c.flight.first_token.is_some()));
    end(&mut h, b);
    assert!(h.app.replying(), "a still writes");
    assert_eq!(h.app.conv.get(b).unwrap().status, Status::Done);
    // The second one fails: its column says so, the first is unaffected.
    h.act(Action::Stream {
        id: a,
        msg: StreamMsg::End(Err(ApiError::Interrupted {
            host: "127.0.0.1".into(),
            detail: "reset".into(),
        })),
    });
    assert!(!h.app.replying());
    assert!(matches!(
        h.app.conv.get(a).unwrap().status,
        Status::Interrupted(_)
    ));
    assert!(h.app.comparing(), "still on screen until one is picked");
    // Pieces arriving after the end are dropped.
    piece(&mut h, b, "late");
    assert_eq!(text_of(&h, b), "B1 B2 B3");
}

#[test]
fn esc_cancels_every_reply_of_the_comparison() {
    let mut h = harness(120, 40);
    command(&mut h, "/compare gpt-4o deepseek-chat qwen-max glm");
    let started = send(&mut h, "q");
    assert_eq!(started.len(), 4);
    piece(&mut h, started[1].0, "partial");
    end(&mut h, started[3].0);
    let fx = h.key(KeyCode::Esc, KeyModifiers::NONE);
    let mut cancelled: Vec<u64> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::CancelReply { reply_id } => Some(*reply_id),
            _ => None,
        })
        .collect();
    cancelled.sort_unstable();
    assert_eq!(cancelled, [started[0].0, started[1].0, started[2].0]);
    assert!(!h.app.replying());
    assert_eq!(
        h.app.conv.get(started[1].0).unwrap().status,
        Status::Cancelled
    );
    assert_eq!(text_of(&h, started[1].0), "partial");
    assert_eq!(
        h.app.conv.get(started[3].0).unwrap().status,
        Status::Done,
        "a finished reply stays done"
    );
}

#[test]
fn a_number_key_picks_a_reply_and_the_next_request_carries_only_it() {
    let mut h = harness(120, 40);
    let (a, b) = compared(&mut h);
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(h.app.focus, Focus::Conversation);
    h.press('2');
    assert!(!h.app.comparing());
    assert_eq!(shown_ids(&h).last(), Some(&b));
    assert!(h.app.conv.hidden().iter().any(|m| m.id == a));
    assert!(h.notice().contains("mock:deepseek-chat"), "{}", h.notice());
    command(&mut h, "/compare off");
    assert!(!h.app.compare.is_on());
    let fx = {
        h.type_text("继续");
        h.enter()
    };
    let [Effect::StartReply { history, .. }] = fx.as_slice() else {
        panic!("one reply after /compare off: {fx:?}")
    };
    let sent: Vec<String> = history.iter().map(|m| format!("{m:?}")).collect();
    let sent = sent.join("\n");
    assert!(sent.contains("回答乙"), "{sent}");
    assert!(!sent.contains("回答甲"), "{sent}");
}

#[test]
fn enter_on_the_focused_column_and_alt_digits_from_the_prompt_pick() {
    let mut h = harness(120, 40);
    let (_, b) = compared(&mut h);
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    h.key(KeyCode::Right, KeyModifiers::NONE);
    assert_eq!(h.app.compare.turn.as_ref().unwrap().focus, 1);
    h.enter();
    assert_eq!(shown_ids(&h).last(), Some(&b));

    let mut h = harness(120, 40);
    let (a, b) = compared(&mut h);
    assert_eq!(h.app.focus, Focus::Input);
    h.key(KeyCode::Char('2'), KeyModifiers::ALT);
    assert_eq!(shown_ids(&h).last(), Some(&b));
    assert!(h.app.prompt.is_empty(), "Alt+2 typed nothing");
    // A plain digit in the prompt types, as always.
    command(&mut h, "/compare gpt-4o claude");
    send(&mut h, "again");
    h.press('1');
    assert_eq!(h.app.prompt.text(), "1");
    let _ = a;
}

#[test]
fn sending_on_without_picking_continues_from_the_focused_column() {
    let mut h = harness(80, 24);
    let (a, b) = compared(&mut h);
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    h.key(KeyCode::Right, KeyModifiers::NONE);
    let started = send(&mut h, "接着说");
    assert_eq!(started.len(), 2, "compare mode is still on");
    let path = shown_ids(&h);
    assert!(path.contains(&b) && !path.contains(&a), "{path:?}");
    let turn = h.app.compare.turn.as_ref().unwrap();
    assert_eq!(turn.focus, 0, "a new comparison starts at its first column");
}

#[test]
fn picking_a_reply_still_arriving_keeps_it_streaming_and_stops_the_others() {
    let mut h = harness(120, 40);
    command(&mut h, "/compare gpt-4o deepseek-chat");
    let started = send(&mut h, "q");
    let (a, b) = (started[0].0, started[1].0);
    piece(&mut h, a, "slow");
    piece(&mut h, b, "fast");
    let fx = h.key(KeyCode::Char('2'), KeyModifiers::ALT);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::CancelReply { reply_id } if *reply_id == a))
    );
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::CancelReply { reply_id } if *reply_id == b))
    );
    assert_eq!(h.app.in_flight.map(|f| f.id), Some(b));
    piece(&mut h, b, " and more");
    end(&mut h, b);
    assert_eq!(text_of(&h, b), "fast and more");
    assert_eq!(h.app.conv.get(b).unwrap().status, Status::Done);
    assert_eq!(h.app.conv.get(a).unwrap().status, Status::Cancelled);
    assert!(!h.app.replying());
}

#[test]
fn the_compare_command_explains_itself_and_refuses_bad_sets() {
    let mut h = harness(120, 40);
    command(&mut h, "/compare");
    assert!(h.notice().starts_with("compare is off"), "{}", h.notice());
    for bad in [
        "/compare gpt-4o",
        "/compare gpt-4o gpt-4o",
        "/compare gpt-4o deepseek-chat qwen-max glm-4-plus claude",
    ] {
        h.app.prompt.take(&h.app.theme);
        command(&mut h, bad);
        assert!(h.notice_is_error(), "{bad}: {}", h.notice());
        assert!(h.notice().contains("2 to 4"), "{bad}: {}", h.notice());
        assert!(!h.app.compare.is_on());
        assert_eq!(h.app.prompt.text(), bad, "kept to fix");
    }
    h.app.prompt.take(&h.app.theme);
    command(&mut h, "/compare gpt-4o zzzzzz");
    assert!(h.notice().contains("\"zzzzzz\""), "{}", h.notice());
    h.app.prompt.take(&h.app.theme);
    command(&mut h, "/compare gpt-4o claude");
    command(&mut h, "/compare");
    assert_eq!(
        h.notice(),
        "compare: mock:gpt-4o · mock:claude (/compare off returns to one model)"
    );
}

#[test]
fn the_picker_marks_models_and_enter_compares_them() {
    let mut h = harness(120, 40);
    h.key(KeyCode::Char('p'), KeyModifiers::CONTROL);
    h.type_text("gpt-4o");
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    // Space types into a filter being written; with the filter empty it marks.
    for _ in 0..6 {
        h.key(KeyCode::Backspace, KeyModifiers::NONE);
    }
    // From the top (the two demo models), past the marked gpt-4o.
    for _ in 0..3 {
        h.key(KeyCode::Down, KeyModifiers::NONE);
    }
    h.press(' ');
    let Some(Overlay::Picker(p)) = &h.app.overlay else {
        panic!("picker closed")
    };
    assert_eq!(p.marked.len(), 2, "{:?}", p.marked);
    assert_eq!(p.marked[0], "mock:gpt-4o");
    let second = p.marked[1].clone();
    // Space again unmarks; once more marks.
    h.press(' ');
    h.press(' ');
    h.enter();
    assert!(h.app.overlay.is_none());
    let labels: Vec<String> = h.app.compare.models.iter().map(|m| m.label()).collect();
    assert_eq!(labels, ["mock:gpt-4o".to_string(), second]);
    assert_eq!(send(&mut h, "q").len(), 2);
}

#[test]
fn enter_without_marks_still_switches_the_model() {
    let mut h = harness(120, 40);
    h.key(KeyCode::Char('p'), KeyModifiers::CONTROL);
    h.type_text("deepseek");
    h.enter();
    assert!(!h.app.compare.is_on());
    assert_eq!(h.app.target.label(), "mock:deepseek-chat");
}

#[test]
fn a_new_conversation_cancels_the_comparison_and_takes_it_off_screen() {
    let mut h = harness(120, 40);
    command(&mut h, "/compare gpt-4o deepseek-chat");
    let started = send(&mut h, "q");
    let fx = h.key(KeyCode::Char('n'), KeyModifiers::CONTROL);
    let cancels = fx
        .iter()
        .filter(|e| matches!(e, Effect::CancelReply { .. }))
        .count();
    assert_eq!(cancels, 2);
    assert!(!h.app.comparing() && !h.app.replying());
    piece(&mut h, started[0].0, "late");
    assert!(h.app.conv.is_empty());
}

#[test]
fn regenerating_after_a_comparison_leaves_the_columns() {
    let mut h = harness(120, 40);
    compared(&mut h);
    command(&mut h, "/compare off");
    h.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert!(!h.app.comparing(), "a retried reply is not a column");
    assert!(h.app.in_flight.is_some());
}

/// Two columns, each holding a finished reply longer than the screen.
fn two_long_replies(h: &mut Harness) {
    command(h, "/compare gpt-4o deepseek-chat");
    let started = send(h, "q");
    let long: String = (0..80).map(|i| format!("第{i}行\n\n")).collect();
    for (id, _, _) in &started {
        piece(h, *id, &long);
        end(h, *id);
    }
}

#[test]
fn the_focused_column_scrolls_on_its_own() {
    let mut h = harness(120, 30);
    two_long_replies(&mut h);
    let bottom = h.app.column_top(0);
    assert!(bottom > 0, "following the end");
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    h.key(KeyCode::PageUp, KeyModifiers::NONE);
    h.key(KeyCode::Up, KeyModifiers::NONE);
    let page = h.app.compare_page() - 1;
    assert_eq!(h.app.column_top(0), bottom - page - 1);
    assert_eq!(h.app.column_top(1), bottom, "the other column stays");
    h.key(KeyCode::Right, KeyModifiers::NONE);
    h.key(KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(h.app.column_top(1), bottom - 1);
    assert_eq!(h.app.column_top(0), bottom - page - 1);
    // The conversation's own scroll is untouched.
    assert!(h.app.scroll.follow);
    assert_eq!(
        h.app.conv.messages()[0].role,
        Role::User,
        "no system prompt crept in"
    );
}

#[test]
fn the_wheel_over_a_column_focuses_and_scrolls_that_one() {
    use crossterm::event::{MouseEvent, MouseEventKind};
    let mut h = harness(120, 30);
    two_long_replies(&mut h);
    let bottom = h.app.column_top(1);
    h.act(Action::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollUp,
        column: 100,
        row: 10,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(h.app.compare.turn.as_ref().unwrap().focus, 1);
    assert_eq!(h.app.column_top(1), bottom - 3);
    assert_eq!(h.app.column_top(0), bottom);
}

#[test]
fn y_over_a_comparison_copies_the_focused_columns_reply() {
    let mut h = harness(120, 40);
    compared(&mut h);
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    h.key(KeyCode::Right, KeyModifiers::NONE);
    let fx = h.press('y');
    let copied: Vec<&str> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Copy { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(copied, ["回答乙"]);
}

#[test]
fn every_compared_reply_counts_in_the_session_total() {
    use crate::api::Usage;
    use crate::cost::{Currency, Money, Price};
    let mut h = harness(120, 40);
    for m in &mut h.app.providers[1].models {
        *m.price = Price {
            input: Some(2_000_000),
            output: Some(8_000_000),
            ..Price::default()
        };
    }
    command(&mut h, "/compare gpt-4o deepseek-chat");
    let started = send(&mut h, "q");
    for (id, _, _) in &started {
        piece(&mut h, *id, "答");
        h.act(Action::Stream {
            id: *id,
            msg: StreamMsg::End(Ok(ReplyEnd {
                usage: Some(Usage {
                    prompt_tokens: 1_000,
                    completion_tokens: 1_000,
                    total_tokens: 2_000,
                    ..Usage::default()
                }),
                ..ReplyEnd::default()
            })),
        });
    }
    h.press('1');
    // ¥0.01 each (1,000 tokens in at ¥2/M, 1,000 out at ¥8/M); the one not picked was paid too.
    let each = Money::new(10_000, Currency::Cny);
    assert_eq!(h.app.conv.get(started[1].0).unwrap().cost, Some(each));
    assert_eq!(
        crate::app::cost::session_totals(&h.app),
        [Money::new(20_000, Currency::Cny)]
    );
}

#[test]
fn a_signal_mid_comparison_stops_every_reply_and_quits() {
    let mut h = harness(120, 40);
    command(&mut h, "/compare gpt-4o deepseek-chat");
    let started = send(&mut h, "q");
    piece(&mut h, started[0].0, "半句");
    let fx = h.act(Action::Terminate(crate::signals::Signal::Terminate));
    assert!(h.app.quit);
    let cancels = fx
        .iter()
        .filter(|e| matches!(e, Effect::CancelReply { .. }))
        .count();
    assert_eq!(cancels, 2);
    assert!(matches!(
        h.app.conv.get(started[0].0).unwrap().status,
        Status::Interrupted(_)
    ));
    assert!(matches!(
        h.app.conv.get(started[1].0).unwrap().status,
        Status::Failed(_)
    ));
}

#[test]
fn as_tabs_only_the_focused_reply_is_laid_out_and_a_switch_catches_up() {
    let mut h = harness(80, 24);
    command(&mut h, "/compare gpt-4o deepseek-chat");
    let started = send(&mut h, "q");
    piece(&mut h, started[0].0, "一\n\n二");
    piece(&mut h, started[1].0, "三\n\n四\n\n五");
    assert!(h.app.compare_layout()[0].height() > 0);
    assert_eq!(
        h.app.compare_layout()[1].height(),
        0,
        "not drawn, not laid out"
    );
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    h.key(KeyCode::Right, KeyModifiers::NONE);
    assert!(h.app.compare_layout()[1].height() > h.app.compare_layout()[0].height());
}
