//! `api = "chat" | "images" | "midjourney" | "suno" | "video"`: which API a model is reached
//! through (independent of `kind`, the picker's tag), and how its tasks are polled.

use std::time::Duration;

use super::ModelSpec;
use crate::tasks::TaskApi;
use crate::tasks::poll::PollPlan;

/// How Enter reaches a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ModelApi {
    /// `/chat/completions` (the default).
    #[default]
    Chat,
    /// `/images/generations`.
    Images,
    /// A generation task (submit, poll, fetch).
    Task(TaskApi),
}

impl ModelApi {
    /// Every value, in the order they are documented.
    pub const ALL: [ModelApi; 5] = [
        ModelApi::Chat,
        ModelApi::Images,
        ModelApi::Task(TaskApi::Midjourney),
        ModelApi::Task(TaskApi::Suno),
        ModelApi::Task(TaskApi::Video),
    ];

    /// The value as written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelApi::Chat => "chat",
            ModelApi::Images => "images",
            ModelApi::Task(t) => t.as_str(),
        }
    }

    /// Parses the config value.
    pub fn from_tag(tag: &str) -> Option<ModelApi> {
        ModelApi::ALL.into_iter().find(|a| a.as_str() == tag)
    }
}

impl ModelSpec {
    /// The task API this model is reached through, if it is a task model.
    pub fn task_api(&self) -> Option<TaskApi> {
        match self.api {
            ModelApi::Task(t) => Some(t),
            _ => None,
        }
    }

    /// How this model's tasks are polled: `poll_secs` and `task_timeout_secs`, else defaults.
    pub fn poll_plan(&self) -> PollPlan {
        let d = PollPlan::default();
        PollPlan {
            first: self
                .poll_ms
                .map(|ms| Duration::from_millis(u64::from(ms.get())))
                .unwrap_or(d.first),
            timeout: self
                .task_timeout_secs
                .map(|s| Duration::from_secs(u64::from(s.get())))
                .unwrap_or(d.timeout),
        }
    }
}
