//! Suno payloads of relay-tasks.md §2.7.

use super::super::*;
use super::rejected_message;

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
