//! Midjourney payloads of relay-tasks.md §1.7.

use super::super::*;
use super::rejected_message;

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

#[test]
fn a_prompts_images_go_where_each_route_takes_them() {
    use crate::tasks::{TaskApi, submit_body, takes_images};
    let images = [
        "data:image/png;base64,iVBORw0K".to_string(),
        "https://img.example/fox.jpg".to_string(),
    ];
    // Midjourney: files as data URIs in base64Array, links where image prompts are written.
    let b = submit_body(TaskApi::Midjourney, "mj_imagine", "一只红狐狸", &images);
    assert_eq!(
        b["base64Array"],
        serde_json::json!(["data:image/png;base64,iVBORw0K"])
    );
    assert_eq!(b["prompt"], "https://img.example/fox.jpg 一只红狐狸");
    // Video animates the first image.
    let v = submit_body(TaskApi::Video, "kling-v1", "奔跑", &images);
    assert_eq!(v["image"], "data:image/png;base64,iVBORw0K");
    assert_eq!(v["model"], "kling-v1");
    // Suno takes none, and says so.
    let s = submit_body(TaskApi::Suno, "suno_music", "一首歌", &images);
    assert!(!s.to_string().contains("iVBORw0K"));
    assert!(!takes_images(TaskApi::Suno) && takes_images(TaskApi::Video));
    // No images: the bodies are as before.
    let plain = submit_body(TaskApi::Midjourney, "mj_imagine", "cat", &[]);
    assert_eq!(plain["prompt"], "cat");
    assert!(
        submit_body(TaskApi::Video, "kling-v1", "x", &[])
            .get("image")
            .is_none()
    );
}
