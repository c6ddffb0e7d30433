//! Pipe mode writing to a real terminal (tmux): nothing a server sends, in the reply, the
//! reasoning or an error message, changes the title, the clipboard or the screen modes.

use serde_json::json;

use super::support::chat::{KEY_ENV, TEST_KEY};
use super::support::{MockServer, Reply};
use super::tmux::{Tmux, WAIT};
use super::{hostile_text, sequences};

/// A stream whose deltas carry every sequence, each cut in two across deltas.
fn hostile_stream() -> Reply {
    let mut payload = Vec::new();
    let mut push = |field: &str, text: &str| {
        let chunk = json!({"choices": [{"index": 0, "delta": {field: text}}]});
        payload.extend(format!("data: {chunk}\n\n").into_bytes());
    };
    push("reasoning_content", &format!("THINK {}", hostile_text()));
    for (name, seq) in sequences() {
        let chars: Vec<char> = seq.chars().collect();
        let (a, b) = chars.split_at(chars.len() / 2);
        push(
            "content",
            &format!("[{name}]{}", a.iter().collect::<String>()),
        );
        push("content", &b.iter().collect::<String>());
    }
    push("content", &hostile_text());
    payload.extend_from_slice(b"data: [DONE]\n\n");
    Reply::sse(&payload)
}

fn run_pipe(server: &MockServer) -> Tmux {
    let mut t = Tmux::new();
    let cfg = format!(
        "default_model = \"mock:m\"\n\n[[providers]]\nname = \"mock\"\nbase_url = \"{}\"\n\
         api_key_env = \"{KEY_ENV}\"\nmax_retries = 0\nmodels = [\"m\"]\n",
        server.base_url()
    );
    let path = t.write_file("ecochat.toml", &cfg).display().to_string();
    // Launch a shell first so the pane exists, then arm tmux before ecochat writes anything.
    t.run_in_shell(
        &["--config", &path, "-p", "say something nasty"],
        &[(KEY_ENV, TEST_KEY)],
        160,
        50,
    );
    t
}

fn assert_terminal_untouched(t: &Tmux, title_before: &str) {
    assert_eq!(
        t.display("#{pane_title}"),
        title_before,
        "the title is unchanged"
    );
    let buffers = t.tmux(&["list-buffers"]);
    assert_eq!(
        String::from_utf8_lossy(&buffers.stdout),
        "",
        "no clipboard write reached tmux"
    );
    assert_eq!(t.display("#{alternate_on}"), "0", "no alternate screen");
    assert_eq!(t.display("#{mouse_any_flag}"), "0", "no mouse reporting");
}

#[test]
fn a_hostile_stream_in_pipe_mode_on_a_terminal_is_neutralised() {
    let server = MockServer::start();
    server.on_model("m", vec![hostile_stream()]);
    let t = run_pipe(&server);
    t.tmux(&["set-option", "-s", "set-clipboard", "on"]);
    let title = t.display("#{pane_title}");
    let screen = t.wait_for(super::tmux::EXITED, WAIT);
    assert!(screen.contains("[ecochat exited 0]"), "{screen}");
    assert!(
        screen.contains("THINK BEGIN"),
        "reasoning on stderr: {screen}"
    );
    assert!(screen.contains("[OSC 52 clipboard]"), "{screen}");
    assert!(screen.contains("END"), "{screen}");
    assert!(!screen.contains("PWNED-TITLE"), "{screen}");
    assert!(
        screen.contains('␀'),
        "C0 controls are shown as pictures: {screen}"
    );
    assert_terminal_untouched(&t, &title);
}

#[test]
fn a_hostile_error_message_in_pipe_mode_on_a_terminal_is_neutralised() {
    let server = MockServer::start();
    let body = json!({"error": {"message": format!("bad request {}", hostile_text()),
                                "type": "invalid_request_error"}});
    server.on_model("m", vec![Reply::json(400, body.to_string().as_bytes())]);
    let t = run_pipe(&server);
    t.tmux(&["set-option", "-s", "set-clipboard", "on"]);
    let title = t.display("#{pane_title}");
    let screen = t.wait_for(super::tmux::EXITED, WAIT);
    assert!(screen.contains("[ecochat exited 1]"), "{screen}");
    assert!(screen.contains("bad request BEGIN"), "{screen}");
    assert!(!screen.contains("PWNED-TITLE"), "{screen}");
    assert_terminal_untouched(&t, &title);
}
