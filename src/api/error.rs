//! One error type for everything that can go wrong talking to a provider, each with a human sentence.

use serde_json::Value;
use thiserror::Error;

/// Everything that can go wrong with a request, rendered as one sentence a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// The provider has no key configured.
    #[error("provider `{provider}` has no API key: set {hint}")]
    MissingKey { provider: String, hint: String },

    /// `api_key_cmd` failed, timed out or printed nothing; `detail` never holds its stdout.
    #[error("provider `{provider}`: api_key_cmd `{command}` {detail}")]
    KeyCommand {
        provider: String,
        command: String,
        detail: String,
    },

    /// 401/403: the key was refused. `key_source` names where the key came from.
    #[error("{status} from {host}: {message} (check the API key in {key_source})")]
    Auth {
        status: u16,
        host: String,
        message: String,
        key_source: String,
    },

    /// Any other non-2xx answer with a readable (JSON or text) message.
    #[error("{status} from {host}: {message}{}", hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Status {
        status: u16,
        host: String,
        message: String,
        hint: Option<String>,
    },

    /// An HTML page where JSON or SSE was expected (nginx, Cloudflare, a web UI).
    #[error("{status} {title} from {host}{}", if *status == 200 { " (got an HTML page: check the base URL, does it need /v1?)" } else { "" })]
    Html {
        status: u16,
        host: String,
        title: String,
    },

    /// A 200 answer whose JSON body is an error (Spark, free-api proxies, MiniMax).
    #[error("{host} answered with an error: {message}")]
    Body { host: String, message: String },

    /// An error object inside a stream that had started.
    #[error("the server reported an error mid-reply: {message}")]
    InStream { message: String },

    /// No connection could be made.
    #[error("cannot connect to {host}: {detail}")]
    Connect { host: String, detail: String },

    /// Nothing arrived for too long.
    #[error("{host} sent nothing for {secs} s ({phase})")]
    Timeout {
        host: String,
        secs: u64,
        phase: &'static str,
    },

    /// The connection broke after the reply had started.
    #[error("the connection to {host} dropped mid-reply: {detail}")]
    Interrupted { host: String, detail: String },

    /// One SSE line grew past the buffer cap.
    #[error("event too large: one line exceeded {limit} bytes")]
    EventTooLarge { limit: usize },

    /// The body could not be understood.
    #[error("unexpected response from {host}: {detail}")]
    Decode { host: String, detail: String },

    /// The stream ended without any content.
    #[error("no content received from {host}")]
    Empty { host: String },
}

/// Who was asked and where the key came from, for the error sentences.
#[derive(Debug, Clone, Copy)]
pub struct ErrorContext<'a> {
    /// Host name shown in messages, e.g. `api.ecovai.cn`.
    pub host: &'a str,
    /// Where the key came from: an env var name or a config key.
    pub key_source: &'a str,
}

/// Longest message shown in a banner, in chars.
const MAX_MESSAGE: usize = 300;
/// How much of a non-JSON, non-HTML body is shown, in chars.
const MAX_SNIPPET: usize = 200;
const NO_CHANNEL: &str = "无可用渠道";

/// Turns an unusable HTTP answer (non-2xx, or a 2xx that is neither SSE nor a completion) into one error.
pub fn classify_response(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    request_id: Option<&str>,
    ctx: &ErrorContext,
) -> ApiError {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let host = ctx.host.to_string();
    let json = serde_json::from_str::<Value>(text)
        .ok()
        .filter(Value::is_object);
    let json_message = json
        .as_ref()
        .and_then(|v| error_message(v).or_else(|| ladder_message(v)));
    let title = if json.is_none() && looks_like_html(content_type, text) {
        Some(html_title(text).map_or_else(
            || reason_phrase(status).to_string(),
            |t| clean_title(&t, status, ctx.host),
        ))
    } else {
        None
    };
    let found = json_message.is_some();
    let readable = json_message
        .or_else(|| title.clone())
        .or_else(|| (!text.is_empty()).then(|| snippet(text, MAX_SNIPPET)))
        .unwrap_or_else(|| reason_phrase(status).to_string());
    let message = with_request_id(cap_message(&readable), request_id);
    match status {
        401 | 403 => ApiError::Auth {
            status,
            host,
            message,
            key_source: ctx.key_source.to_string(),
        },
        404 => ApiError::Status {
            status,
            host,
            message,
            hint: Some("check the base URL and model id".into()),
        },
        _ if title.is_some() => ApiError::Html {
            status,
            host,
            title: cap_message(&readable),
        },
        200..=299 if found => ApiError::Body { host, message },
        200..=299 => ApiError::Decode {
            host,
            detail: message,
        },
        _ => ApiError::Status {
            status,
            host,
            message,
            hint: None,
        },
    }
}

/// The message of an error-shaped JSON value (api-notes §3.1); `None` for anything else.
///
/// Error-shaped: an `error` member, `object:"error"`, a non-zero `code` outside a chunk with
/// `choices`, a non-zero `base_resp.status_code` / `header.code` / `errCode` / `error_code`,
/// or `success:false`.
pub fn error_message(v: &Value) -> Option<String> {
    let obj = v.as_object()?;
    let shaped = match obj.get("error") {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
        Some(Value::Bool(b)) => *b,
        _ => false,
    } || obj.get("object").and_then(Value::as_str) == Some("error")
        || (!obj.contains_key("choices") && obj.get("code").is_some_and(is_error_code))
        || v.pointer("/base_resp/status_code")
            .is_some_and(is_error_code)
        || v.pointer("/header/code").is_some_and(is_error_code)
        || obj.get("errCode").is_some_and(is_error_code)
        || obj.get("error_code").is_some_and(is_error_code)
        || obj.get("success") == Some(&Value::Bool(false));
    shaped.then(|| ladder_message(v).unwrap_or_else(|| describe_code(v)))
}

/// The `<title>` of an HTML page, entity-decoded and whitespace-collapsed.
pub fn html_title(body: &str) -> Option<String> {
    // ASCII lowercasing keeps byte offsets, so indices found in `lower` are valid in `body`.
    let lower = body.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = collapse_whitespace(&decode_entities(&body[start..end]));
    (!title.is_empty()).then_some(title)
}

impl ApiError {
    /// Whether trying the same request again may succeed (only asked before the first byte).
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Status {
                status, message, ..
            } => retryable_status(*status, message),
            ApiError::Html { status, title, .. } => retryable_status(*status, title),
            ApiError::Connect { .. } => true,
            ApiError::Timeout { phase, .. } => phase.starts_with("connect"),
            _ => false,
        }
    }
}

fn retryable_status(status: u16, message: &str) -> bool {
    // new-api's 503 "no channel for this model" is configuration, not load: retrying cannot help.
    matches!(status, 429 | 500 | 502 | 504 | 524)
        || (status == 503 && !message.contains(NO_CHANNEL))
}

/// First non-empty message along new-api's ladder (`GeneralErrorResponse.ToMessage`) plus MiniMax/Metaso.
fn ladder_message(v: &Value) -> Option<String> {
    if let Some(Value::String(s)) = v.get("error") {
        return non_empty(s);
    }
    const PATHS: [&str; 11] = [
        "/error/message",
        "/message",
        "/msg",
        "/err",
        "/error_msg",
        "/header/message",
        "/response/error/message",
        "/base_resp/status_msg",
        "/errMsg",
        "/error/msg",
        "/detail",
    ];
    PATHS
        .iter()
        .find_map(|p| v.pointer(p).and_then(Value::as_str).and_then(non_empty))
}

/// Something to show for an error without any message text.
fn describe_code(v: &Value) -> String {
    const CODES: [&str; 7] = [
        "/error/type",
        "/error/code",
        "/code",
        "/errCode",
        "/error_code",
        "/base_resp/status_code",
        "/header/code",
    ];
    CODES
        .iter()
        .find_map(|p| match v.pointer(p)? {
            Value::String(s) if !s.trim().is_empty() => Some(format!("error {}", s.trim())),
            Value::Number(n) => Some(format!("error code {n}")),
            _ => None,
        })
        .unwrap_or_else(|| snippet(&v.to_string(), MAX_SNIPPET))
}

/// A `code`-like value meaning failure: a non-zero number, or a string other than "0"/"ok"/"success".
fn is_error_code(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => {
            let s = s.trim();
            match s.parse::<i64>() {
                Ok(n) => n != 0,
                Err(_) => {
                    !(s.is_empty()
                        || s.eq_ignore_ascii_case("ok")
                        || s.eq_ignore_ascii_case("success"))
                }
            }
        }
        _ => false,
    }
}

fn looks_like_html(content_type: Option<&str>, text: &str) -> bool {
    if content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("html")) {
        return true;
    }
    let head: String = text
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with('<')
        && (head.contains("<html") || head.contains("<!doctype html") || head.contains("<title"))
}

/// "502 Bad Gateway" -> "Bad Gateway", "api.x.cn | 524: A timeout occurred" -> "A timeout occurred":
/// the sentence already names the status and the host.
fn clean_title(title: &str, status: u16, host: &str) -> String {
    let mut t = title.trim();
    if let Some((first, rest)) = t.split_once(" | ")
        && (first.eq_ignore_ascii_case(host) || (first.contains('.') && !first.contains(' ')))
    {
        t = rest.trim();
    }
    if let Some(rest) = t.strip_prefix(status.to_string().as_str()) {
        let rest = rest.trim_start_matches([':', ' ', '-']);
        if !rest.is_empty() {
            t = rest;
        }
    }
    t.to_string()
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        524 => "A timeout occurred",
        _ => "no details in the response",
    }
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The first `max` chars of `text` on one line.
fn snippet(text: &str, max: usize) -> String {
    truncate_chars(&collapse_whitespace(text), max)
}

/// `s` cut to `max` chars (on a char boundary), with `…` when something was cut. Server text
/// goes through here on its way into an error, so escape sequences are neutralised here too:
/// errors reach stderr, logs and the store, not only the sanitising TUI.
pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    let s = &*crate::sanitize::sanitize(s);
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

/// Trims and caps a server-supplied message for a one-line banner (cut on a char boundary).
pub(crate) fn cap_message(message: &str) -> String {
    truncate_chars(message.trim(), MAX_MESSAGE)
}

/// Appends ` (request id: X)` unless the relay already put the id in the message.
fn with_request_id(message: String, request_id: Option<&str>) -> String {
    match request_id.map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) if !message.to_ascii_lowercase().contains("request id") => {
            format!("{message} (request id: {id})")
        }
        _ => message,
    }
}

#[cfg(test)]
mod tests;
