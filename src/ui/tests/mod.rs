//! Whole-screen draws of states reached through `update`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::api::StreamEvent;
use crate::api::client::ReplyEnd;
use crate::app::test_harness::{Harness, Replies};
use crate::chat::Status;

fn content(s: &str) -> StreamEvent {
    StreamEvent::Content(s.into())
}

#[test]
fn rendering_a_conversation_does_not_trip_over_the_layout_memo() {
    let mut h = Harness::new();
    h.long_conversation(5);
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    term.draw(|f| super::render(&h.app, f)).unwrap();
    let screen = format!("{}", term.backend());
    assert!(screen.contains("answer 4"), "{screen}");
}

/// A reply cut off at `max_reply_mb` keeps its text and says why it stopped.
#[test]
fn a_reply_over_the_size_limit_keeps_its_text_and_says_so() {
    let mut h = Harness::sized(80, 24);
    let id = h.send("q");
    h.chunk(id, content("很长的回答"));
    h.end(
        id,
        Ok(ReplyEnd {
            over_limit: true,
            ..Default::default()
        }),
    );
    assert_eq!(h.last().content, "很长的回答");
    assert_eq!(h.last().status, Status::Done);
    assert_eq!(
        h.last().finish_reason.as_deref(),
        Some(crate::chat::OVER_SIZE_LIMIT)
    );
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    term.draw(|f| super::render(&h.app, f)).unwrap();
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("stopped: over the size limit"), "{screen}");
}

mod compare;
mod cost;
mod paging;
