//! Alternatives and branches end to end: the real binary in tmux against the mock. Ctrl+R keeps
//! the first reply, `<` shows it again and the next prompt continues from it; `e` edits a
//! prompt into a new branch, and only that branch goes to the model.

mod support;
mod tmux;

use std::time::Duration;

use support::chat::{KEY_ENV, TEST_KEY};
use support::scenarios::says;
use support::{MockServer, binary};
use tmux::Tmux;

const WAIT: Duration = Duration::from_secs(15);

/// The contents of the messages of the mock's last request.
fn last_sent(server: &MockServer) -> Vec<String> {
    server.last_request().expect("a request").contents()
}

fn start(server: &MockServer) -> Tmux {
    let config = binary::mock_config(&server.base_url(), "gpt-4o", "");
    let t = Tmux::with_config(&config, &[(KEY_ENV, TEST_KEY)]);
    t.wait_for("Enter send", WAIT);
    t
}

#[test]
fn ctrl_r_keeps_the_first_reply_and_lt_shows_it_and_the_next_prompt_follows_it() {
    let server = MockServer::start();
    server.on_model(
        "gpt-4o",
        vec![says("第一个笑话"), says("第二个笑话"), says("好的")],
    );
    let t = start(&server);
    t.type_text("讲个笑话");
    t.keys(&["Enter"]);
    t.wait_for("第一个笑话", WAIT);
    t.keys(&["C-r"]);
    let screen = t.wait_for("第二个笑话", WAIT);
    assert!(!screen.contains("第一个笑话"), "{screen}");
    assert!(
        screen.contains("‹2/2›"),
        "the reply says it has an alternative:\n{screen}"
    );
    // Conversation focus, then `<`.
    t.keys(&["Tab"]);
    t.keys(&["<"]);
    let screen = t.wait_for("第一个笑话", WAIT);
    assert!(screen.contains("‹1/2›"), "{screen}");
    assert!(!screen.contains("第二个笑话"), "{screen}");
    // Back to the prompt: the next request carries the alternative shown.
    t.keys(&["Tab", "Tab"]);
    t.type_text("再来一个");
    t.keys(&["Enter"]);
    assert!(server.wait_for_requests(3, WAIT));
    t.wait_for("好的", WAIT);
    assert_eq!(last_sent(&server), ["讲个笑话", "第一个笑话", "再来一个"]);
    t.keys(&["C-q"]);
    t.wait_exit(WAIT);
}

#[test]
fn an_edited_prompt_starts_a_branch_and_only_it_is_sent() {
    let server = MockServer::start();
    server.on_model("gpt-4o", vec![says("北京晴"), says("上海多云")]);
    let t = start(&server);
    t.type_text("北京天气");
    t.keys(&["Enter"]);
    t.wait_for("北京晴", WAIT);
    // Select the prompt (`[` twice from the end) and edit it.
    t.keys(&["Tab", "[", "[", "e"]);
    t.wait_for("Editing", WAIT);
    t.keys(&["C-u"]);
    t.type_text("上海天气");
    t.keys(&["Enter"]);
    assert!(server.wait_for_requests(2, WAIT));
    let screen = t.wait_for("上海多云", WAIT);
    assert_eq!(
        last_sent(&server),
        ["上海天气"],
        "the old branch is not sent"
    );
    assert!(!screen.contains("北京晴"), "{screen}");
    assert!(screen.contains("‹2/2›"), "{screen}");
    // The old branch is still there: select the prompt and switch back.
    t.keys(&["Tab", "[", "[", "<"]);
    let screen = t.wait_for("北京晴", WAIT);
    assert!(screen.contains("北京天气"), "{screen}");
    t.keys(&["C-q"]);
    t.wait_exit(WAIT);
    // Reopened, the session shows the branch that was on screen, not the newest one.
    let config = t.path("ecochat.toml").display().to_string();
    t.relaunch(&["--config", &config, "--resume"], &[(KEY_ENV, TEST_KEY)]);
    let screen = t.wait_for("北京晴", WAIT);
    assert!(!screen.contains("上海多云"), "{screen}");
    assert!(screen.contains("‹1/2›"), "{screen}");
    t.keys(&["C-q"]);
    t.wait_exit(WAIT);
}
