//! Every payload shape of relay-tasks.md §1.7, §2.7, §3.9 (shared with the mock server).

use std::time::Duration;

use super::poll::{FetchFailure, Next, PollPlan, Poller, Stopped};
use super::url::{fix_result_url, is_private_host, may_send_key, provider_root};
use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tasks/",
            $name
        ))
        .as_slice()
    };
}

fn rejected_message(r: Result<impl std::fmt::Debug, TaskError>) -> String {
    match r {
        Err(TaskError::Rejected { message, .. }) => message,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn status_vocabularies_normalise() {
    use TaskStatus::*;
    let table = [
        ("", Queued),
        ("NOT_START", Queued),
        ("SUBMITTED", Queued),
        ("QUEUED", Queued),
        ("queued", Queued),
        ("pending", Queued),
        ("PENDING", Queued),
        ("THROTTLED", Queued),
        ("Preparing", Queued),
        ("Queueing", Queued),
        ("created", Queued),
        ("in_queue", Queued),
        ("submitted", Queued),
        ("IN_PROGRESS", Running),
        ("in_progress", Running),
        ("processing", Running),
        ("Processing", Running),
        ("RUNNING", Running),
        ("streaming", Running),
        ("generating", Running),
        ("MODAL", Modal),
        ("SUCCESS", Succeeded),
        ("succeed", Succeeded),
        ("succeeded", Succeeded),
        ("SUCCEEDED", Succeeded),
        ("completed", Succeeded),
        ("complete", Succeeded),
        ("Success", Succeeded),
        ("done", Succeeded),
        ("FAILURE", Failed),
        ("failed", Failed),
        ("FAILED", Failed),
        ("Fail", Failed),
        ("error", Failed),
        ("UNKNOWN", Failed),
        ("CANCEL", Cancelled),
        ("CANCELED", Cancelled),
        ("something-new", Running),
    ];
    for (raw, want) in table {
        assert_eq!(normalize_status(raw), want, "{raw:?}");
    }
}

#[test]
fn progress_from_strings_and_numbers() {
    use serde_json::json;
    assert_eq!(parse_progress(&json!("46%")), Some(46));
    assert_eq!(parse_progress(&json!("0%")), Some(0));
    assert_eq!(parse_progress(&json!(" 100 % ")), Some(100));
    assert_eq!(parse_progress(&json!(30)), Some(30));
    assert_eq!(parse_progress(&json!(250)), Some(100));
    assert_eq!(parse_progress(&json!(-3)), None);
    assert_eq!(parse_progress(&json!("soon")), None);
    assert_eq!(parse_progress(&json!(null)), None);
}

// --- Midjourney ------------------------------------------------------------------------------

#[test]
fn mj_submit_accepts_codes_1_21_22() {
    let ok = mj::parse_submit(fixture!("mj_submit_ok.json")).unwrap();
    assert_eq!(ok.id, "1730621718151844");
    assert!(!ok.needs_modal);
    let queued = mj::parse_submit(fixture!("mj_submit_queued.json")).unwrap();
    assert_eq!(queued.id, "0741798445574458");
    assert_eq!(queued.description, "排队中，前面还有1个任务");
    let raw22 = br#"{"code":22,"description":"queued","result":"77"}"#;
    assert_eq!(mj::parse_submit(raw22).unwrap().id, "77");
    let numeric_id = br#"{"code":"1","description":"ok","result":1730621718151844}"#;
    assert_eq!(mj::parse_submit(numeric_id).unwrap().id, "1730621718151844");
}

#[test]
fn mj_submit_modal_step_is_detected() {
    let s = mj::parse_submit(fixture!("mj_submit_modal.json")).unwrap();
    assert!(s.needs_modal);
    assert_eq!(s.final_prompt.as_deref(), Some("pig --v 6.1 --zoom 2"));
    // Rewritten to code 1 by new-api, still a modal by its description.
    let rewritten = br#"{"code":1,"description":"Waiting for window confirm","result":"5"}"#;
    assert!(mj::parse_submit(rewritten).unwrap().needs_modal);
}

#[test]
fn mj_submit_refusals_say_why() {
    let banned = rejected_message(mj::parse_submit(fixture!("mj_submit_banned.json")));
    assert!(
        banned.contains("可能包含敏感词") && banned.contains("nude"),
        "{banned}"
    );
    let full = br#"{"code":23,"description":"\u961f\u5217\u5df2\u6ee1\uff0c\u8bf7\u7a0d\u540e\u5c1d\u8bd5"}"#;
    assert_eq!(
        rejected_message(mj::parse_submit(full)),
        "队列已满，请稍后尝试"
    );
    // The relay's own envelope, trailing space and all.
    let quota = br#"{"description":"quota_not_enough ","type":"upstream_error","code":4}"#;
    assert_eq!(
        rejected_message(mj::parse_submit(quota)),
        "quota_not_enough"
    );
    let auth = rejected_message(mj::parse_submit(fixture!("auth_error_2608.json")));
    assert!(auth.starts_with("Invalid token"), "{auth}");
    assert!(matches!(
        mj::parse_submit(b"<html><title>502</title></html>"),
        Err(TaskError::Decode(_))
    ));
    // A code-1 answer without an id cannot be polled.
    assert!(mj::parse_submit(br#"{"code":1,"description":"ok"}"#).is_err());
}

#[test]
fn mj_fetch_empty_status_is_queued() {
    let s = mj::parse_fetch(fixture!("mj_fetch_queued.json")).unwrap();
    assert_eq!(s.status(), TaskStatus::Queued);
    assert_eq!(s.progress, Some(0));
    assert!(s.results.is_empty() && s.preview.is_none() && s.buttons.is_empty());
}

#[test]
fn mj_fetch_in_progress_has_a_preview_not_a_result() {
    let s = mj::parse_fetch(fixture!("mj_fetch_progress.json")).unwrap();
    assert_eq!(s.status(), TaskStatus::Running);
    assert_eq!(s.progress, Some(46));
    assert!(s.results.is_empty());
    assert!(
        s.preview
            .unwrap()
            .contains("/mj/image/1730621826053455?rand=")
    );
}

#[test]
fn mj_fetch_success_gives_the_image_and_mappable_buttons() {
    let s = mj::parse_fetch(fixture!("mj_fetch_success.json")).unwrap();
    assert_eq!(s.status(), TaskStatus::Succeeded);
    assert_eq!(s.results.len(), 1);
    assert_eq!(s.results[0].kind, ResultKind::Image);
    assert!(
        s.results[0]
            .url
            .starts_with("https://cdnmjp.oneabc.org/attachments/")
    );
    let names: Vec<String> = s.buttons.iter().map(mj::button_name).collect();
    // Animate cannot be mapped by new-api (400 unknown_action), so it is hidden.
    assert_eq!(
        names,
        ["U1", "U2", "U3", "U4", "reroll", "V1", "V2", "V3", "V4"]
    );
    let u1 = mj::find_button(&s.buttons, "u1").unwrap();
    assert_eq!(
        u1.custom_id,
        "MJ::JOB::upsample::1::3785da15-4f70-4034-9128-f3ff1ac634fa"
    );
    let reroll = mj::find_button(&s.buttons, "reroll").unwrap();
    assert!(reroll.custom_id.contains("::reroll::0::"));
    assert_eq!(mj::find_button(&s.buttons, "🔄"), Some(reroll));
    assert_eq!(mj::find_button(&s.buttons, " V3 ").unwrap().label, "V3");
    assert!(mj::find_button(&s.buttons, "U9").is_none());
    assert!(mj::find_button(&s.buttons, "").is_none());
}

#[test]
fn mj_custom_ids_new_api_can_map() {
    for id in [
        "MJ::JOB::upsample::1::h",
        "MJ::JOB::upsample_v6_2x_subtle::1::h::SOLO",
        "MJ::JOB::variation::2::h",
        "MJ::JOB::low_variation::1::h::SOLO",
        "MJ::JOB::high_variation::1::h::SOLO",
        "MJ::JOB::reroll::0::h::SOLO",
        "MJ::JOB::pan_left::1::h::SOLO",
        "MJ::Outpaint::50::1::h::SOLO",
        "MJ::CustomZoom::1::h",
    ] {
        assert!(mj::mappable(id), "{id}");
    }
    for id in [
        "MJ::JOB::animate_high::1::h::SOLO",
        "MJ::BOOKMARK::h",
        "MJ::Job::PicReader::1",
        "MJ::Picread::Retry",
        "MJ::Inpaint::1::h::SOLO",
        "nonsense",
    ] {
        assert!(!mj::mappable(id), "{id}");
    }
}

#[test]
fn mj_fetch_failure_and_relay_errors() {
    let s = mj::parse_fetch(fixture!("mj_fetch_failure.json")).unwrap();
    assert_eq!(s.status(), TaskStatus::Failed);
    assert_eq!(
        s.fail_reason.as_deref(),
        Some("[Invalid parameter] Invalid value")
    );
    assert!(s.results.is_empty());
    let lost = br#"[]"#;
    assert!(mj::parse_fetch(lost).is_err());
    let listed = format!(
        "[{}]",
        String::from_utf8_lossy(fixture!("mj_fetch_success.json"))
    );
    assert_eq!(
        mj::parse_fetch(listed.as_bytes()).unwrap().status(),
        TaskStatus::Succeeded
    );
}

#[test]
fn mj_fetch_at_100_percent_without_a_status_is_done() {
    let body = br#"{"id":"1","status":"IN_PROGRESS","progress":"100%","imageUrl":"https://x.example/a.png"}"#;
    let s = mj::parse_fetch(body).unwrap();
    assert_eq!(s.status(), TaskStatus::Succeeded);
    assert_eq!(s.results[0].url, "https://x.example/a.png");
}

#[test]
fn mj_video_urls_in_either_form() {
    let body = br#"{"id":"1","status":"SUCCESS","progress":"100%","imageUrl":"","videoUrl":"https://v.example/a.mp4","videoUrls":["https://v.example/a.mp4",{"url":"https://v.example/b.mp4"},"javascript:alert(1)"]}"#;
    let s = mj::parse_fetch(body).unwrap();
    let urls: Vec<&str> = s.results.iter().map(|r| r.url.as_str()).collect();
    assert_eq!(urls, ["https://v.example/a.mp4", "https://v.example/b.mp4"]);
}

#[test]
fn mj_request_bodies() {
    let b = mj::imagine_body("cat --v 6.0", &[]);
    assert_eq!(b["prompt"], "cat --v 6.0");
    assert_eq!(b["botType"], "MID_JOURNEY");
    assert_eq!(b["base64Array"], serde_json::json!([]));
    let a = mj::action_body("MJ::JOB::upsample::1::h", "1730621826053455");
    assert_eq!(a["customId"], "MJ::JOB::upsample::1::h");
    assert_eq!(a["taskId"], "1730621826053455");
    let m = mj::modal_body("9", "p --zoom 2");
    assert_eq!(
        (m["taskId"].as_str(), m["prompt"].as_str()),
        (Some("9"), Some("p --zoom 2"))
    );
}

// --- Suno ------------------------------------------------------------------------------------

#[test]
fn suno_submit_in_both_eras() {
    let d = suno::parse_submit(fixture!("suno_submit_d.json")).unwrap();
    assert_eq!(d.id, "task_7f11c4b772f44710ac0fae0d5b3dc4c1");
    let a = suno::parse_submit(fixture!("suno_submit_a.json")).unwrap();
    assert_eq!(a.id, "346c5d10-a4a1-4f49-a851-66a7dae6cfaf");
    let msg = rejected_message(suno::parse_submit(fixture!("suno_error_prompt_empty.json")));
    assert_eq!(msg, "prompt_empty");
    let quota = rejected_message(suno::parse_submit(fixture!("suno_error_quota_2608.json")));
    assert!(quota.starts_with("预扣费额度失败"), "{quota}");
}

#[test]
fn suno_fetch_with_null_data_is_queued() {
    let s = suno::parse_fetch(fixture!("suno_fetch_null.json")).unwrap();
    assert_eq!(s.status(), TaskStatus::Queued);
    assert!(s.clips.is_empty() && s.results.is_empty());
    let top_null = br#"{"code":"success","message":"","data":null}"#;
    assert_eq!(
        suno::parse_fetch(top_null).unwrap().status(),
        TaskStatus::Queued
    );
}

#[test]
fn suno_batch_fetch_streaming_clip() {
    let s = suno::parse_fetch(fixture!("suno_fetch_batch_progress.json")).unwrap();
    assert_eq!(s.status(), TaskStatus::Running);
    assert_eq!(s.clips.len(), 1);
    let c = &s.clips[0];
    assert_eq!(c.title, "Electric Dance Party");
    assert_eq!(c.tags, "club banger high-energy edm");
    assert_eq!(c.duration, None);
    assert_eq!(c.audio_url, None, "an empty audio_url is absent");
    assert!(s.results.is_empty(), "nothing final while streaming");
}

#[test]
fn suno_success_lists_clip_links() {
    let s = suno::parse_fetch(fixture!("suno_fetch_success.json")).unwrap();
    assert_eq!(s.status(), TaskStatus::Succeeded);
    let c = &s.clips[0];
    assert_eq!(c.title, "快乐周末");
    assert_eq!(c.duration, Some(128.92));
    let kinds: Vec<(ResultKind, &str)> =
        s.results.iter().map(|r| (r.kind, r.url.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (
                ResultKind::Audio,
                "https://cdn1.suno.ai/3435e194-50e7-4edc-9442-bffe072fccfc.mp3"
            ),
            (
                ResultKind::Video,
                "https://cdn1.suno.ai/3435e194-50e7-4edc-9442-bffe072fccfc.mp4"
            ),
            (
                ResultKind::Image,
                "https://cdn2.suno.ai/image_large_3435e194-50e7-4edc-9442-bffe072fccfc.jpeg"
            ),
        ]
    );
}

#[test]
fn suno_lyrics_object_and_failures() {
    let s = suno::parse_fetch(fixture!("suno_fetch_lyrics.json")).unwrap();
    assert_eq!(s.status(), TaskStatus::Succeeded);
    assert_eq!(s.text.as_deref(), Some("[Verse]\n夏天的风…"));
    let f = suno::parse_fetch(fixture!("suno_fetch_failure.json")).unwrap();
    assert_eq!(f.status(), TaskStatus::Failed);
    assert!(f.fail_reason.unwrap().contains("Unable to generate"));
    let lost = rejected_message(suno::parse_fetch(fixture!("suno_error_not_exist.json")));
    assert_eq!(lost, "task_not_exist");
}

#[test]
fn suno_flags_switch_to_custom_mode() {
    let r = suno::MusicRequest::from_prompt(
        "--title 夏日 --tags \"pop, upbeat\" --mv chirp-v4 [Verse]\n夏天的风",
    );
    assert_eq!(r.title.as_deref(), Some("夏日"));
    assert_eq!(r.tags.as_deref(), Some("pop, upbeat"));
    assert_eq!(r.model_version.as_deref(), Some("chirp-v4"));
    assert_eq!(r.lyrics.as_deref(), Some("[Verse]\n夏天的风"));
    assert_eq!(r.description, None);
    let i = suno::MusicRequest::from_prompt("--instrumental calm piano at night");
    assert!(i.instrumental);
    assert_eq!(i.description.as_deref(), Some("calm piano at night"));
    let l = suno::MusicRequest::from_prompt("--lyrics 啦啦啦");
    assert_eq!(l.lyrics.as_deref(), Some("啦啦啦"));
    // Dashes that are not our flags are part of the text.
    let d = suno::MusicRequest::from_prompt("--verbose song about -- dashes");
    assert_eq!(
        d.description.as_deref(),
        Some("--verbose song about -- dashes")
    );
}

#[test]
fn suno_body_sends_only_what_was_given() {
    let plain = suno::MusicRequest::from_prompt("一首关于夏天的歌").body();
    assert_eq!(
        plain,
        serde_json::json!({"gpt_description_prompt":"一首关于夏天的歌","make_instrumental":false})
    );
    let custom = suno::MusicRequest {
        lyrics: Some("[Verse]\n夏天的风".into()),
        title: Some("夏日".into()),
        tags: Some("pop, upbeat".into()),
        model_version: Some("chirp-v4".into()),
        ..Default::default()
    }
    .body();
    assert_eq!(custom["prompt"], "[Verse]\n夏天的风");
    assert_eq!(custom["mv"], "chirp-v4");
    assert!(custom.get("gpt_description_prompt").is_none());
}

// --- Video -----------------------------------------------------------------------------------

#[test]
fn video_submit_ids_in_every_era() {
    let d = video::parse_submit(fixture!("video_submit_d.json")).unwrap();
    assert_eq!(d.id, "task_Q0m3xS0vb5Y8lXn1C2d3E4f5G6h7I8j9");
    let b = video::parse_submit(fixture!("video_submit_b.json")).unwrap();
    assert_eq!(b.id, "866889456698785798");
    let docs = video::parse_submit(fixture!("video_submit_docs.json")).unwrap();
    assert_eq!(docs.id, "abcd1234efgh");
    let kling = br#"{"code":0,"message":"SUCCEED","request_id":"3d67","data":{"task_id":"866889456698785798","task_status":"submitted"}}"#;
    assert_eq!(video::parse_submit(kling).unwrap().id, "866889456698785798");
    let wrapped = br#"{"data":{"id":"luma-1"}}"#;
    assert_eq!(video::parse_submit(wrapped).unwrap().id, "luma-1");
    let refused = rejected_message(video::parse_submit(fixture!("video_error_prompt.json")));
    assert_eq!(refused, "prompt is required");
}

#[test]
fn video_urls_are_found_in_every_field() {
    let cases: [(&[u8], &str); 5] = [
        (
            fixture!("video_fetch_success_d.json"),
            "https://v15-kling.klingai.com/bs2/upload-ylab-stunt/era-d.mp4",
        ),
        (
            fixture!("video_fetch_success_b.json"),
            "https://v15-kling.klingai.com/bs2/upload-ylab-stunt/xxx.mp4",
        ),
        (
            fixture!("video_fetch_openai.json"),
            "https://v15-kling.klingai.com/openai-shape.mp4",
        ),
        (
            fixture!("video_fetch_docs.json"),
            "https://example.com/docs-shape.mp4",
        ),
        (
            fixture!("video_fetch_realtime.json"),
            "http://localhost:3000/v1/videos/task_veo/content",
        ),
    ];
    for (body, want) in cases {
        let s = video::parse_fetch(body).unwrap();
        assert_eq!(s.status(), TaskStatus::Succeeded, "{want}");
        assert_eq!(s.results.len(), 1, "{want}");
        assert_eq!(s.results[0].url, want);
        assert_eq!(s.results[0].kind, ResultKind::Video);
        assert_eq!(s.fail_reason, None, "a URL in fail_reason is no reason");
    }
}

#[test]
fn video_vendor_raw_shapes() {
    let raw = [
        (
            r#"{"status":"SUCCESS","data":{"content":{"video_url":"https://d.example/doubao.mp4"}}}"#,
            "https://d.example/doubao.mp4",
        ),
        (
            r#"{"status":"SUCCESS","data":{"output":{"video_url":"https://a.example/wan.mp4"}}}"#,
            "https://a.example/wan.mp4",
        ),
        (
            r#"{"status":"SUCCESS","data":{"creations":[{"url":"https://v.example/vidu.mp4"}]}}"#,
            "https://v.example/vidu.mp4",
        ),
        (
            r#"{"status":"SUCCESS","data":{"data":{"video_url":"https://j.example/jimeng.mp4"}}}"#,
            "https://j.example/jimeng.mp4",
        ),
        (
            r#"{"code":0,"message":"SUCCEED","data":{"task_status":"succeed","task_result":{"videos":[{"url":"https://k.example/native.mp4"}]}}}"#,
            "https://k.example/native.mp4",
        ),
        (
            r#"{"id":"l","state":"completed","video":{"url":"https://l.example/luma.mp4","download_url":"https://l.example/luma-dl.mp4"}}"#,
            "https://l.example/luma-dl.mp4",
        ),
        (
            r#"{"id":"r","status":"SUCCEEDED","output":["https://r.example/runway.mp4"]}"#,
            "https://r.example/runway.mp4",
        ),
    ];
    for (body, want) in raw {
        let s = video::parse_fetch(body.as_bytes()).unwrap();
        assert_eq!(s.status(), TaskStatus::Succeeded, "{body}");
        assert_eq!(s.results[0].url, want);
    }
}

#[test]
fn video_in_progress_and_failed() {
    let p = video::parse_fetch(fixture!("video_fetch_progress_d.json")).unwrap();
    assert_eq!(p.status(), TaskStatus::Running);
    assert_eq!(p.progress, Some(30));
    assert!(p.results.is_empty());
    let f = video::parse_fetch(fixture!("video_fetch_failure.json")).unwrap();
    assert_eq!(f.status(), TaskStatus::Failed);
    assert_eq!(
        f.fail_reason.as_deref(),
        Some("content moderation: the prompt was refused")
    );
    // Luma says completed before its link exists: not done yet.
    let early = br#"{"id":"l","state":"completed","video":null}"#;
    assert_eq!(
        video::parse_fetch(early).unwrap().status(),
        TaskStatus::Running
    );
    let openai_failed = br#"{"id":"t","object":"video","status":"failed","progress":100,"error":{"message":"quota","code":"x"}}"#;
    let s = video::parse_fetch(openai_failed).unwrap();
    assert_eq!(s.status(), TaskStatus::Failed);
    assert_eq!(s.fail_reason.as_deref(), Some("quota"));
    let lost = rejected_message(video::parse_fetch(
        br#"{"code":"task_not_exist","message":"task_not_exist","data":null}"#,
    ));
    assert_eq!(lost, "task_not_exist");
}

// --- URLs ------------------------------------------------------------------------------------

#[test]
fn provider_root_drops_v1() {
    assert_eq!(
        provider_root("https://api.ecovai.cn/v1"),
        "https://api.ecovai.cn"
    );
    assert_eq!(
        provider_root("https://api.ecovai.cn/v1/"),
        "https://api.ecovai.cn"
    );
    assert_eq!(
        provider_root("https://relay.example/"),
        "https://relay.example"
    );
    assert_eq!(
        provider_root("https://relay.example/openai/v1"),
        "https://relay.example/openai"
    );
    assert_eq!(
        provider_root("https://relay.example/v10"),
        "https://relay.example/v10"
    );
}

#[test]
fn private_hosts() {
    for h in [
        "localhost",
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.10",
        "169.254.1.1",
        "0.0.0.0",
        "[::1]",
        "fd00::1",
        "app.localhost",
    ] {
        assert!(is_private_host(h), "{h}");
    }
    for h in [
        "api.ecovai.cn",
        "8.8.8.8",
        "172.32.0.1",
        "cdn.discordapp.com",
    ] {
        assert!(!is_private_host(h), "{h}");
    }
}

#[test]
fn localhost_and_relay_only_links_move_to_the_provider() {
    let root = "https://api.ecovai.cn";
    assert_eq!(
        fix_result_url("http://localhost:3001/mj/image/1724963337114767", root),
        "https://api.ecovai.cn/mj/image/1724963337114767"
    );
    assert_eq!(
        fix_result_url("http://192.168.0.5:3000/mj/image/9?rand=123", root),
        "https://api.ecovai.cn/mj/image/9?rand=123"
    );
    assert_eq!(
        fix_result_url(
            "https://relay.example/mj/image/1730621826053455?rand=1",
            root
        ),
        "https://api.ecovai.cn/mj/image/1730621826053455?rand=1"
    );
    assert_eq!(
        fix_result_url("http://localhost:3000/v1/videos/task_veo/content", root),
        "https://api.ecovai.cn/v1/videos/task_veo/content"
    );
    // A CDN link is left alone.
    let cdn = "https://cdnmjp.oneabc.org/attachments/1/2/a.png?ex=6728831f&is=6727319f&hm=f6&";
    assert_eq!(fix_result_url(cdn, root), cdn);
    // A relay under a path prefix keeps it.
    assert_eq!(
        fix_result_url(
            "http://localhost:3000/mj/image/5",
            "https://r.example/openai"
        ),
        "https://r.example/openai/mj/image/5"
    );
    // The mock on 127.0.0.1 is the provider itself: nothing to fix.
    assert_eq!(
        fix_result_url("http://127.0.0.1:4000/mj/image/5", "http://127.0.0.1:4000"),
        "http://127.0.0.1:4000/mj/image/5"
    );
    assert_eq!(fix_result_url("not a url", root), "not a url");
}

#[test]
fn the_key_only_goes_to_the_provider_origin() {
    let root = "https://api.ecovai.cn";
    assert!(may_send_key(
        "https://api.ecovai.cn/v1/videos/t/content",
        root
    ));
    assert!(!may_send_key(
        "http://api.ecovai.cn/v1/videos/t/content",
        root
    ));
    assert!(!may_send_key("https://api.ecovai.cn:8443/x", root));
    assert!(!may_send_key("https://cdn1.suno.ai/a.mp3", root));
    assert!(!may_send_key("https://api.ecovai.cn.evil.example/x", root));
    assert!(!may_send_key("garbage", root));
}

// --- Polling ---------------------------------------------------------------------------------

fn snap(status: TaskStatus, progress: u8) -> Snapshot {
    Snapshot {
        status: Some(status),
        progress: Some(progress),
        ..Snapshot::default()
    }
}

fn plan() -> PollPlan {
    PollPlan {
        first: Duration::from_secs(5),
        timeout: Duration::from_secs(60),
    }
}

#[test]
fn backoff_grows_to_the_relays_refresh_interval() {
    let p = PollPlan::default();
    let waits: Vec<u64> = (0..5).map(|i| p.delay(i).as_secs()).collect();
    assert_eq!(waits, [5, 10, 15, 15, 15]);
}

#[test]
fn submit_poll_done() {
    let mut p = Poller::new(plan(), Snapshot::default());
    assert_eq!(p.first_wait(Duration::ZERO), Duration::from_secs(5));
    let s = Duration::from_secs;
    assert_eq!(
        p.on_snapshot(snap(TaskStatus::Queued, 0), s(5)),
        Next::PollIn(s(10))
    );
    assert_eq!(
        p.on_snapshot(snap(TaskStatus::Running, 46), s(15)),
        Next::PollIn(s(15))
    );
    assert_eq!(p.last.progress, Some(46));
    let done = snap(TaskStatus::Succeeded, 100);
    assert_eq!(p.on_snapshot(done.clone(), s(30)), Next::Done(done));
    assert_eq!(p.polls, 3);
}

#[test]
fn failure_carries_the_reason() {
    let mut p = Poller::new(plan(), Snapshot::default());
    let mut failed = snap(TaskStatus::Failed, 100);
    failed.fail_reason = Some("[Invalid parameter] Invalid value".into());
    assert_eq!(
        p.on_snapshot(failed, Duration::from_secs(5)),
        Next::Stop(Stopped::Failed("[Invalid parameter] Invalid value".into()))
    );
    let mut p = Poller::new(plan(), Snapshot::default());
    match p.on_snapshot(snap(TaskStatus::Cancelled, 100), Duration::from_secs(5)) {
        Next::Stop(Stopped::Failed(r)) => assert_eq!(r, "cancelled"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn timeout_after_the_plan_and_never_sleeping_past_it() {
    let mut p = Poller::new(plan(), Snapshot::default());
    let s = Duration::from_secs;
    assert_eq!(
        p.on_snapshot(snap(TaskStatus::Running, 10), s(52)),
        Next::PollIn(s(8))
    );
    assert_eq!(
        p.on_snapshot(snap(TaskStatus::Running, 10), s(60)),
        Next::Stop(Stopped::TimedOut)
    );
}

#[test]
fn fetch_errors_retry_then_give_up_and_lost_tasks_stop_at_once() {
    let s = Duration::from_secs;
    let mut p = Poller::new(plan(), Snapshot::default());
    for _ in 0..poll::MAX_ERRORS_IN_A_ROW - 1 {
        assert!(matches!(
            p.on_failure(FetchFailure::Transient("502".into()), s(5)),
            Next::PollIn(_)
        ));
    }
    // A good answer resets the count.
    assert!(matches!(
        p.on_snapshot(snap(TaskStatus::Running, 1), s(6)),
        Next::PollIn(_)
    ));
    for _ in 0..poll::MAX_ERRORS_IN_A_ROW - 1 {
        p.on_failure(FetchFailure::Transient("502".into()), s(7));
    }
    assert_eq!(
        p.on_failure(FetchFailure::Transient("502 again".into()), s(8)),
        Next::Stop(Stopped::Unreachable("502 again".into()))
    );
    let mut p = Poller::new(plan(), Snapshot::default());
    assert_eq!(
        p.on_failure(FetchFailure::Lost, s(5)),
        Next::Stop(Stopped::Lost)
    );
    assert!(Stopped::Lost.reason().contains("lost the task"));
    let mut p = Poller::new(plan(), Snapshot::default());
    assert!(matches!(
        p.on_failure(FetchFailure::Fatal("401".into()), s(5)),
        Next::Stop(Stopped::Unreachable(_))
    ));
}

#[test]
fn a_resumed_task_keeps_its_progress_and_is_fetched_once_even_past_its_timeout() {
    let known = snap(TaskStatus::Running, 46);
    let p = Poller::new(plan(), known.clone());
    assert_eq!(p.last, known);
    assert_eq!(
        p.first_wait(Duration::from_secs(10)),
        Duration::from_secs(5)
    );
    assert_eq!(p.first_wait(Duration::from_secs(3600)), Duration::ZERO);
    let mut p = p;
    let done = Snapshot {
        status: Some(TaskStatus::Succeeded),
        results: vec![ResultUrl {
            kind: ResultKind::Image,
            url: "https://x/a.png".into(),
        }],
        ..Snapshot::default()
    };
    assert_eq!(
        p.on_snapshot(done.clone(), Duration::from_secs(3600)),
        Next::Done(done)
    );
}

#[test]
fn stored_status_words_round_trip() {
    use TaskStatus::*;
    for s in [Queued, Running, Modal, Succeeded, Failed, Cancelled] {
        assert_eq!(TaskStatus::from_stored(s.as_str()), s);
    }
    for a in [TaskApi::Midjourney, TaskApi::Suno, TaskApi::Video] {
        assert_eq!(TaskApi::from_name(a.as_str()), Some(a));
    }
    assert_eq!(TaskApi::from_name("chat"), None);
}
