//! Generation tasks (Midjourney, Suno, video) as new-api style relays serve them: submit, poll,
//! fetch. Pure code: parsing the many shapes of the answers (relay-tasks.md §1–§3), status
//! normalisation, URL finding and fixing, and the polling state machine. No I/O here.

pub mod mj;
pub mod poll;
pub mod suno;
pub mod url;
pub mod video;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which task API a model is reached through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskApi {
    /// `/mj/submit/imagine`, `/mj/task/{id}/fetch` (relative to the provider root).
    Midjourney,
    /// `/suno/submit/music`, `/suno/fetch/{id}` (relative to the provider root).
    Suno,
    /// `/v1/video/generations` and `/{id}` (relative to `base_url`).
    Video,
}

impl TaskApi {
    /// The name as written in the config and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskApi::Midjourney => "midjourney",
            TaskApi::Suno => "suno",
            TaskApi::Video => "video",
        }
    }

    /// Parses a stored or configured name.
    pub fn from_name(name: &str) -> Option<TaskApi> {
        [TaskApi::Midjourney, TaskApi::Suno, TaskApi::Video]
            .into_iter()
            .find(|a| a.as_str() == name)
    }
}

/// A task's state, normalised over every vocabulary of §3.8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    /// Submitted, not started (also new-api's `status:""` before its first poll).
    Queued,
    /// Running.
    Running,
    /// Waiting for the Midjourney modal confirmation.
    Modal,
    /// Finished with a result.
    Succeeded,
    /// Finished without one.
    Failed,
    /// Cancelled upstream.
    Cancelled,
}

impl TaskStatus {
    /// True when polling stops.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Succeeded | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }

    /// The word stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Queued => "queued",
            TaskStatus::Running => "running",
            TaskStatus::Modal => "modal",
            TaskStatus::Succeeded => "succeeded",
            TaskStatus::Failed => "failed",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a stored word; unknown words are `Running` so the task is polled again.
    pub fn from_stored(s: &str) -> TaskStatus {
        match s {
            "queued" => TaskStatus::Queued,
            "modal" => TaskStatus::Modal,
            "succeeded" => TaskStatus::Succeeded,
            "failed" => TaskStatus::Failed,
            "cancelled" => TaskStatus::Cancelled,
            _ => TaskStatus::Running,
        }
    }
}

/// Maps any relay's or vendor's status word to a `TaskStatus` (relay-tasks.md §3.8).
/// An unknown word counts as running: the timeout ends a task that never finishes.
pub fn normalize_status(raw: &str) -> TaskStatus {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "not_start" | "submitted" | "queued" | "pending" | "throttled" | "preparing"
        | "queueing" | "created" | "in_queue" => TaskStatus::Queued,
        "modal" => TaskStatus::Modal,
        "success" | "succeed" | "succeeded" | "completed" | "complete" | "done" => {
            TaskStatus::Succeeded
        }
        "failure" | "failed" | "fail" | "error" | "unknown" => TaskStatus::Failed,
        "cancel" | "canceled" | "cancelled" => TaskStatus::Cancelled,
        _ => TaskStatus::Running,
    }
}

/// Progress as a percentage from `"46%"`, `"46"`, `46` or `0.46`-free integers; clamped to 100.
pub fn parse_progress(v: &Value) -> Option<u8> {
    let n = match v {
        Value::String(s) => s.trim().trim_end_matches('%').trim().parse::<f64>().ok()?,
        Value::Number(n) => n.as_f64()?,
        _ => return None,
    };
    (n.is_finite() && n >= 0.0).then(|| n.min(100.0).round() as u8)
}

/// What a result link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResultKind {
    Image,
    Audio,
    Video,
}

/// One result link of a finished task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultUrl {
    pub kind: ResultKind,
    pub url: String,
}

/// A Midjourney button (`buttons[]` of a plus-style upstream).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    /// Sent back as `customId` to `/mj/submit/action`.
    pub custom_id: String,
    /// `U1`…, or empty for emoji-only buttons.
    pub label: String,
    /// `🔄`, `🔍`…, or empty.
    pub emoji: String,
}

/// One Suno clip of a music task.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Clip {
    pub id: String,
    pub title: String,
    pub tags: String,
    /// Seconds; `null` while streaming.
    pub duration: Option<f64>,
    pub audio_url: Option<String>,
    pub video_url: Option<String>,
    pub image_url: Option<String>,
    /// The clip's own status word (`streaming`, `complete`…), as sent.
    pub status: String,
}

/// What one fetch of a task said.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Snapshot {
    pub status: Option<TaskStatus>,
    pub progress: Option<u8>,
    /// Why it failed (never a URL).
    pub fail_reason: Option<String>,
    /// Final results; only filled when the task succeeded (previews go to `preview`).
    pub results: Vec<ResultUrl>,
    /// An in-progress preview image (Midjourney).
    pub preview: Option<String>,
    pub buttons: Vec<Button>,
    pub clips: Vec<Clip>,
    /// Text results: Suno lyrics, Midjourney describe.
    pub text: Option<String>,
}

impl Snapshot {
    /// The normalised status, `Queued` when the answer had none.
    pub fn status(&self) -> TaskStatus {
        self.status.unwrap_or(TaskStatus::Queued)
    }
}

/// What a submit answered when it was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The task id to poll.
    pub id: String,
    /// The relay's description (`排队中，前面还有1个任务`), shown as the first status.
    pub description: String,
    /// Midjourney "Waiting for window confirm": `/mj/submit/modal` must follow.
    pub needs_modal: bool,
    /// The prompt the modal step confirms, when the relay sent one.
    pub final_prompt: Option<String>,
}

/// Why an answer could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// The relay refused the submit (`code` 24 banned prompt, a Suno error code…).
    #[error("{message}")]
    Rejected { code: String, message: String },
    /// Not JSON, or JSON of no known shape.
    #[error("{0}")]
    Decode(String),
}

/// The submit body of a prompt for `api` (`model` is sent only to the video route), with
/// the prompt's images (`data:` URIs or links): Midjourney takes data URIs in `base64Array`
/// and links at the start of the prompt, as its image prompts are written; video takes the
/// first as the image to animate; Suno takes none.
pub fn submit_body(api: TaskApi, model: &str, prompt: &str, images: &[String]) -> Value {
    match api {
        TaskApi::Midjourney => {
            let (data, links): (Vec<String>, Vec<String>) =
                images.iter().cloned().partition(|i| i.starts_with("data:"));
            let prompt = links
                .iter()
                .map(String::as_str)
                .chain(std::iter::once(prompt))
                .collect::<Vec<_>>()
                .join(" ");
            mj::imagine_body(&prompt, &data)
        }
        TaskApi::Suno => suno::MusicRequest::from_prompt(prompt).body(),
        TaskApi::Video => video::submit_body(model, prompt, images.first().map(String::as_str)),
    }
}

/// True when `api` takes images with its prompt.
pub fn takes_images(api: TaskApi) -> bool {
    api != TaskApi::Suno
}

/// Parses a 2xx body as JSON, naming the start of what came instead.
pub(crate) fn json_body(body: &[u8]) -> Result<Value, TaskError> {
    serde_json::from_slice(body).map_err(|e| {
        let text = String::from_utf8_lossy(body);
        let snippet = crate::api::error::truncate_chars(text.trim(), 120);
        TaskError::Decode(format!("the answer is not JSON ({e}): {snippet}"))
    })
}

/// A string field that is present and not blank, trimmed; numbers are accepted as ids are.
pub(crate) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The message of an error object inside a 2xx answer (`{"error":{…}}`, `{"code","message"}`).
pub(crate) fn error_in(v: &Value) -> Option<String> {
    if let Some(m) = text(v.pointer("/error/message")) {
        return Some(m);
    }
    if let Some(m) = v.get("error").and_then(Value::as_str).map(str::trim)
        && !m.is_empty()
    {
        return Some(m.to_string());
    }
    None
}

/// Model text is hostile: one line, no control characters, bounded length.
pub(crate) fn clean(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::api::error::truncate_chars(&crate::sanitize::sanitize(&one_line), 300)
}
