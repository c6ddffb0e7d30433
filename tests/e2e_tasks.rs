//! Generation tasks end to end: the real binary in tmux against the mock relay.

mod support;
mod tmux;

use std::time::Duration;

use support::{MockServer, Reply};
use tmux::Tmux;

const WAIT: Duration = Duration::from_secs(20);

fn half_blocks_right_of(screen: &str, from: usize) -> usize {
    screen
        .lines()
        .map(|l| {
            l.chars()
                .skip(from)
                .filter(|c| matches!(c, '▀' | '▄'))
                .count()
        })
        .sum()
}

fn start(server: &MockServer) -> Tmux {
    let mut t = Tmux::new();
    // Polls every 0.5 s, then 1 s, 1.5 s: the mock moves one step per fetch, so "46%" shows
    // for over a second before the result.
    let cfg = t.write_file(
        "ecochat.toml",
        &format!(
            "default_model = \"mock:mj_imagine\"\nimage_protocol = \"halfblocks\"\n\n[[providers]]\n\
             name = \"mock\"\nbase_url = \"{}\"\napi_key = \"sk-e2e\"\nmax_retries = 0\n\
             models = [{{ id = \"mj_imagine\", api = \"midjourney\", poll_secs = 0.5 }}]\n",
            server.base_url()
        ),
    );
    let cfg = cfg.display().to_string();
    t.run(&["--config", &cfg], &[], 120, 40);
    t.wait_ready();
    t
}

#[test]
fn a_midjourney_prompt_shows_progress_then_the_image_and_u1_presses_the_button() {
    let server = MockServer::start();
    let t = start(&server);
    t.type_text("a red fox in snow");
    t.keys(&["Enter"]);
    let screen = t.wait_until(
        |s| s.contains("46%") && s.contains("running"),
        WAIT,
        "the card with the task in progress",
    );
    assert!(
        screen.contains("1 task(s)"),
        "running count in the status bar: {screen}"
    );
    assert!(screen.contains("█"), "a progress bar: {screen}");
    let screen = t.wait_until(
        |s| s.contains("succeeded") && s.contains("U1 U2"),
        WAIT,
        "the finished card with its buttons",
    );
    assert!(screen.contains("reroll"), "{screen}");
    if std::env::var_os("SHOW_SCREEN").is_some() {
        eprintln!("{screen}");
    }
    let screen = t.wait_until(
        |s| half_blocks_right_of(s, 73) > 100 && s.contains("image 1"),
        WAIT,
        "the image drawn in the media panel",
    );
    assert!(
        screen.contains("Media 1") && !screen.contains("preview"),
        "{screen}"
    );
    let first_id = server
        .requests()
        .iter()
        .find(|r| r.path.starts_with("/mj/task/"))
        .map(|r| {
            r.path
                .trim_start_matches("/mj/task/")
                .trim_end_matches("/fetch")
                .to_string()
        })
        .expect("the task was polled");
    t.type_text("/mj U1");
    t.keys(&["Enter"]);
    assert!(
        server.wait_for_requests(1, WAIT) && wait_for_action(&server),
        "the action was submitted"
    );
    let action = server
        .requests()
        .into_iter()
        .find(|r| r.path == "/mj/submit/action")
        .unwrap();
    let sent = action.json();
    assert_eq!(
        sent["customId"],
        format!("MJ::JOB::upsample::1::{first_id}"),
        "the mock names buttons after their task"
    );
    assert_eq!(sent["taskId"], first_id.as_str());
    // The new card polls the new task to its end too.
    t.wait_until(
        |s| s.matches("succeeded").count() >= 2,
        WAIT,
        "the upscaled card finished",
    );
}

fn wait_for_action(server: &MockServer) -> bool {
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline {
        if server
            .requests()
            .iter()
            .any(|r| r.path == "/mj/submit/action")
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn quitting_mid_task_and_resuming_finishes_it() {
    let server = MockServer::start();
    let id = "1730621826053456";
    let path = format!("/mj/task/{id}/fetch");
    // The first run never sees the task finish.
    server.on_path(
        "GET",
        &path,
        vec![Reply::json(
            200,
            include_bytes!("fixtures/tasks/mj_fetch_progress.json"),
        )],
    );
    let t = start(&server);
    t.type_text("a red fox in snow");
    t.keys(&["Enter"]);
    t.wait_until(|s| s.contains("46%"), WAIT, "the task in progress");
    t.keys(&["C-q"]);
    t.wait_exit(WAIT);
    let polled = server.request_count();
    // While ecochat was closed the task finished at the relay.
    let done = String::from_utf8_lossy(include_bytes!("fixtures/tasks/mj_fetch_localhost.json"))
        .replace("1724963337114767", id);
    server.on_path("GET", &path, vec![Reply::json(200, done.as_bytes())]);
    let cfg = t.path("ecochat.toml").display().to_string();
    t.relaunch(&["--config", &cfg, "--resume"], &[]);
    let screen = t.wait_until(
        |s| s.contains("succeeded") && s.contains("a red fox in snow"),
        WAIT,
        "the resumed card finished",
    );
    assert!(screen.contains(&format!("/mj/image/{id}")), "{screen}");
    let fetched_again = server.requests()[polled..]
        .iter()
        .filter(|r| r.path == path)
        .count();
    assert!(fetched_again >= 1);
    // No new submit: the same task was polled.
    assert!(
        !server.requests()[polled..]
            .iter()
            .any(|r| r.path.contains("/submit/"))
    );
}
