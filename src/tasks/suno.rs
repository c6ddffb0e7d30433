//! Suno through new-api's `/suno/*` routes (relay-tasks.md §2).

use serde_json::{Value, json};

use super::{
    Clip, ResultKind, ResultUrl, Snapshot, Submitted, TaskError, TaskStatus, clean, error_in,
    json_body, normalize_status, parse_progress, text,
};

/// What a music prompt asks for: a description ("inspiration" mode) or custom lyrics.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MusicRequest {
    /// Inspiration mode: a description of the song.
    pub description: Option<String>,
    /// Custom mode: the lyrics.
    pub lyrics: Option<String>,
    pub title: Option<String>,
    pub tags: Option<String>,
    pub instrumental: bool,
    /// `mv`; new-api defaults to `chirp-v3-0` when absent.
    pub model_version: Option<String>,
}

impl MusicRequest {
    /// A plain prompt is a description of the song. Flags at its start switch to custom mode:
    /// `--title T`, `--tags T`, `--mv V`, `--instrumental`, and `--lyrics` (the rest is the
    /// lyrics rather than a description). A value with spaces is quoted (`--tags "pop, upbeat"`).
    pub fn from_prompt(prompt: &str) -> MusicRequest {
        let mut req = MusicRequest::default();
        let mut rest = prompt.trim_start();
        let mut lyrics = false;
        while let Some(after) = rest.strip_prefix("--") {
            let (flag, tail) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
            let tail = tail.trim_start();
            match flag {
                "instrumental" => req.instrumental = true,
                "lyrics" | "custom" => lyrics = true,
                "title" | "tags" | "mv" => {
                    let (value, after_value) = take_value(tail);
                    let slot = match flag {
                        "title" => &mut req.title,
                        "tags" => &mut req.tags,
                        _ => &mut req.model_version,
                    };
                    *slot = Some(value).filter(|v| !v.is_empty());
                    rest = after_value.trim_start();
                    continue;
                }
                // Not a flag of ours: the text starts here.
                _ => break,
            }
            rest = tail;
        }
        let text = rest.trim().to_string();
        if lyrics || req.title.is_some() || req.tags.is_some() {
            req.lyrics = Some(text).filter(|t| !t.is_empty());
        } else {
            req.description = Some(text);
        }
        req
    }

    /// The `/suno/submit/music` body: only the fields given (new-api re-serialises the request).
    pub fn body(&self) -> Value {
        let mut body = json!({"make_instrumental": self.instrumental});
        let fields = [
            ("gpt_description_prompt", &self.description),
            ("prompt", &self.lyrics),
            ("title", &self.title),
            ("tags", &self.tags),
            ("mv", &self.model_version),
        ];
        for (key, value) in fields {
            if let Some(v) = value {
                body[key] = json!(v);
            }
        }
        body
    }
}

/// The value after a flag: a double-quoted string or one word; and the text after it.
fn take_value(s: &str) -> (String, &str) {
    if let Some(quoted) = s.strip_prefix('"')
        && let Some(end) = quoted.find('"')
    {
        return (quoted[..end].to_string(), &quoted[end + 1..]);
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    (s[..end].to_string(), &s[end..])
}

/// `code` is the string `"success"` when all is well; anything else is an error (§2.3).
fn is_success(v: &Value) -> bool {
    match v.get("code") {
        Some(Value::String(s)) => s.eq_ignore_ascii_case("success"),
        // Forks answering with a number use 0 / 200 for success.
        Some(Value::Number(n)) => matches!(n.as_i64(), Some(0 | 200)),
        None => true,
        _ => false,
    }
}

fn rejected(v: &Value) -> TaskError {
    let message = text(v.get("message"))
        .or_else(|| error_in(v))
        .or_else(|| text(v.get("code")))
        .unwrap_or_else(|| "the relay refused the task".into());
    TaskError::Rejected {
        code: text(v.get("code")).unwrap_or_default(),
        message: clean(&message),
    }
}

/// Parses a submit answer: `{"code":"success","data":"<id>"}` (E-SU-1, E-SU-1b).
pub fn parse_submit(body: &[u8]) -> Result<Submitted, TaskError> {
    let v = json_body(body)?;
    if error_in(&v).is_some() || !is_success(&v) {
        return Err(rejected(&v));
    }
    let id = text(v.get("data"))
        .or_else(|| text(v.pointer("/data/task_id")))
        .or_else(|| text(v.pointer("/data/id")))
        .or_else(|| text(v.get("task_id")))
        .ok_or_else(|| TaskError::Decode("the submit answer has no task id".into()))?;
    Ok(Submitted {
        id,
        description: text(v.get("message"))
            .map(|m| clean(&m))
            .unwrap_or_default(),
        needs_modal: false,
        final_prompt: None,
    })
}

/// Parses a `/suno/fetch/{id}` answer (E-SU-2…4): the task in `data` (an object, or the first
/// of an array), whose own `data` is null, an array of clips, or a lyrics object.
pub fn parse_fetch(body: &[u8]) -> Result<Snapshot, TaskError> {
    let v = json_body(body)?;
    if error_in(&v).is_some() || !is_success(&v) {
        return Err(rejected(&v));
    }
    let task = match v.get("data") {
        Some(Value::Array(items)) => items.first().cloned().unwrap_or(Value::Null),
        Some(d @ Value::Object(_)) => d.clone(),
        _ => Value::Null,
    };
    if task.is_null() {
        // `data: null` at the top: nothing known yet.
        return Ok(Snapshot {
            status: Some(TaskStatus::Queued),
            ..Snapshot::default()
        });
    }
    let raw = task
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut status = normalize_status(raw);
    let progress = task.get("progress").and_then(parse_progress);
    let mut snap = Snapshot {
        progress,
        fail_reason: text(task.get("fail_reason")).map(|r| clean(&r)),
        ..Snapshot::default()
    };
    match task.get("data") {
        Some(Value::Array(items)) => snap.clips = items.iter().map(clip).collect(),
        Some(lyrics @ Value::Object(_)) => {
            // Lyrics keep their line breaks; only escapes and control characters go.
            snap.text =
                text(lyrics.get("text")).map(|t| crate::sanitize::sanitize(&t).into_owned());
        }
        _ => {}
    }
    if !status.is_terminal() && progress == Some(100) {
        status = if snap.fail_reason.is_some() {
            TaskStatus::Failed
        } else {
            TaskStatus::Succeeded
        };
    }
    if status == TaskStatus::Succeeded {
        for c in &snap.clips {
            let links = [
                (ResultKind::Audio, &c.audio_url),
                (ResultKind::Video, &c.video_url),
                (ResultKind::Image, &c.image_url),
            ];
            for (kind, url) in links {
                if let Some(url) = url {
                    snap.results.push(ResultUrl {
                        kind,
                        url: url.clone(),
                    });
                }
            }
        }
    }
    snap.status = Some(status);
    Ok(snap)
}

fn web(v: Option<&Value>) -> Option<String> {
    text(v).filter(|u| super::url::is_web_url(u))
}

fn clip(v: &Value) -> Clip {
    Clip {
        id: text(v.get("id")).unwrap_or_default(),
        title: text(v.get("title")).map(|t| clean(&t)).unwrap_or_default(),
        tags: text(v.pointer("/metadata/tags"))
            .map(|t| clean(&t))
            .unwrap_or_default(),
        duration: v.pointer("/metadata/duration").and_then(Value::as_f64),
        audio_url: web(v.get("audio_url")),
        video_url: web(v.get("video_url")),
        image_url: web(v.get("image_large_url")).or_else(|| web(v.get("image_url"))),
        status: text(v.get("status")).unwrap_or_default(),
    }
}
