//! Faults met by the full-screen app in tmux: it stays responsive while a server says nothing,
//! Esc cancels, the timeout fires, and after a broken reply the next one works.

use std::time::Duration;

use super::support::binary;
use super::support::{MockServer, Reply, scenarios};
use super::tmux::{Tmux, WAIT, conversation_text, input_rows, is_idle, squash, status_line};
use super::{content_event, cut_stream};
use ecochat::chat::Status;

const M1_TEXT: &str = "你好！有什么可以帮你？";

/// ecochat in a 100x30 pane, talking to `server` with 1 s timeouts.
fn app(server: &MockServer) -> Tmux {
    let mut t = Tmux::new();
    let cfg = binary::mock_config(
        &server.base_url(),
        "m",
        "connect_timeout_secs = 1\nidle_timeout_secs = 1\n",
    );
    let path = t.write_file("ecochat.toml", &cfg).display().to_string();
    t.run(
        &["--config", &path],
        &[(super::KEY_ENV, super::TEST_KEY)],
        100,
        30,
    );
    t.wait_ready();
    t
}

/// The status bar shows a reply in flight (neither idle nor an error).
fn is_busy(screen: &str) -> bool {
    !is_idle(screen) && !status_line(screen).contains("error")
}

fn send(t: &Tmux, prompt: &str) {
    t.type_text(prompt);
    t.keys(&["Enter"]);
}

fn quit_and_load(t: &Tmux) -> Vec<ecochat::chat::Message> {
    t.keys(&["C-q"]);
    assert_eq!(t.wait_exit(WAIT), "status 0");
    binary::latest_messages(&binary::db_path(t.home.path()))
}

#[test]
fn silent_server_ui_stays_responsive_esc_cancels_and_the_timeout_fires() {
    let server = MockServer::start();
    server.on_model(
        "m",
        vec![
            Reply::new(200).hang_before_head(),
            Reply::new(200).hang_before_head(),
            scenarios::m1(),
        ],
    );
    let t = app(&server);

    send(&t, "anyone there?");
    assert!(server.wait_for_requests(1, WAIT));
    // The app keeps reading keys while the request waits.
    t.type_text("typing while waiting");
    t.wait_until(
        |s| {
            input_rows(s)
                .iter()
                .any(|(_, r)| r.contains("typing while waiting"))
        },
        WAIT,
        "the typed text in the input box",
    );
    t.keys(&["Escape"]);
    t.wait_until(|s| s.contains("cancelled") && is_idle(s), WAIT, "cancelled");
    assert!(
        server.wait_for_no_connections(WAIT),
        "Esc closed the connection"
    );

    // Clear the draft, then let the second silent request run into the timeout.
    t.keys(&["C-u"]);
    for _ in 0.."typing while waiting".len() {
        t.keys(&["BSpace"]);
    }
    send(&t, "second try");
    let screen = t.wait_until(
        |s| squash(s).contains("sentnothingfor2s") && !is_busy(s),
        Duration::from_secs(15),
        "the timeout reported in the conversation",
    );
    assert!(screen.contains("127.0.0.1"), "{screen}");

    send(&t, "third try");
    t.wait_until(
        |s| conversation_text(s).contains(&squash(M1_TEXT)) && is_idle(s),
        WAIT,
        "the next reply",
    );
    let msgs = quit_and_load(&t);
    let statuses: Vec<&Status> = msgs.iter().map(|m| &m.status).collect();
    assert!(
        matches!(statuses.last(), Some(Status::Done)),
        "{statuses:?}"
    );
}

#[test]
fn a_reply_cut_mid_event_stays_on_screen_and_in_the_store_and_the_app_goes_on() {
    let server = MockServer::start();
    let half = &content_event("第三段")[..25];
    server.on_model(
        "m",
        vec![cut_stream(&["第一段，", "第二段，"], half), scenarios::m1()],
    );
    let t = app(&server);
    send(&t, "数到三");
    t.wait_until(
        |s| {
            conversation_text(s).contains("第一段，第二段，")
                && s.contains("interrupted")
                && !is_busy(s)
        },
        WAIT,
        "the partial reply, and idle",
    );
    send(&t, "again");
    t.wait_until(
        |s| conversation_text(s).contains(&squash(M1_TEXT)) && is_idle(s),
        WAIT,
        "the next reply",
    );
    let msgs = quit_and_load(&t);
    assert_eq!(msgs.len(), 4, "{msgs:?}");
    assert_eq!(msgs[1].content, "第一段，第二段，");
    assert!(matches!(msgs[1].status, Status::Interrupted(_)), "{msgs:?}");
    assert_eq!(msgs[3].status, Status::Done);
}
