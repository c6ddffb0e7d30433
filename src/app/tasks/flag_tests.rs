//! A task card is a message of its own kind: flagged, labelled with its model as it is, and
//! never sent to a chat model; cards stored before the flag (marked like `/image` answers)
//! still read as cards.

use super::{TaskEffect, TaskMsg};
use crate::app::test_harness::Harness;
use crate::app::{Action, Effect};
use crate::chat::{IMAGES_MARK, Role};
use crate::config::{ModelApi, ModelSpec, Provider};
use crate::providers::Target;
use crate::tasks::TaskApi;

fn mj() -> Target {
    Target {
        provider: Provider::new("mock", Some("http://127.0.0.1:9/v1".into())),
        model: ModelSpec {
            api: ModelApi::Task(TaskApi::Midjourney),
            ..ModelSpec::new("mj_imagine")
        },
    }
}

#[test]
fn a_card_is_flagged_labelled_with_its_model_and_left_out_of_chat_history() {
    let mut h = Harness::new();
    let chat = h.app.target.clone();
    h.app.target = mj();
    h.type_text("a red fox");
    let fx = h.enter();
    assert!(matches!(
        fx.as_slice(),
        [Effect::Task(TaskEffect::Submit { .. })]
    ));
    let card = h.app.conv.messages().last().unwrap();
    assert_eq!(card.model.as_deref(), Some("mock:mj_imagine"));
    assert!(card.task && card.is_task_card() && !card.is_image_generation());
    assert!(!card.in_context());
    h.app.target = chat;
    h.type_text("你好");
    let fx = h.enter();
    let [Effect::StartReply { history, .. }] = fx.as_slice() else {
        panic!("{fx:?}");
    };
    let sent: Vec<&str> = history.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(sent, ["你好"], "neither the card nor its prompt is sent");
}

#[test]
fn a_card_stored_before_the_flag_is_still_a_card_and_resumes() {
    let mut h = Harness::new();
    h.app.target = mj();
    h.app.providers = vec![h.app.target.provider.clone()];
    h.app.providers[0].models = vec![h.app.target.model.clone()];
    let now = chrono::Local::now();
    h.app.conv.push(Role::User, "a red fox", now);
    let id = h
        .app
        .conv
        .push_reply(format!("mock:mj_imagine{IMAGES_MARK}"), now);
    h.app
        .conv
        .get_mut(id)
        .unwrap()
        .complete("**Midjourney** task `1001` · running · 0:10\n\n> a red fox".into());
    let old = h.app.conv.get(id).unwrap();
    assert!(!old.task && old.is_task_card() && !old.in_context());
    let fx = h.act(Action::Task(TaskMsg::ResumeAll));
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::Task(TaskEffect::Resume { remote_id, .. }) if remote_id == "1001"
        )),
        "{fx:?}"
    );
}

#[test]
fn ctrl_r_on_a_card_says_how_to_run_the_task_again_and_sends_nothing() {
    let mut h = Harness::new();
    h.app.target = mj();
    h.type_text("a red fox");
    h.enter();
    let fx = h.key(
        crossterm::event::KeyCode::Char('r'),
        crossterm::event::KeyModifiers::CONTROL,
    );
    assert!(fx.is_empty(), "{fx:?}");
    assert!(h.notice().contains("generation task"), "{}", h.notice());
}
