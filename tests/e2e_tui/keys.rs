//! The other keys of the chat: F1 help, Ctrl+R regenerate, Ctrl+N new conversation, scrolling.

use super::*;

#[test]
fn f1_opens_the_help_and_the_next_key_only_closes_it() {
    let server = MockServer::start();
    let t = mock_app(&server);
    t.keys(&["F1"]);
    let wanted = [
        "╭ Keys",
        "regenerate the last reply",
        "start a new conversation",
        "Ctrl+Q",
    ];
    t.wait_until(
        |s| wanted.iter().all(|w| s.contains(w)),
        WAIT,
        "the help overlay listing the keys",
    );
    t.type_text("x");
    let screen = t.wait_until(|s| !s.contains("╭ Keys"), WAIT, "the help closed");
    let rows = input_rows(&screen);
    assert!(
        rows.iter().all(|(_, l)| !l.starts_with('x')),
        "the closing key is not typed:\n{screen}"
    );
}

#[test]
fn ctrl_r_regenerates_and_ctrl_n_starts_a_new_conversation() {
    let server = MockServer::start();
    let t = mock_app(&server);
    send(&t, "one");
    wait_reply_done(&t, M1_TEXT);

    t.keys(&["C-r"]);
    assert!(server.wait_for_requests(2, WAIT), "Ctrl+R asks again");
    let screen = wait_reply_done(&t, M1_TEXT);
    assert_eq!(
        screen.matches(M1_TEXT).count(),
        1,
        "the old reply is replaced:\n{screen}"
    );
    let reqs = chat_requests(&server);
    assert_eq!(messages(&reqs[1]), messages(&reqs[0]), "same history again");
    assert_eq!(
        messages(&reqs[1]),
        [("user".to_string(), "one".to_string())]
    );

    t.keys(&["C-n"]);
    let screen = t.wait_for("new conversation", WAIT);
    assert!(
        !screen.contains(M1_TEXT),
        "the old conversation is gone:\n{screen}"
    );
    send(&t, "two");
    wait_reply_done(&t, M1_TEXT);
    let reqs = chat_requests(&server);
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        messages(&reqs[2]),
        [("user".to_string(), "two".to_string())],
        "a new conversation sends no old history"
    );
}

#[test]
fn page_up_leaves_the_tail_and_end_follows_it_again() {
    let server = MockServer::start();
    let n = 1500;
    server.on_model("gpt-4o", vec![scenarios::big_reply(n)]);
    let t = mock_app(&server);
    send(&t, "a very long answer please");
    let last = scenarios::piece(n - 1);
    wait_reply_done(&t, &last);

    t.keys(&["PageUp"]);
    t.wait_until(
        |s| !conversation_text(s).contains(&last),
        WAIT,
        "the tail scrolled out of view",
    );
    t.keys(&["Home"]);
    t.wait_for("▍ a very long answer please", WAIT);
    t.keys(&["End"]);
    t.wait_until(
        |s| conversation_text(s).contains(&last),
        WAIT,
        "the tail back in view",
    );
}
