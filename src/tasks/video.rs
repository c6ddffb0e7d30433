//! Video through new-api's unified `/v1/video/generations` routes (relay-tasks.md §3).

use serde_json::{Value, json};

use super::{
    ResultKind, ResultUrl, Snapshot, Submitted, TaskError, TaskStatus, clean, json_body,
    normalize_status, parse_progress, text,
};

/// The submit body. An image (a data URI or a link) makes it image-to-video.
pub fn submit_body(model: &str, prompt: &str, image: Option<&str>) -> Value {
    let mut body = json!({"model": model, "prompt": prompt});
    if let Some(image) = image {
        body["image"] = json!(image);
    }
    body
}

/// An error envelope in a 2xx answer: `{"error":…}` or `{"code":"<not success>","message"}`.
fn error_of(v: &Value) -> Option<TaskError> {
    if let Some(m) = super::error_in(v) {
        return Some(TaskError::Rejected {
            code: text(v.pointer("/error/code")).unwrap_or_default(),
            message: clean(&m),
        });
    }
    let code = v.get("code")?;
    let failed = match code {
        Value::String(s) => !s.eq_ignore_ascii_case("success"),
        // Kling native: 0 is success.
        Value::Number(n) => n.as_i64() != Some(0),
        _ => false,
    };
    failed.then(|| TaskError::Rejected {
        code: text(Some(code)).unwrap_or_default(),
        message: clean(
            &text(v.get("message"))
                .or_else(|| text(v.get("msg")))
                .unwrap_or_else(|| "the relay refused the task".into()),
        ),
    })
}

/// Parses a submit answer (E-VI-1, 1b, 1c, and Kling/Luma/Runway natives):
/// the id is `task_id ?? id ?? data.task_id ?? data.id`.
pub fn parse_submit(body: &[u8]) -> Result<Submitted, TaskError> {
    let v = json_body(body)?;
    if let Some(e) = error_of(&v) {
        return Err(e);
    }
    let id = text(v.get("task_id"))
        .or_else(|| text(v.get("id")))
        .or_else(|| text(v.pointer("/data/task_id")))
        .or_else(|| text(v.pointer("/data/id")))
        .or_else(|| v.get("data").and_then(|d| text(Some(d))))
        .ok_or_else(|| TaskError::Decode("the submit answer has no task id".into()))?;
    let status = first_text(&v, &["/status", "/state", "/data/task_status"]);
    Ok(Submitted {
        id,
        description: status.map(|s| clean(&s)).unwrap_or_default(),
        needs_modal: false,
        final_prompt: None,
    })
}

fn first_text(v: &Value, pointers: &[&str]) -> Option<String> {
    pointers.iter().find_map(|p| text(v.pointer(p)))
}

/// The task object of a fetch answer: `data` when the body is new-api's envelope
/// (`code:"success"` with an object `data`), else the body itself.
fn unwrap(v: &Value) -> &Value {
    let enveloped = v.get("code").and_then(Value::as_str) == Some("success");
    match v.get("data") {
        Some(d @ Value::Object(_)) if enveloped => d,
        _ => v,
    }
}

/// The video link by the notes' search order (§3.10 step 4), then Luma and Runway natives.
pub fn find_video_url(d: &Value, status: TaskStatus) -> Option<String> {
    let web = |p: &str| text(d.pointer(p)).filter(|u| super::url::is_web_url(u));
    let ordered = ["/result_url", "/url", "/metadata/url"];
    if let Some(u) = ordered.iter().find_map(|p| web(p)) {
        return Some(u);
    }
    // Era B–C: the URL of a finished task sits in `fail_reason`.
    if status == TaskStatus::Succeeded
        && let Some(u) = web("/fail_reason")
    {
        return Some(u);
    }
    let raw = [
        "/data/task_result/videos/0/url",
        "/data/data/task_result/videos/0/url",
        "/data/content/video_url",
        "/data/output/video_url",
        "/data/creations/0/url",
        "/data/data/video_url",
        "/task_result/videos/0/url",
        "/video/download_url",
        "/video/url",
        "/output/0",
    ];
    raw.iter().find_map(|p| web(p))
}

/// Parses a fetch answer: TaskDto envelope (E-VI-2, E-VI-3), OpenAI video object (E-VI-4),
/// the documented bare shape (E-VI-5), the realtime envelope, and vendor natives.
pub fn parse_fetch(body: &[u8]) -> Result<Snapshot, TaskError> {
    let v = json_body(body)?;
    let d = unwrap(&v);
    let raw = first_text(
        d,
        &[
            "/status",
            "/state",
            "/task_status",
            "/data/task_status",
            "/data/status",
        ],
    );
    // A task object with a status may carry `error` as its failure reason (OpenAI video
    // object); without a status, an error shape is the relay refusing the fetch.
    let Some(raw) = raw else {
        return match error_of(&v) {
            Some(e) => Err(e),
            None => Err(TaskError::Decode("the task answer has no status".into())),
        };
    };
    let mut status = normalize_status(&raw);
    let progress = d.get("progress").and_then(parse_progress);
    let url = find_video_url(d, status);
    if !status.is_terminal() && progress == Some(100) && url.is_some() {
        status = TaskStatus::Succeeded;
    }
    // Luma says "completed" before its link exists: keep polling until it does (§3.7).
    if status == TaskStatus::Succeeded && url.is_none() {
        status = TaskStatus::Running;
    }
    let reason = [
        "/error/message",
        "/failure",
        "/fail_reason",
        "/data/task_status_msg",
    ]
    .iter()
    .find_map(|p| text(d.pointer(p)))
    .filter(|r| !super::url::is_web_url(r));
    Ok(Snapshot {
        status: Some(status),
        progress,
        fail_reason: reason.map(|r| clean(&r)),
        results: url
            .filter(|_| status == TaskStatus::Succeeded)
            .map(|url| ResultUrl {
                kind: ResultKind::Video,
                url,
            })
            .into_iter()
            .collect(),
        ..Snapshot::default()
    })
}
