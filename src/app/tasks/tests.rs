//! Update-level tests of task cards: submit, progress, done, failure, `/mj` buttons.

use std::time::Duration;

use super::{TaskEffect, TaskMsg, card};
use crate::app::test_harness::Harness;
use crate::app::{Action, Effect};
use crate::chat::Status;
use crate::config::{ModelApi, ModelSpec, Provider};
use crate::providers::Target;
use crate::tasks::{Button, ResultKind, ResultUrl, Snapshot, TaskApi, TaskStatus};

fn harness(api: TaskApi, id: &str) -> Harness {
    let mut h = Harness::new();
    h.app.target = Target {
        provider: Provider::new("mock", Some("http://127.0.0.1:9/v1".into())),
        model: ModelSpec {
            api: ModelApi::Task(api),
            ..ModelSpec::new(id)
        },
    };
    h
}

fn submitted(fx: &[Effect]) -> u64 {
    match fx {
        [Effect::Task(TaskEffect::Submit { message_id, .. })] => *message_id,
        [Effect::Task(TaskEffect::Press { message_id, .. })] => *message_id,
        other => panic!("expected a task effect, got {other:?}"),
    }
}

fn content(h: &Harness, id: u64) -> String {
    h.app
        .conv
        .messages
        .iter()
        .find(|m| m.id == id)
        .map(|m| m.content.clone())
        .unwrap_or_default()
}

fn status(h: &Harness, id: u64) -> Status {
    h.app
        .conv
        .messages
        .iter()
        .find(|m| m.id == id)
        .map(|m| m.status.clone())
        .unwrap()
}

fn grid_done() -> Snapshot {
    let buttons = ["U1", "U2", "V1"]
        .iter()
        .map(|l| Button {
            custom_id: format!(
                "MJ::JOB::{}::1::hash",
                if l.starts_with('U') {
                    "upsample"
                } else {
                    "variation"
                }
            ),
            label: (*l).into(),
            emoji: String::new(),
        })
        .chain([Button {
            custom_id: "MJ::JOB::reroll::0::hash::SOLO".into(),
            label: String::new(),
            emoji: "🔄".into(),
        }])
        .collect();
    Snapshot {
        status: Some(TaskStatus::Succeeded),
        progress: Some(100),
        results: vec![ResultUrl {
            kind: ResultKind::Image,
            url: "http://127.0.0.1:9/mj/image/1001".into(),
        }],
        buttons,
        ..Snapshot::default()
    }
}

#[test]
fn enter_with_a_task_model_submits_a_task_not_a_chat() {
    let mut h = harness(TaskApi::Midjourney, "mj_imagine");
    h.type_text("a red fox --ar 16:9");
    let fx = h.enter();
    let id = submitted(&fx);
    let Effect::Task(TaskEffect::Submit { body, api, .. }) = &fx[0] else {
        unreachable!()
    };
    assert_eq!(*api, TaskApi::Midjourney);
    assert_eq!(body["prompt"], "a red fox --ar 16:9");
    assert_eq!(h.app.tasks.running(), 1);
    assert_eq!(
        status(&h, id),
        Status::Done,
        "never live: the card is rewritten whole"
    );
    assert!(content(&h, id).contains("submitting"));
    assert!(
        h.app.in_flight.is_none(),
        "the prompt stays free while tasks run"
    );
}

#[test]
fn the_card_shows_progress_then_the_image_and_buttons() {
    let mut h = harness(TaskApi::Midjourney, "mj_imagine");
    h.type_text("a red fox");
    let id = submitted(&h.enter());
    h.act(Action::Task(TaskMsg::Submitted {
        message_id: id,
        remote_id: "1001".into(),
    }));
    let running = Snapshot {
        status: Some(TaskStatus::Running),
        progress: Some(46),
        preview: Some("http://127.0.0.1:9/mj/image/1001?rand=46".into()),
        ..Snapshot::default()
    };
    h.at(
        Duration::from_secs(12),
        Action::Task(TaskMsg::Update {
            message_id: id,
            snapshot: running,
        }),
    );
    let text = content(&h, id);
    assert!(text.contains("running · 0:12"), "{text}");
    assert!(text.contains(&card::progress_bar(46)), "{text}");
    assert!(text.contains("46%"), "{text}");
    assert!(text.contains("![preview](http://127.0.0.1:9/mj/image/1001?rand=46)"));
    assert_eq!(status(&h, id), Status::Done);
    h.act(Action::Task(TaskMsg::Finished {
        message_id: id,
        result: Ok(grid_done()),
    }));
    let text = content(&h, id);
    assert!(
        text.contains("![image 1](http://127.0.0.1:9/mj/image/1001)"),
        "{text}"
    );
    assert!(!text.contains("preview"), "{text}");
    assert!(text.contains("`U1` `U2` `V1` `reroll`"), "{text}");
    assert_eq!(status(&h, id), Status::Done);
    assert_eq!(h.app.tasks.running(), 0);
}

#[test]
fn mj_u1_presses_the_button_of_the_latest_card_with_its_task_id() {
    let mut h = harness(TaskApi::Midjourney, "mj_imagine");
    h.type_text("/mj U1");
    assert!(h.enter().is_empty(), "no finished card yet");
    assert!(
        h.app
            .notice
            .as_ref()
            .unwrap()
            .text
            .contains("no finished Midjourney")
    );
    h.app.prompt.take(&h.app.theme);
    h.type_text("a red fox");
    let id = submitted(&h.enter());
    h.act(Action::Task(TaskMsg::Submitted {
        message_id: id,
        remote_id: "1001".into(),
    }));
    h.act(Action::Task(TaskMsg::Finished {
        message_id: id,
        result: Ok(grid_done()),
    }));
    h.type_text("/mj u1");
    let fx = h.enter();
    let Some(Effect::Task(TaskEffect::Press {
        custom_id,
        parent,
        prompt,
        message_id,
        ..
    })) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(custom_id, "MJ::JOB::upsample::1::hash");
    assert_eq!(parent, "1001");
    assert_eq!(prompt, "a red fox");
    let child = *message_id;
    assert_ne!(child, id);
    assert_eq!(h.app.tasks.cards.last().unwrap().parent, Some(id));
    h.type_text("/mj reroll");
    let fx = h.enter();
    let Some(Effect::Task(TaskEffect::Press { custom_id, .. })) = fx.first() else {
        panic!("{fx:?}")
    };
    assert!(custom_id.contains("reroll"));
    h.type_text("/mj V9");
    assert!(h.enter().is_empty());
    assert!(h.app.notice.as_ref().unwrap().text.contains("\"V9\""));
}

#[test]
fn a_failed_task_says_why() {
    let mut h = harness(TaskApi::Video, "kling-v1");
    h.type_text("a corgi");
    let id = submitted(&h.enter());
    h.act(Action::Task(TaskMsg::Finished {
        message_id: id,
        result: Err("400 from relay: prompt is required".into()),
    }));
    assert!(matches!(status(&h, id), Status::Failed(_)));
    assert!(content(&h, id).contains("✖ 400 from relay: prompt is required"));
    assert_eq!(h.app.tasks.running(), 0);
}

#[test]
fn suno_clips_list_their_links_and_relay_text_stays_inert() {
    let mut h = harness(TaskApi::Suno, "suno_music");
    h.type_text("一首关于夏天的歌");
    let id = submitted(&h.enter());
    let clip = crate::tasks::Clip {
        title: "快乐周末](http://evil.example)".into(),
        tags: "heartfelt salsa".into(),
        duration: Some(128.92),
        audio_url: Some("https://cdn1.suno.ai/a.mp3".into()),
        video_url: Some("https://cdn1.suno.ai/a.mp4".into()),
        image_url: Some("https://cdn2.suno.ai/image_a.jpeg".into()),
        ..Default::default()
    };
    h.act(Action::Task(TaskMsg::Finished {
        message_id: id,
        result: Ok(Snapshot {
            status: Some(TaskStatus::Succeeded),
            clips: vec![clip],
            ..Snapshot::default()
        }),
    }));
    let text = content(&h, id);
    assert!(
        text.contains("1. **快乐周末 http://evil.example** · heartfelt salsa · 2:08"),
        "{text}"
    );
    assert!(
        text.contains("[audio](https://cdn1.suno.ai/a.mp3)"),
        "{text}"
    );
    assert!(
        text.contains("![cover](https://cdn2.suno.ai/image_a.jpeg)"),
        "{text}"
    );
}

#[test]
fn a_report_for_an_unknown_card_changes_nothing() {
    let mut h = harness(TaskApi::Midjourney, "mj_imagine");
    let before = h.app.conv.messages.len();
    h.act(Action::Task(TaskMsg::Update {
        message_id: 99,
        snapshot: Snapshot::default(),
    }));
    assert_eq!(h.app.conv.messages.len(), before);
}

#[test]
fn the_media_panel_lists_the_result_not_the_stale_preview() {
    let mut h = harness(TaskApi::Midjourney, "mj_imagine");
    h.type_text("a red fox");
    let id = submitted(&h.enter());
    h.act(Action::Task(TaskMsg::Submitted {
        message_id: id,
        remote_id: "1001".into(),
    }));
    h.act(Action::Task(TaskMsg::Update {
        message_id: id,
        snapshot: Snapshot {
            status: Some(TaskStatus::Running),
            progress: Some(46),
            preview: Some("http://127.0.0.1:9/mj/image/1001?rand=46".into()),
            ..Snapshot::default()
        },
    }));
    h.act(Action::Task(TaskMsg::Finished {
        message_id: id,
        result: Ok(grid_done()),
    }));
    let urls: Vec<&str> = h
        .app
        .media
        .items
        .iter()
        .map(|i| i.link.url.as_str())
        .collect();
    assert_eq!(urls, ["http://127.0.0.1:9/mj/image/1001"]);
}
