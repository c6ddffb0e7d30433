//! Pure tests of `update`: action sequences in, state and effects out. No terminal, no network.

use crossterm::event::{KeyCode, KeyModifiers, MouseEvent, MouseEventKind};

use super::*;
use crate::api::client::ReplyEnd;
use crate::api::{ApiError, StreamEvent, Usage};
use crate::chat::{Role, Status};
use crate::config::{ModelSpec, Provider};

// The shared driver, plus what these tests do with a reply.
use super::test_harness::{Harness, Replies};

fn content(s: &str) -> StreamEvent {
    StreamEvent::Content(s.into())
}

#[test]
fn send_adds_the_prompt_and_a_waiting_reply_and_clears_the_input() {
    let mut h = Harness::new();
    h.type_text("你好");
    let fx = h.key(KeyCode::Enter, KeyModifiers::NONE);
    let [
        Effect::StartReply {
            reply_id,
            target,
            history,
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].content, "你好");
    assert_eq!(target.label(), "demo:demo");
    assert!(h.app.prompt.is_empty());
    assert_eq!(h.app.conv.messages()[0].role, Role::User);
    assert_eq!(h.last().id, *reply_id);
    assert_eq!(h.last().status, Status::Waiting);
    assert_eq!(h.last().model.as_deref(), Some("demo:demo"));
    assert!(h.app.in_flight.is_some());
}

#[test]
fn blank_prompts_are_not_sent() {
    let mut h = Harness::new();
    h.type_text("   ");
    assert!(h.key(KeyCode::Enter, KeyModifiers::NONE).is_empty());
    assert!(h.app.conv.is_empty());
}

#[test]
fn chunks_stream_in_and_done_finishes_the_reply() {
    let mut h = Harness::new();
    let id = h.send("hi");
    h.chunk(id, StreamEvent::Reasoning("想一想".into()));
    assert_eq!(h.last().status, Status::Streaming);
    h.chunk(id, content("你"));
    h.chunk(id, content("好"));
    let usage = Usage {
        prompt_tokens: 3,
        completion_tokens: 2,
        total_tokens: 5,
        reasoning_tokens: None,
    };
    h.chunk(id, StreamEvent::Usage(usage));
    h.chunk(id, StreamEvent::Finish("stop".into()));
    assert_eq!(h.app.in_flight.unwrap().pieces, 3);
    h.end(
        id,
        Ok(ReplyEnd {
            finish_reason: Some("stop".into()),
            ..Default::default()
        }),
    );
    let m = h.last();
    assert_eq!(
        (m.content.as_str(), m.reasoning.as_str()),
        ("你好", "想一想")
    );
    assert_eq!(m.status, Status::Done);
    assert_eq!(m.usage, Some(usage));
    assert_eq!(h.app.last_usage, Some(usage));
    assert!(h.app.in_flight.is_none());
}

#[test]
fn a_failed_request_marks_the_reply_failed_with_the_sentence() {
    let mut h = Harness::new();
    let id = h.send("hi");
    let err = ApiError::Auth {
        status: 401,
        host: "h".into(),
        message: "无效的令牌".into(),
        key_source: "K".into(),
    };
    h.end(id, Err(err.clone()));
    assert_eq!(h.last().status, Status::Failed(err.to_string()));
    assert_eq!(h.app.last_error.as_deref(), Some(err.to_string().as_str()));
    // A failed reply is not sent back as history.
    h.type_text("again");
    let fx = h.key(KeyCode::Enter, KeyModifiers::NONE);
    let [Effect::StartReply { history, .. }] = fx.as_slice() else {
        panic!()
    };
    // Nor is its prompt: strict APIs refuse two user messages in a row.
    assert_eq!(
        history
            .iter()
            .map(|m| (m.role.as_str(), m.content.as_str()))
            .collect::<Vec<_>>(),
        [("user", "again")]
    );
}

#[test]
fn a_dropped_stream_keeps_the_partial_text_marked_interrupted() {
    let mut h = Harness::new();
    let id = h.send("hi");
    h.chunk(id, content("半个回答"));
    let err = ApiError::Interrupted {
        host: "h".into(),
        detail: "reset".into(),
    };
    h.end(id, Err(err.clone()));
    assert_eq!(h.last().content, "半个回答");
    assert_eq!(h.last().status, Status::Interrupted(err.to_string()));
}

#[test]
fn esc_cancels_keeps_the_text_and_ignores_late_chunks() {
    let mut h = Harness::new();
    let id = h.send("hi");
    h.chunk(id, content("part"));
    let fx = h.key(KeyCode::Esc, KeyModifiers::NONE);
    assert!(matches!(fx.as_slice(), [Effect::CancelReply { reply_id }] if *reply_id == id));
    assert_eq!(h.last().status, Status::Cancelled);
    h.chunk(id, content(" late"));
    h.end(id, Ok(ReplyEnd::default()));
    assert_eq!(h.last().content, "part");
    assert_eq!(h.last().status, Status::Cancelled);
    // Esc when idle does nothing.
    assert!(h.key(KeyCode::Esc, KeyModifiers::NONE).is_empty());
}

#[test]
fn ctrl_c_cancels_while_streaming_and_quits_when_idle() {
    let mut h = Harness::new();
    let id = h.send("hi");
    let fx = h.key(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(matches!(fx.as_slice(), [Effect::CancelReply { reply_id }] if *reply_id == id));
    assert!(!h.app.quit);
    let fx = h.key(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(h.app.quit);
}

#[test]
fn ctrl_q_cancels_the_reply_and_quits() {
    let mut h = Harness::new();
    let id = h.send("hi");
    let fx = h.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert!(matches!(fx.as_slice(), [Effect::CancelReply { reply_id }] if *reply_id == id));
    assert!(h.app.quit);
}

#[test]
fn sending_while_a_reply_streams_keeps_the_prompt_and_says_why() {
    let mut h = Harness::new();
    h.send("one");
    h.type_text("two");
    assert!(h.key(KeyCode::Enter, KeyModifiers::NONE).is_empty());
    assert_eq!(h.app.prompt.text(), "two");
    assert!(h.app.notice.as_ref().unwrap().text.contains("Esc"));
}

#[test]
fn regenerate_replaces_the_last_reply() {
    let mut h = Harness::new();
    let id = h.send("q");
    h.chunk(id, content("old"));
    h.end(id, Ok(ReplyEnd::default()));
    let fx = h.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
    let [
        Effect::StartReply {
            reply_id, history, ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_ne!(*reply_id, id);
    assert_eq!(history.len(), 1, "the old reply is not part of the history");
    assert_eq!(h.app.conv.messages().len(), 2);
    assert_eq!(h.last().content, "");
}

#[test]
fn new_chat_clears_the_conversation_and_cancels() {
    let mut h = Harness::new();
    let id = h.send("q");
    let fx = h.key(KeyCode::Char('n'), KeyModifiers::CONTROL);
    assert!(matches!(fx.as_slice(), [Effect::CancelReply { reply_id }] if *reply_id == id));
    assert!(h.app.conv.is_empty());
    assert!(h.app.in_flight.is_none());
}

#[test]
fn newline_keys_insert_line_breaks_and_paste_never_sends() {
    let mut h = Harness::new();
    h.type_text("a");
    h.key(KeyCode::Char('j'), KeyModifiers::CONTROL);
    h.type_text("b");
    h.key(KeyCode::Enter, KeyModifiers::ALT);
    h.type_text("c");
    h.key(KeyCode::Enter, KeyModifiers::SHIFT);
    assert_eq!(h.app.prompt.text(), "a\nb\nc\n");
    let fx = h.act(Action::Paste("line1\nline2".into()));
    assert!(fx.is_empty());
    assert!(h.app.conv.is_empty());
    assert_eq!(h.app.prompt.text(), "a\nb\nc\nline1\nline2");
}

#[test]
fn up_and_down_walk_the_prompt_history() {
    let mut h = Harness::new();
    let id = h.send("first");
    h.end(id, Ok(ReplyEnd::default()));
    h.key(KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(h.app.prompt.text(), "first");
    h.key(KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(h.app.prompt.text(), "");
}

#[test]
fn scrolling_stops_following_and_end_resumes() {
    let mut h = Harness::new();
    h.long_conversation(30);
    let bottom = h.app.scroll_top();
    assert!(bottom > 0);
    assert!(h.app.scroll.follow);
    h.key(KeyCode::PageUp, KeyModifiers::NONE);
    assert!(!h.app.scroll.follow);
    let page = h.app.viewport_height() - 2;
    assert_eq!(h.app.scroll_top(), bottom - page);
    h.key(KeyCode::Up, KeyModifiers::SHIFT);
    assert_eq!(h.app.scroll_top(), bottom - page - 1);
    h.key(KeyCode::Down, KeyModifiers::CONTROL);
    assert_eq!(h.app.scroll_top(), bottom - page);
    h.key(KeyCode::Home, KeyModifiers::NONE);
    assert_eq!(h.app.scroll_top(), 0);
    h.key(KeyCode::End, KeyModifiers::NONE);
    assert!(h.app.scroll.follow);
    assert_eq!(h.app.scroll_top(), bottom);
}

#[test]
fn a_growing_reply_is_followed_unless_the_user_scrolled_up() {
    let mut h = Harness::new();
    h.long_conversation(10);
    let id = h.send("stream");
    h.chunk(id, content("line\n".repeat(5).as_str()));
    let before = h.app.scroll_top();
    h.chunk(id, content("line\n".repeat(5).as_str()));
    assert_eq!(h.app.scroll_top(), before + 5, "following the tail");
    h.key(KeyCode::PageUp, KeyModifiers::NONE);
    let held = h.app.scroll_top();
    h.chunk(id, content("line\n".repeat(5).as_str()));
    assert_eq!(h.app.scroll_top(), held, "scrolled up: the view stays put");
    // Scrolling back down to the bottom resumes following.
    h.key(KeyCode::PageDown, KeyModifiers::NONE);
    h.key(KeyCode::PageDown, KeyModifiers::NONE);
    assert!(h.app.scroll.follow);
}

#[test]
fn mouse_wheel_scrolls_only_over_the_conversation() {
    let mut h = Harness::new();
    h.long_conversation(20);
    let bottom = h.app.scroll_top();
    let wheel = |row| MouseEvent {
        kind: MouseEventKind::ScrollUp,
        column: 5,
        row,
        modifiers: KeyModifiers::NONE,
    };
    h.act(Action::Mouse(wheel(2)));
    assert_eq!(h.app.scroll_top(), bottom - 3);
    h.act(Action::Mouse(wheel(22)));
    assert_eq!(
        h.app.scroll_top(),
        bottom - 3,
        "the wheel over the input does not scroll"
    );
}

#[test]
fn home_and_end_edit_the_prompt_when_it_is_not_empty() {
    let mut h = Harness::new();
    h.long_conversation(20);
    h.type_text("abc");
    h.key(KeyCode::Home, KeyModifiers::NONE);
    assert!(h.app.scroll.follow, "Home moved the cursor, not the view");
    assert_eq!(h.app.prompt.editor.cursor(), (0, 0));
}

#[test]
fn resize_relayouts_and_keeps_following() {
    let mut h = Harness::new();
    h.long_conversation(10);
    let id = h.send(&"这是一个很长的问题，需要在窄的终端里换行。".repeat(4));
    h.end(id, Ok(ReplyEnd::default()));
    let lines_80 = h.app.layout().total_lines();
    h.act(Action::Resize {
        width: 30,
        height: 10,
    });
    assert!(
        h.app.layout().total_lines() > lines_80,
        "narrower means more lines"
    );
    assert_eq!(
        h.app.scroll_top(),
        h.app.layout().total_lines() - h.app.viewport_height()
    );
    // Tiny and zero sizes do not panic.
    for (w, hh) in [(1, 1), (0, 0), (19, 5), (20, 6)] {
        h.act(Action::Resize {
            width: w,
            height: hh,
        });
        h.key(KeyCode::PageUp, KeyModifiers::NONE);
    }
}

#[test]
fn help_opens_on_f1_and_any_key_closes_it_without_acting() {
    let mut h = Harness::new();
    h.key(KeyCode::F(1), KeyModifiers::NONE);
    assert_eq!(h.app.overlay, Some(Overlay::Help));
    let fx = h.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert!(fx.is_empty());
    assert!(h.app.overlay.is_none());
    assert!(!h.app.quit);
}

#[test]
fn ctrl_t_toggles_reasoning_and_relayouts() {
    let mut h = Harness::new();
    let id = h.send("q");
    h.chunk(
        id,
        StreamEvent::Reasoning("line one\nline two\nline three".into()),
    );
    h.chunk(id, content("answer"));
    h.end(id, Ok(ReplyEnd::default()));
    let collapsed = h.app.layout().total_lines();
    h.key(KeyCode::Char('t'), KeyModifiers::CONTROL);
    assert!(h.app.show_reasoning);
    assert_eq!(h.app.layout().total_lines(), collapsed + 2);
}

#[test]
fn tick_only_moves_the_clock() {
    let mut h = Harness::new();
    let id = h.send("q");
    let before = h.app.conv.clone();
    assert!(h.act(Action::Tick).is_empty());
    assert_eq!(h.app.conv, before);
    assert_eq!(h.app.in_flight.unwrap().id, id);
}

#[test]
fn truncated_and_length_endings_are_recorded() {
    let mut h = Harness::new();
    let id = h.send("q");
    h.chunk(id, content("cut"));
    h.end(
        id,
        Ok(ReplyEnd {
            possibly_truncated: true,
            ..Default::default()
        }),
    );
    assert!(h.last().truncated);
    let id = h.send("q2");
    h.chunk(id, content("long"));
    h.chunk(id, StreamEvent::Finish("length".into()));
    h.end(
        id,
        Ok(ReplyEnd {
            finish_reason: Some("length".into()),
            ..Default::default()
        }),
    );
    assert_eq!(h.last().finish_reason.as_deref(), Some("length"));
}

#[test]
fn tab_focuses_the_conversation_where_j_k_scroll_and_typing_returns_to_the_input() {
    let mut h = Harness::new();
    h.long_conversation(20);
    let bottom = h.app.scroll_top();
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(h.app.focus, Focus::Conversation);
    h.key(KeyCode::Char('k'), KeyModifiers::NONE);
    h.key(KeyCode::Char('k'), KeyModifiers::NONE);
    assert_eq!(h.app.scroll_top(), bottom - 2);
    h.key(KeyCode::Char('g'), KeyModifiers::NONE);
    assert_eq!(h.app.scroll_top(), 0);
    h.key(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert!(h.app.scroll.follow);
    h.key(KeyCode::Char('x'), KeyModifiers::NONE);
    assert_eq!(h.app.focus, Focus::Input);
    assert_eq!(h.app.prompt.text(), "x");
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(h.app.focus, Focus::Input);
}

#[test]
fn a_resumed_long_history_is_laid_out_wherever_the_view_goes() {
    let mut h = Harness::new();
    h.app.conv = crate::dev::synthetic::conversation(3_000);
    let height = h.app.viewport_height();
    let window = |h: &Harness| {
        let top = h.app.scroll_top();
        h.app.layout().estimated_in(top, height)
    };
    assert_eq!(window(&h), 0, "following the end");
    assert!(h.app.layout().laid_out() < 300);
    for _ in 0..3 {
        h.key(KeyCode::PageUp, KeyModifiers::NONE);
        assert_eq!(window(&h), 0, "after PgUp");
    }
    h.key(KeyCode::Home, KeyModifiers::NONE);
    assert_eq!(h.app.scroll_top(), 0);
    assert_eq!(window(&h), 0, "at the top");
    h.key(KeyCode::End, KeyModifiers::NONE);
    assert_eq!(window(&h), 0, "back at the end");
    let id = h.send("more");
    h.chunk(id, content("streamed\n"));
    assert_eq!(window(&h), 0, "while a reply streams");
}

mod layers;
mod picker;
mod prompt_keys;
mod turns;

/// Keys that queued up together act exactly as the same keys one by one: text typed into the
/// prompt, Enter sending it, and a key the key map binds when the prompt is empty.
#[test]
fn a_run_of_queued_keys_acts_like_the_keys_one_by_one() {
    // `^` stands for Ctrl+X, whose next key readline swallows when it starts no sequence.
    let keys: Vec<KeyEvent> = "你好 ab\r?x^yz"
        .chars()
        .map(|c| match c {
            '\r' => KeyEvent::from(KeyCode::Enter),
            '^' => KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL),
            c => KeyEvent::from(KeyCode::Char(c)),
        })
        .collect();
    let mut one_by_one = Harness::new();
    let mut single: Vec<Effect> = Vec::new();
    for k in &keys {
        single.extend(one_by_one.act(Action::Key(*k)));
    }
    let mut batched = Harness::new();
    let together = batched.act(Action::Keys(keys));
    assert_eq!(format!("{together:?}"), format!("{single:?}"));
    assert_eq!(batched.app.prompt.text(), one_by_one.app.prompt.text());
    assert_eq!(batched.app.overlay, one_by_one.app.overlay);
    assert_eq!(
        batched.app.conv.messages().len(),
        one_by_one.app.conv.messages().len()
    );
}
