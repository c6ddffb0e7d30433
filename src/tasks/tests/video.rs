//! Video payloads of relay-tasks.md §3.9 and the vendors' raw shapes.

use super::super::*;
use super::rejected_message;

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
