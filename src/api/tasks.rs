//! HTTP for the relay's task routes: Midjourney and Suno relative to the provider root (its
//! `base_url` without `/v1`), video relative to `base_url` (relay-tasks.md §1.1, §2.1, §3.1).
//! Parsing is in `crate::tasks`; this file only moves bytes and names errors.

use std::time::Duration;

use serde_json::Value;

use super::ApiError;
use super::client::{Endpoint, content_type, request_id};
use super::error::{ErrorContext, cap_message, classify_response};
use crate::tasks::poll::FetchFailure;
use crate::tasks::url::{fix_result_url, may_send_key, provider_root};
use crate::tasks::{Snapshot, Submitted, TaskApi, TaskError, mj, suno, video};

/// Largest task answer read (a Suno task with lyrics and two clips is a few kB).
const MAX_BODY: usize = 4 * 1024 * 1024;
/// Error codes and descriptions meaning the relay does not know the id (§1.3, §2.6).
const LOST: [&str; 3] = ["task_not_exist", "task_no_found", "task_not_found"];

/// Why a task call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskCallError {
    /// Transport, auth, HTML, and other HTTP-level failures.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The relay answered that it does not know this task id.
    #[error("{host} no longer knows task {id}: the relay lost the task")]
    Lost { host: String, id: String },
    /// The relay refused the submit (banned prompt, queue full, bad request…).
    #[error("{host} refused the task: {message}")]
    Rejected { host: String, message: String },
}

impl TaskCallError {
    /// How the poller should take a failed fetch.
    pub fn as_fetch_failure(&self) -> FetchFailure {
        match self {
            TaskCallError::Lost { .. } => FetchFailure::Lost,
            TaskCallError::Api(e @ (ApiError::Auth { .. } | ApiError::MissingKey { .. })) => {
                FetchFailure::Fatal(e.to_string())
            }
            TaskCallError::Api(e @ ApiError::Html { status, .. }) if *status < 500 => {
                FetchFailure::Fatal(e.to_string())
            }
            other => FetchFailure::Transient(other.to_string()),
        }
    }
}

/// The URL of a task route for `api`.
fn route(ep: &Endpoint, api: TaskApi, path: &str) -> String {
    match api {
        TaskApi::Video => format!("{}/{path}", ep.base_url.trim_end_matches('/')),
        TaskApi::Midjourney | TaskApi::Suno => {
            format!("{}/{path}", provider_root(&ep.base_url))
        }
    }
}

/// Task ids go into URL paths; an id from the relay with anything but these characters is
/// refused rather than escaped, since no relay hands out such ids.
fn check_id(id: &str, host: &str) -> Result<(), TaskCallError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::Decode {
            host: host.to_string(),
            detail: format!(
                "unusable task id {:?}",
                crate::api::error::truncate_chars(id, 40)
            ),
        }
        .into())
    }
}

/// Submits a new task: the prompt's body for `api` (see `crate::tasks::*::…body`).
pub async fn submit(
    http: &reqwest::Client,
    ep: &Endpoint,
    api: TaskApi,
    body: &Value,
) -> Result<Submitted, TaskCallError> {
    let path = match api {
        TaskApi::Midjourney => "mj/submit/imagine",
        TaskApi::Suno => "suno/submit/music",
        TaskApi::Video => "video/generations",
    };
    let parse = match api {
        TaskApi::Midjourney => mj::parse_submit,
        TaskApi::Suno => suno::parse_submit,
        TaskApi::Video => video::parse_submit,
    };
    post_submit(http, ep, route(ep, api, path), body, parse).await
}

/// Presses a Midjourney button: `/mj/submit/action` with its customId and the parent task;
/// a "Waiting for window confirm" answer is confirmed with `/mj/submit/modal` at once.
pub async fn mj_action(
    http: &reqwest::Client,
    ep: &Endpoint,
    custom_id: &str,
    parent: &str,
    prompt: &str,
) -> Result<Submitted, TaskCallError> {
    let url = route(ep, TaskApi::Midjourney, "mj/submit/action");
    let body = mj::action_body(custom_id, parent);
    let first = post_submit(http, ep, url, &body, mj::parse_submit).await?;
    if !first.needs_modal {
        return Ok(first);
    }
    let confirm = first
        .final_prompt
        .clone()
        .unwrap_or_else(|| prompt.to_string());
    let url = route(ep, TaskApi::Midjourney, "mj/submit/modal");
    let body = mj::modal_body(&first.id, &confirm);
    let second = post_submit(http, ep, url, &body, mj::parse_submit).await?;
    Ok(Submitted {
        needs_modal: false,
        ..second
    })
}

/// Fetches a task's current state.
pub async fn fetch(
    http: &reqwest::Client,
    ep: &Endpoint,
    api: TaskApi,
    id: &str,
) -> Result<Snapshot, TaskCallError> {
    let host = ep.host();
    check_id(id, &host)?;
    let path = match api {
        TaskApi::Midjourney => format!("mj/task/{id}/fetch"),
        TaskApi::Suno => format!("suno/fetch/{id}"),
        TaskApi::Video => format!("video/generations/{id}"),
    };
    let (bytes, _) = call(ep, http.get(route(ep, api, &path)), Some(id)).await?;
    let parsed = match api {
        TaskApi::Midjourney => mj::parse_fetch(&bytes),
        TaskApi::Suno => suno::parse_fetch(&bytes),
        TaskApi::Video => video::parse_fetch(&bytes),
    };
    let root = provider_root(&ep.base_url);
    parsed.map(|s| fix_urls(s, &root)).map_err(|e| match e {
        TaskError::Rejected { code, message }
            if LOST.contains(&code.as_str()) || LOST.contains(&message.as_str()) =>
        {
            TaskCallError::Lost {
                host: host.clone(),
                id: id.to_string(),
            }
        }
        TaskError::Rejected { message, .. } => ApiError::Body {
            host: host.clone(),
            message,
        }
        .into(),
        TaskError::Decode(detail) => ApiError::Decode {
            host: host.clone(),
            detail,
        }
        .into(),
    })
}

/// Every link of a snapshot moved off `localhost` and private hosts onto the provider (§1.6).
fn fix_urls(mut s: Snapshot, root: &str) -> Snapshot {
    let fix = |u: &mut String| *u = fix_result_url(u, root);
    s.results.iter_mut().for_each(|r| fix(&mut r.url));
    s.preview.iter_mut().for_each(fix);
    for c in &mut s.clips {
        for u in [&mut c.audio_url, &mut c.video_url, &mut c.image_url] {
            u.iter_mut().for_each(fix);
        }
    }
    s
}

/// A request for a result link: with the key only on the provider's own origin (its
/// `/v1/videos/{id}/content` needs it); a CDN or any other host never gets it.
pub fn result_request(http: &reqwest::Client, ep: &Endpoint, url: &str) -> reqwest::RequestBuilder {
    let rb = http.get(url);
    match &ep.api_key {
        Some(key) if may_send_key(url, &provider_root(&ep.base_url)) => rb.bearer_auth(key),
        _ => rb,
    }
}

async fn post_submit(
    http: &reqwest::Client,
    ep: &Endpoint,
    url: String,
    body: &Value,
    parse: fn(&[u8]) -> Result<Submitted, TaskError>,
) -> Result<Submitted, TaskCallError> {
    let host = ep.host();
    let (bytes, _) = call(ep, http.post(url).json(body), None).await?;
    let submitted = parse(&bytes).map_err(|e| match e {
        TaskError::Rejected { message, .. } => TaskCallError::Rejected {
            host: host.clone(),
            message,
        },
        TaskError::Decode(detail) => ApiError::Decode {
            host: host.clone(),
            detail,
        }
        .into(),
    })?;
    check_id(&submitted.id, &host)?;
    Ok(submitted)
}

/// Sends one request with the key and the endpoint's time budget; a 2xx body, or the error.
/// `fetching` is the task id when this is a fetch (a 404 then means the task is gone).
async fn call(
    ep: &Endpoint,
    rb: reqwest::RequestBuilder,
    fetching: Option<&str>,
) -> Result<(Vec<u8>, u16), TaskCallError> {
    let host = ep.host();
    let rb = match &ep.api_key {
        Some(key) => rb.bearer_auth(key),
        None => rb,
    };
    let budget = ep.connect_timeout + ep.idle_timeout;
    let work = async {
        let resp = rb.send().await.map_err(|e| ApiError::Connect {
            host: host.clone(),
            detail: e.to_string(),
        })?;
        let status = resp.status().as_u16();
        let ct = content_type(&resp);
        let rid = request_id(&resp);
        let bytes = super::read_body_capped(resp, MAX_BODY)
            .await
            .map_err(|detail| ApiError::Decode {
                host: host.clone(),
                detail,
            })?;
        if (200..300).contains(&status) {
            return Ok((bytes, status));
        }
        Err(http_error(
            status,
            ct.as_deref(),
            &bytes,
            rid.as_deref(),
            ep,
            fetching,
        ))
    };
    match tokio::time::timeout(budget, work).await {
        Ok(r) => r,
        Err(_) => Err(ApiError::Timeout {
            host,
            secs: budget.as_secs(),
            phase: "waiting for the task answer",
        }
        .into()),
    }
}

/// Names a non-2xx answer. The relay's own envelopes come first: Midjourney's
/// `{"description":"task_no_found ","code":4}` (note the trailing space) and the task
/// envelope `{"code":"task_not_exist","message":…}`; OpenAI-shaped errors and HTML pages go
/// through the chat classifier, which names the key source on 401/403.
fn http_error(
    status: u16,
    ct: Option<&str>,
    body: &[u8],
    rid: Option<&str>,
    ep: &Endpoint,
    fetching: Option<&str>,
) -> TaskCallError {
    let host = ep.host();
    let v: Option<Value> = serde_json::from_slice(body).ok().filter(Value::is_object);
    let relay_message = v.as_ref().and_then(|v| {
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        text("description").or_else(|| {
            v.get("code")
                .filter(|c| c.is_string())
                .and_then(|_| text("message").or_else(|| text("code")))
        })
    });
    let code = v
        .as_ref()
        .and_then(|v| v.get("code"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if let Some(id) = fetching {
        let lost_word =
            relay_message.as_deref().is_some_and(|m| LOST.contains(&m)) || LOST.contains(&code);
        if status == 404 || lost_word {
            return TaskCallError::Lost {
                host,
                id: id.to_string(),
            };
        }
    }
    let ctx = ErrorContext {
        host: &host,
        key_source: &ep.key_source,
    };
    let Some(message) = relay_message else {
        return classify_response(status, ct, body, rid, &ctx).into();
    };
    let message = crate::tasks::clean(&cap_message(&message));
    match status {
        401 | 403 => ApiError::Auth {
            status,
            host,
            message,
            key_source: ep.key_source.clone(),
        },
        _ => ApiError::Status {
            status,
            host,
            message,
            // A 429 is the relay's load or this key's own limit: say which key.
            hint: (status == 429).then(|| {
                format!(
                    "the relay is busy or the key from {} hit its rate limit: try again later",
                    ep.key_source
                )
            }),
        },
    }
    .into()
}

/// A plain HTTP client for task calls, with the endpoint's connect timeout and the process's
/// one TLS setup (the system roots are read once).
pub fn http_client(
    ep: &Endpoint,
    tls: &super::tls::SharedTls,
) -> Result<reqwest::Client, ApiError> {
    // Installing twice is harmless; the first caller wins.
    let _ = rustls::crypto::ring::default_provider().install_default();
    tls.apply(reqwest::Client::builder())
        .connect_timeout(ep.connect_timeout.max(Duration::from_millis(1)))
        .user_agent(concat!("ecochat/", env!("CARGO_PKG_VERSION")))
        // A redirect to another host would drop the key anyway; keep the chain short.
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .map_err(|e| ApiError::Connect {
            host: ep.host(),
            detail: e.to_string(),
        })
}
