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

/// The card key of the task effect.
fn submitted(fx: &[Effect]) -> u64 {
    match fx {
        [Effect::Task(TaskEffect::Submit { card, .. })] => *card,
        [Effect::Task(TaskEffect::Press { card, .. })] => *card,
        other => panic!("expected a task effect, got {other:?}"),
    }
}

/// The message showing card `key`.
fn msg_of(h: &Harness, key: u64) -> u64 {
    h.app
        .tasks
        .cards
        .iter()
        .find(|c| c.key == key)
        .unwrap()
        .message_id
}

fn content(h: &Harness, key: u64) -> String {
    let id = msg_of(h, key);
    h.app
        .conv
        .messages()
        .iter()
        .find(|m| m.id == id)
        .map(|m| m.content.clone())
        .unwrap_or_default()
}

fn status(h: &Harness, key: u64) -> Status {
    let id = msg_of(h, key);
    h.app
        .conv
        .messages()
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
fn enter_with_an_images_model_asks_the_images_endpoint() {
    let mut h = Harness::new();
    h.app.target = Target {
        provider: Provider::new("mock", Some("http://127.0.0.1:9/v1".into())),
        model: ModelSpec {
            api: ModelApi::Images,
            ..ModelSpec::new("flux")
        },
    };
    h.type_text("a cat on a mat");
    let fx = h.enter();
    let [Effect::Media(crate::app::media::MediaEffect::Generate { body, .. })] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(body["model"], "flux");
    assert_eq!(body["prompt"], "a cat on a mat");
    assert!(h.app.tasks.cards.is_empty());
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
        card: id,
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
            card: id,
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
        card: id,
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
        card: id,
        remote_id: "1001".into(),
    }));
    h.act(Action::Task(TaskMsg::Finished {
        card: id,
        result: Ok(grid_done()),
    }));
    h.type_text("/mj u1");
    let fx = h.enter();
    let Some(Effect::Task(TaskEffect::Press {
        custom_id,
        parent,
        prompt,
        card,
        ..
    })) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(custom_id, "MJ::JOB::upsample::1::hash");
    assert_eq!(parent, "1001");
    assert_eq!(prompt, "a red fox");
    assert_ne!(*card, id);
    assert_eq!(
        h.app.tasks.cards.last().unwrap().parent,
        Some(msg_of(&h, id))
    );
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
        card: id,
        result: Err("400 from relay: prompt is required".into()),
    }));
    assert_eq!(
        status(&h, id),
        Status::Failed("the task ended without a result".into()),
        "failed, not interrupted; the reason is in the card, not said twice"
    );
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
        card: id,
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
    let before = h.app.conv.messages().len();
    h.act(Action::Task(TaskMsg::Update {
        card: 99,
        snapshot: Snapshot::default(),
    }));
    assert_eq!(h.app.conv.messages().len(), before);
}

#[test]
fn a_poller_of_a_conversation_left_behind_never_writes_into_the_next() {
    let mut h = harness(TaskApi::Midjourney, "mj_imagine");
    h.type_text("a red fox");
    let old = submitted(&h.enter());
    let old_msg = msg_of(&h, old);
    // A new conversation: message ids start again.
    h.app.conv = crate::chat::Conversation::default();
    h.type_text("a blue whale");
    let new = submitted(&h.enter());
    assert_eq!(
        msg_of(&h, new),
        old_msg,
        "the same message id, another message"
    );
    h.act(Action::Task(TaskMsg::Update {
        card: old,
        snapshot: grid_done(),
    }));
    assert!(content(&h, new).contains("a blue whale"));
    assert!(!content(&h, new).contains("U1"));
    assert!(
        h.app.tasks.cards.iter().all(|c| c.key != old),
        "the stale card is dropped"
    );
}

#[test]
fn a_reopened_conversation_resumes_its_unfinished_cards_only() {
    let mut h = harness(TaskApi::Midjourney, "mj_imagine");
    h.app.providers = vec![h.app.target.provider.clone()];
    h.app.providers[0].models = vec![h.app.target.model.clone()];
    h.type_text("a red fox");
    let running = submitted(&h.enter());
    h.act(Action::Task(TaskMsg::Submitted {
        card: running,
        remote_id: "1001".into(),
    }));
    h.act(Action::Task(TaskMsg::Update {
        card: running,
        snapshot: Snapshot {
            status: Some(TaskStatus::Running),
            progress: Some(46),
            ..Snapshot::default()
        },
    }));
    h.app.prompt.take(&h.app.theme);
    h.type_text("a blue whale");
    let finished = submitted(&h.enter());
    h.act(Action::Task(TaskMsg::Submitted {
        card: finished,
        remote_id: "1002".into(),
    }));
    h.act(Action::Task(TaskMsg::Finished {
        card: finished,
        result: Ok(grid_done()),
    }));
    // As after a restart: the messages are back, the board is empty.
    h.app.tasks = super::TaskBoard::default();
    let fx = h.act(Action::Task(TaskMsg::ResumeAll));
    let resumed: Vec<(&str, TaskApi)> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Task(TaskEffect::Resume { remote_id, api, .. }) => {
                Some((remote_id.as_str(), *api))
            }
            _ => None,
        })
        .collect();
    assert_eq!(resumed, [("1001", TaskApi::Midjourney)], "{fx:?}");
    assert_eq!(h.app.tasks.running(), 1);
    assert_eq!(h.app.tasks.cards[0].prompt, "a red fox");
    // Reopened 90 s after the submit: the card's clock says so at the next poll.
    h.app.wall_clock = || chrono::Local::now() + chrono::Duration::seconds(90);
    h.app.tasks = super::TaskBoard::default();
    h.act(Action::Task(TaskMsg::ResumeAll));
    let key = h.app.tasks.cards[0].key;
    h.act(Action::Task(TaskMsg::Update {
        card: key,
        snapshot: Snapshot {
            status: Some(TaskStatus::Running),
            progress: Some(50),
            ..Snapshot::default()
        },
    }));
    assert!(
        content(&h, key).contains("running · 1:3"),
        "{}",
        content(&h, key)
    );
}

#[test]
fn the_media_panel_lists_the_result_not_the_stale_preview() {
    let mut h = harness(TaskApi::Midjourney, "mj_imagine");
    h.type_text("a red fox");
    let id = submitted(&h.enter());
    h.act(Action::Task(TaskMsg::Submitted {
        card: id,
        remote_id: "1001".into(),
    }));
    h.act(Action::Task(TaskMsg::Update {
        card: id,
        snapshot: Snapshot {
            status: Some(TaskStatus::Running),
            progress: Some(46),
            preview: Some("http://127.0.0.1:9/mj/image/1001?rand=46".into()),
            ..Snapshot::default()
        },
    }));
    h.act(Action::Task(TaskMsg::Finished {
        card: id,
        result: Ok(grid_done()),
    }));
    let urls = h.app.media.urls();
    assert_eq!(urls, ["http://127.0.0.1:9/mj/image/1001"]);
}

#[test]
fn b_on_a_selected_card_fills_in_mj_and_presses_that_cards_button() {
    let mut h = harness(TaskApi::Midjourney, "mj_imagine");
    let mut keys = Vec::new();
    for (prompt, remote) in [("a red fox", "1001"), ("a blue whale", "1002")] {
        h.type_text(prompt);
        let key = submitted(&h.enter());
        h.act(Action::Task(TaskMsg::Submitted {
            card: key,
            remote_id: remote.into(),
        }));
        h.act(Action::Task(TaskMsg::Finished {
            card: key,
            result: Ok(grid_done()),
        }));
        keys.push(key);
    }
    // The older card is selected in the conversation.
    h.app.focus = crate::app::Focus::Conversation;
    h.app.selected = Some(msg_of(&h, keys[0]));
    assert!(h.press('b').is_empty());
    assert_eq!(h.app.prompt.text(), "/mj ");
    assert_eq!(h.app.focus, crate::app::Focus::Input);
    assert!(
        h.app
            .notice
            .as_ref()
            .unwrap()
            .text
            .contains("U1 U2 V1 reroll")
    );
    h.type_text("V1");
    let fx = h.enter();
    let Some(Effect::Task(TaskEffect::Press {
        parent, custom_id, ..
    })) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(parent, "1001", "the selected card, not the latest");
    assert_eq!(custom_id, "MJ::JOB::variation::1::hash");
    // Without a choice, /mj goes to the latest card again.
    h.type_text("/mj U1");
    let fx = h.enter();
    let Some(Effect::Task(TaskEffect::Press { parent, .. })) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(parent, "1002");
}

#[test]
fn b_without_a_midjourney_card_declines_and_types_as_any_letter() {
    let mut h = harness(TaskApi::Midjourney, "mj_imagine");
    h.app.focus = crate::app::Focus::Conversation;
    h.press('b');
    assert_eq!(h.app.prompt.text(), "b", "as an unbound letter does");
    assert_eq!(h.app.tasks.pressing, None);
}

#[test]
fn the_bell_is_asked_for_when_a_task_ends_only_with_task_bell() {
    for (bell, want) in [(false, 0), (true, 2)] {
        let mut h = harness(TaskApi::Video, "kling-v1");
        h.app.tasks.bell = bell;
        h.type_text("a corgi");
        let a = submitted(&h.enter());
        h.act(Action::Task(TaskMsg::Update {
            card: a,
            snapshot: Snapshot::default(),
        }));
        assert_eq!(h.app.tasks.bells, 0, "progress never rings");
        h.act(Action::Task(TaskMsg::Finished {
            card: a,
            result: Err("failed".into()),
        }));
        h.type_text("a cat");
        let b = submitted(&h.enter());
        h.act(Action::Task(TaskMsg::Finished {
            card: b,
            result: Ok(Snapshot::default()),
        }));
        assert_eq!(h.app.tasks.bells, want, "task_bell = {bell}");
    }
}

#[test]
fn attached_images_go_with_a_task_prompt_and_stay_for_suno() {
    use crate::attach::{Attachment, Body};
    let image = || Attachment {
        name: "fox.png".into(),
        body: Body::image("image/png", std::sync::Arc::from(&b"\x89PNG"[..]), 1, 1),
    };
    let mut h = harness(TaskApi::Midjourney, "mj_imagine");
    h.app.attach.pending.push(image());
    h.type_text("一只红狐狸");
    let fx = h.enter();
    let [Effect::Task(TaskEffect::Submit { body, .. })] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(
        body["base64Array"],
        serde_json::json!(["data:image/png;base64,iVBORw=="])
    );
    assert!(h.app.attach.pending.is_empty(), "sent with the prompt");
    let prompt = h
        .app
        .conv
        .messages()
        .iter()
        .rev()
        .find(|m| m.role == crate::chat::Role::User);
    assert_eq!(
        prompt.map(|m| m.attachments.len()),
        Some(1),
        "shown on the prompt"
    );

    // Suno takes no images: they wait on the input for a prompt that can take them.
    let mut h = harness(TaskApi::Suno, "suno_music");
    h.app.attach.pending.push(image());
    h.type_text("一首歌");
    let fx = h.enter();
    let [Effect::Task(TaskEffect::Submit { body, .. })] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(!body.to_string().contains("base64"));
    assert_eq!(h.app.attach.pending.len(), 1);
}
