//! Pipe mode with task models (Midjourney, Suno, video) against the mock relay, and
//! `ecochat tasks`.

mod support;

use std::time::Duration;

use support::binary::{MockHome, assert_secret_not_under, db_path};
use support::chat::{KEY_ENV, TEST_KEY};

/// A home whose mock provider has a model for each task API; they poll every 10 ms, since the
/// mock advances one step per fetch, not per second.
fn task_home() -> MockHome {
    MockHome::with_config(|base_url| {
        format!(
            r#"default_model = "mock:gpt-4o"

[[providers]]
name = "mock"
base_url = "{base_url}"
api_key_env = "{KEY_ENV}"
max_retries = 0
models = [
  "gpt-4o",
  {{ id = "mj_imagine", api = "midjourney", poll_secs = 0.01 }},
  {{ id = "suno_music", api = "suno", poll_secs = 0.01 }},
  {{ id = "kling-v1", api = "video", poll_secs = 0.01 }},
  {{ id = "runway-video", api = "video", poll_secs = 0.01 }},
  {{ id = "slow_mj", api = "midjourney", poll_secs = 0.01, task_timeout_secs = 1 }},
  {{ id = "flux", api = "images" }},
]
"#
        )
    })
}

#[test]
fn midjourney_prints_the_image_link_moved_off_localhost() {
    let t = task_home();
    let (code, out, err) = t.run(&["-m", "mock:mj_imagine", "-p", "a red fox --ar 16:9"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].starts_with(&t.server.url("/mj/image/")),
        "the relay said localhost:3001: {out}"
    );
    assert!(err.contains("submitted"), "{err}");
    // Not a terminal: one line per change of status, progress included.
    assert!(err.contains("queued 0%"), "{err}");
    assert!(err.contains("running 46%"), "{err}");
    let submit = &t.server.requests()[0];
    assert_eq!(submit.path, "/mj/submit/imagine");
    assert_eq!(submit.json()["prompt"], "a red fox --ar 16:9");
    assert_secret_not_under(t.home.path(), TEST_KEY);
}

#[test]
fn midjourney_failure_exits_1_with_the_reason() {
    let t = task_home();
    let (code, out, err) = t.run(&["-m", "mock:mj_imagine", "-p", "this should fail"]);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert!(err.contains("[Invalid parameter] Invalid value"), "{err}");
    let (code, _, err) = t.run(&["-m", "mock:mj_imagine", "-p", "nude body"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("可能包含敏感词") && err.contains("banned word: nude"),
        "{err}"
    );
}

#[test]
fn suno_prints_every_clip_link() {
    let t = task_home();
    let (code, out, err) = t.run(&["-m", "mock:suno_music", "-p", "一首关于夏天的歌"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6, "two clips x audio, video, cover: {out}");
    assert!(
        lines[0].ends_with(".mp3") && lines[1].ends_with(".mp4"),
        "{out}"
    );
    let submit = &t.server.requests()[0];
    assert_eq!(submit.json()["gpt_description_prompt"], "一首关于夏天的歌");
    let (code, _, err) = t.run(&["-m", "mock:suno_music", "-p", "make it fail"]);
    assert_eq!(code, 1);
    assert!(err.contains("Unable to generate"), "{err}");
}

#[test]
fn video_prints_the_url_from_whichever_field_holds_it() {
    let t = task_home();
    let (code, out, err) = t.run(&["-m", "mock:kling-v1", "-p", "a corgi surfing a wave"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        "https://v15-kling.klingai.com/bs2/upload-ylab-stunt/era-d.mp4"
    );
    assert!(err.contains("running 30%"), "{err}");
    let (code, out, err) = t.run(&["-m", "mock:runway-video", "-p", "a corgi"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.trim().starts_with(&t.server.url("/v1/videos/task_")),
        "{out}"
    );
    let submit = &t.server.requests()[0];
    assert_eq!(submit.path, "/v1/video/generations");
    assert_eq!(submit.json()["model"], "kling-v1");
    let (code, _, err) = t.run(&["-m", "mock:kling-v1", "-p", "fail please"]);
    assert_eq!(code, 1);
    assert!(err.contains("content moderation"), "{err}");
    let (code, _, err) = t.run(&["-m", "mock:kling-v1", "-p", " "]);
    assert_eq!(code, 2, "an empty prompt is a usage error: {err}");
}

#[test]
fn a_lost_task_says_so() {
    let t = task_home();
    t.server.on_path(
        "POST",
        "/mj/submit/imagine",
        vec![support::Reply::json(
            200,
            br#"{"code":1,"description":"Submit success","result":"42"}"#,
        )],
    );
    let (code, _, err) = t.run(&["-m", "mock:mj_imagine", "-p", "cat"]);
    assert_eq!(code, 1);
    assert!(err.contains("lost the task"), "{err}");
}

#[test]
fn giving_up_after_the_timeout_leaves_the_task_to_resume() {
    let t = task_home();
    t.server.on_path(
        "GET",
        "/mj/task/1730621826053456/fetch",
        vec![support::Reply::json(
            200,
            include_bytes!("fixtures/tasks/mj_fetch_progress.json"),
        )],
    );
    let (code, _, err) = t.run(&["-m", "mock:slow_mj", "-p", "cat"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("not finished") && err.contains("may still finish"),
        "{err}"
    );
    let (code, out, _) = t.run(&["tasks"]);
    assert_eq!(code, 0);
    assert!(out.contains("running 46%"), "{out}");
}

#[test]
fn tasks_lists_newest_first_as_text_and_json() {
    let t = task_home();
    let (code, _, err) = t.run(&["tasks"]);
    assert_eq!(code, 0);
    assert!(err.contains("no generation tasks yet"), "{err}");
    assert_eq!(t.run(&["-m", "mock:mj_imagine", "-p", "first"]).0, 0);
    assert_eq!(t.run(&["-m", "mock:kling-v1", "-p", "fail second"]).0, 1);
    let (code, out, _) = t.run(&["tasks"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].contains("mock:kling-v1") && lines[0].contains("failed"),
        "{out}"
    );
    assert!(lines[0].contains("content moderation"), "{out}");
    assert!(
        lines[1].contains("mock:mj_imagine") && lines[1].contains("succeeded 100%"),
        "{out}"
    );
    assert!(lines[1].contains(&t.server.url("/mj/image/")), "{out}");
    let (code, out, _) = t.run(&["tasks", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v[1]["api"], "midjourney");
    assert_eq!(v[1]["status"], "succeeded");
    assert_eq!(v[1]["prompt"], "first");
    assert_eq!(v[1]["buttons"].as_array().map(Vec::len), Some(9));
    assert!(db_path(t.home.path()).exists());
}

#[test]
fn no_save_keeps_no_record() {
    let t = task_home();
    assert_eq!(
        t.run(&["--no-save", "-m", "mock:mj_imagine", "-p", "cat"])
            .0,
        0
    );
    let (_, out, _) = t.run(&["tasks"]);
    assert_eq!(out, "");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_waiting_and_names_the_task() {
    let t = task_home();
    // The task never finishes: the fetch keeps answering "in progress".
    t.server.on_path(
        "GET",
        "/mj/task/1730621826053456/fetch",
        vec![support::Reply::json(
            200,
            include_bytes!("fixtures/tasks/mj_fetch_progress.json"),
        )],
    );
    let child = t
        .command(&["-m", "mock:mj_imagine", "-p", "cat"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    assert!(t.server.wait_for_requests(3, Duration::from_secs(20)));
    // SAFETY: kill only sends a signal to the child we spawned.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("stopped waiting; task 1730621826053456"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_images_model_prints_its_image_links() {
    let t = task_home();
    let (code, out, err) = t.run(&["-m", "mock:flux", "-p", "a cat"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().count() >= 1, "{out}");
    assert!(
        out.lines()
            .all(|l| l.starts_with(&t.server.url("/img/cat.png"))),
        "{out}"
    );
    let req = &t.server.requests()[0];
    assert_eq!(req.path, "/v1/images/generations");
    assert_eq!(req.json()["model"], "flux");
    assert_eq!(req.json()["prompt"], "a cat");
}

#[test]
fn an_attached_image_goes_to_midjourney_as_a_data_uri() {
    let t = task_home();
    let cat = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cat.png");
    let (code, _, err) = t.run(&["-m", "mock:mj_imagine", "-a", cat, "-p", "同样的猫，水彩"]);
    assert_eq!(code, 0, "{err}");
    let submit = &t.server.requests()[0];
    assert_eq!(submit.path, "/mj/submit/imagine");
    let body = submit.json();
    assert_eq!(body["prompt"], "同样的猫，水彩");
    let images = body["base64Array"].as_array().cloned().unwrap_or_default();
    assert_eq!(images.len(), 1, "{body}");
    assert!(
        images[0]
            .as_str()
            .is_some_and(|s| s.starts_with("data:image/png;base64,iVBORw0KGgo")),
        "{body}"
    );
}
