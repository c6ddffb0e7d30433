//! Midjourney through new-api's `/mj/*` routes (relay-tasks.md §1).

use serde_json::{Value, json};

use super::{
    Button, ResultKind, ResultUrl, Snapshot, Submitted, TaskError, TaskStatus, clean, error_in,
    json_body, normalize_status, parse_progress, text,
};

/// Submit codes that mean "accepted": 1 submitted, 21 exists / modal, 22 queued (§1.3).
const ACCEPTED: [i64; 3] = [1, 21, 22];

/// The `/mj/submit/imagine` body. Image prompts go in `base64Array` as data URIs.
pub fn imagine_body(prompt: &str, images: &[String]) -> Value {
    json!({
        "botType": "MID_JOURNEY",
        "prompt": prompt,
        "base64Array": images,
        "notifyHook": "",
        "state": "",
    })
}

/// The `/mj/submit/action` body: the button and its parent task (new-api pins the parent's
/// channel by it; without it the action goes astray).
pub fn action_body(custom_id: &str, parent: &str) -> Value {
    json!({"customId": custom_id, "taskId": parent, "notifyHook": "", "state": ""})
}

/// The `/mj/submit/modal` body confirming a remix / zoom with `prompt`.
pub fn modal_body(task_id: &str, prompt: &str) -> Value {
    json!({"taskId": task_id, "prompt": prompt, "maskBase64": ""})
}

/// The `code` of a submit answer; new-api sends an int, some forks a numeric string.
fn code_of(v: &Value) -> Option<i64> {
    match v.get("code")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses a submit answer (E-MJ-1…3, and the OpenAI-shaped middleware errors).
pub fn parse_submit(body: &[u8]) -> Result<Submitted, TaskError> {
    let v = json_body(body)?;
    if let Some(message) = error_in(&v) {
        return Err(TaskError::Rejected {
            code: text(v.pointer("/error/code")).unwrap_or_default(),
            message: clean(&message),
        });
    }
    let code = code_of(&v);
    let description = text(v.get("description")).unwrap_or_default();
    let id = text(v.get("result"));
    match (code, id) {
        (Some(c), Some(id)) if ACCEPTED.contains(&c) => {
            let remix = v.pointer("/properties/remix") == Some(&Value::Bool(true));
            Ok(Submitted {
                id,
                needs_modal: remix || description.to_ascii_lowercase().contains("confirm"),
                final_prompt: text(v.pointer("/properties/finalPrompt")),
                description: clean(&description),
            })
        }
        (code, _) => {
            let mut message = if description.is_empty() {
                "the relay refused the task".to_string()
            } else {
                description
            };
            if let Some(word) = text(v.pointer("/properties/bannedWord")) {
                message = format!("{message} (banned word: {word})");
            }
            Err(TaskError::Rejected {
                code: code.map(|c| c.to_string()).unwrap_or_default(),
                message: clean(&message),
            })
        }
    }
}

/// Parses a `/mj/task/{id}/fetch` answer (E-MJ-4…7); a bare array (list-by-condition) gives
/// its first task.
pub fn parse_fetch(body: &[u8]) -> Result<Snapshot, TaskError> {
    let v = json_body(body)?;
    let v = match v {
        Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
        other => other,
    };
    if !v.is_object() {
        return Err(TaskError::Decode("the task answer is not an object".into()));
    }
    if let Some(message) = error_in(&v) {
        return Err(TaskError::Rejected {
            code: String::new(),
            message: clean(&message),
        });
    }
    let raw = v.get("status").and_then(Value::as_str).unwrap_or_default();
    let mut status = normalize_status(raw);
    let progress = v.get("progress").and_then(parse_progress);
    let image = text(v.get("imageUrl")).filter(|u| super::url::is_web_url(u));
    let mut videos: Vec<String> = text(v.get("videoUrl")).into_iter().collect();
    for item in v
        .get("videoUrls")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        // Seen both as strings and as `{"url": …}` objects.
        if let Some(u) = text(Some(item)).or_else(|| text(item.get("url")))
            && !videos.contains(&u)
        {
            videos.push(u);
        }
    }
    videos.retain(|u| super::url::is_web_url(u));
    // "Done when progress is 100% or the status is final" (§1.4): a 100% task with an image
    // and no final status is done.
    if !status.is_terminal() && progress == Some(100) && (image.is_some() || !videos.is_empty()) {
        status = TaskStatus::Succeeded;
    }
    let mut snap = Snapshot {
        status: Some(status),
        progress,
        fail_reason: text(v.get("failReason")).map(|r| clean(&r)),
        buttons: buttons(&v),
        text: None,
        ..Snapshot::default()
    };
    if status == TaskStatus::Succeeded {
        snap.results.extend(image.map(|url| ResultUrl {
            kind: ResultKind::Image,
            url,
        }));
        snap.results.extend(videos.into_iter().map(|url| ResultUrl {
            kind: ResultKind::Video,
            url,
        }));
        if v.get("action").and_then(Value::as_str) == Some("DESCRIBE") {
            snap.text = text(v.pointer("/properties/finalPrompt"));
        }
    } else {
        snap.preview = image;
    }
    Ok(snap)
}

/// The buttons new-api can map to an action; the others would answer 400 `unknown_action`.
fn buttons(v: &Value) -> Vec<Button> {
    let Some(list) = v.get("buttons").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|b| {
            let custom_id = text(b.get("customId"))?;
            let label = text(b.get("label")).unwrap_or_default();
            let emoji = text(b.get("emoji")).unwrap_or_default();
            mappable(&custom_id).then(|| Button {
                custom_id,
                label: clean(&label),
                emoji: clean(&emoji),
            })
        })
        .collect()
}

/// new-api's `CoverPlusActionToNormalAction`: which customIds `/mj/submit/action` accepts.
/// Vary (Region) needs a mask drawn by hand, which a terminal cannot offer, so it is left out.
pub fn mappable(custom_id: &str) -> bool {
    let parts: Vec<&str> = custom_id.split("::").collect();
    let Some(second) = parts.get(1) else {
        return false;
    };
    let action = if *second == "JOB" {
        parts.get(2).copied().unwrap_or_default()
    } else {
        second
    };
    action.contains("upsample")
        || action.contains("variation")
        || action.contains("pan")
        || action.contains("reroll")
        || action == "Outpaint"
        || action == "CustomZoom"
}

/// What a button is called on screen and in `/mj NAME`: its label, else a word for its emoji.
pub fn button_name(b: &Button) -> String {
    if !b.label.is_empty() {
        return b.label.clone();
    }
    if b.custom_id.contains("reroll") {
        return "reroll".into();
    }
    for dir in ["left", "right", "up", "down"] {
        if b.custom_id.contains(&format!("pan_{dir}")) {
            return format!("pan {dir}");
        }
    }
    if b.emoji.is_empty() {
        b.custom_id.clone()
    } else {
        b.emoji.clone()
    }
}

/// The button `/mj NAME` means: by label (`U1`, `v3`, `Zoom Out 2x`), `reroll`/`🔄`, or
/// `pan left`; case and surrounding spaces do not matter.
pub fn find_button<'a>(buttons: &'a [Button], name: &str) -> Option<&'a Button> {
    let want = name.trim().to_lowercase();
    if want.is_empty() {
        return None;
    }
    buttons.iter().find(|b| {
        button_name(b).to_lowercase() == want
            || (!b.emoji.is_empty() && b.emoji == name.trim())
            || (want == "r" && b.custom_id.contains("reroll"))
    })
}
