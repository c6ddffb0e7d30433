//! `api`, `poll_secs` and `task_timeout_secs` of a model.

use std::time::Duration;

use super::super::ModelApi;
use super::{error_of, parse, with_model};
use crate::tasks::TaskApi;
use crate::tasks::poll::PollPlan;

#[test]
fn api_defaults_to_chat_and_is_independent_of_kind() {
    let config = parse(&with_model("kind = \"image\"")).unwrap();
    let m = &config.provider("p").unwrap().models[0];
    assert_eq!(m.api, ModelApi::Chat);
    assert_eq!(m.task_api(), None);
    assert_eq!(m.poll_plan(), PollPlan::default());
}

#[test]
fn every_api_value_parses() {
    for (tag, want) in [
        ("chat", ModelApi::Chat),
        ("images", ModelApi::Images),
        ("midjourney", ModelApi::Task(TaskApi::Midjourney)),
        ("suno", ModelApi::Task(TaskApi::Suno)),
        ("video", ModelApi::Task(TaskApi::Video)),
    ] {
        let config = parse(&with_model(&format!("api = \"{tag}\""))).unwrap();
        assert_eq!(config.provider("p").unwrap().models[0].api, want, "{tag}");
    }
}

#[test]
fn poll_settings_shape_the_plan() {
    let config = parse(&with_model(
        "api = \"midjourney\"\npoll_secs = 0.05\ntask_timeout_secs = 120",
    ))
    .unwrap();
    let m = &config.provider("p").unwrap().models[0];
    assert_eq!(m.task_api(), Some(TaskApi::Midjourney));
    let plan = m.poll_plan();
    assert_eq!(plan.first, Duration::from_millis(50));
    assert_eq!(plan.timeout, Duration::from_secs(120));
}

#[test]
fn bad_values_point_at_the_value() {
    let e = error_of(&with_model("api = \"midjourny\""));
    assert!(e.contains(":7:7:"), "{e}");
    assert!(e.contains("did you mean `midjourney`?"), "{e}");
    let e = error_of(&with_model("poll_secs = 0"));
    assert!(e.contains("poll_secs"), "{e}");
    let e = error_of(&with_model("task_timeout_secs = -5"));
    assert!(e.contains("task_timeout_secs"), "{e}");
}

#[test]
fn task_bell_is_off_unless_asked_for() {
    assert!(!parse(&with_model("")).unwrap().task_bell);
    let on = format!("task_bell = true\n{}", with_model(""));
    assert!(parse(&on).unwrap().task_bell);
}
