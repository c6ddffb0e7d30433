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
mod tests {
    use super::*;

    const HOST: &str = "api.ecovai.cn";
    const RID: &str = "20250411233132123456789aBcDeFgH";
    const CTX: ErrorContext<'static> = ErrorContext {
        host: HOST,
        key_source: "ECOVAI_API_KEY",
    };

    fn classify(status: u16, ct: &str, body: &str) -> ApiError {
        classify_response(status, Some(ct), body.as_bytes(), None, &CTX)
    }

    #[test]
    fn m6_html_pages_show_only_the_title() {
        let nginx = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n";
        let e = classify(502, "text/html", nginx);
        assert_eq!(e.to_string(), "502 Bad Gateway from api.ecovai.cn");
        assert!(e.is_retryable());

        let spa = r#"<!doctype html><html lang="zh"><head><meta charset="utf-8"/><title>New API</title></head><body><div id="root"></div></body></html>"#;
        let e = classify(200, "text/html; charset=utf-8", spa);
        assert_eq!(
            e.to_string(),
            "200 New API from api.ecovai.cn (got an HTML page: check the base URL, does it need /v1?)"
        );
        assert!(!e.is_retryable());

        let cf = "<!DOCTYPE html>\n<html><head><title>api.ecovai.cn | 524: A timeout occurred</title></head><body>The origin web server timed out responding to this request. Cloudflare Ray ID: 6e38aaae2b924b8c</body></html>";
        let e = classify(524, "text/html; charset=UTF-8", cf);
        assert_eq!(e.to_string(), "524 A timeout occurred from api.ecovai.cn");
        assert!(e.is_retryable());

        // No content type, no title: still recognised as HTML, never shown raw.
        let e = classify_response(502, None, b"<html><body>oops</body></html>", None, &CTX);
        assert_eq!(e.to_string(), "502 Bad Gateway from api.ecovai.cn");
    }

    const M7_BODIES: [&str; 4] = [
        r#"{"code":-2001,"message":"[请求kimi失败]: 用户未登录或登录已过期","data":null}"#,
        r#"{"code":10013,"message":"输入内容审核不通过，涉嫌违规，请重新调整输入内容","sid":"cht000b41d5@dx18b851e6931b894550"}"#,
        r#"{"base_resp":{"status_code":1004,"status_msg":"login fail"}}"#,
        r#"{"success":false,"message":"get user group failed"}"#,
    ];
    const M7_MESSAGES: [&str; 4] = [
        "[请求kimi失败]: 用户未登录或登录已过期",
        "输入内容审核不通过，涉嫌违规，请重新调整输入内容",
        "login fail",
        "get user group failed",
    ];

    #[test]
    fn m7_200_error_bodies() {
        for (body, message) in M7_BODIES.into_iter().zip(M7_MESSAGES) {
            let e = classify(200, "application/json", body);
            let want = format!("api.ecovai.cn answered with an error: {message}");
            assert_eq!(e.to_string(), want);
            assert!(!e.is_retryable());
        }
        let e = classify(200, "text/plain", "hello there");
        let want = "unexpected response from api.ecovai.cn: hello there";
        assert_eq!(e.to_string(), want);
    }

    const M8_BODIES: [&str; 6] = [
        r#"{"error":{"message":"无效的令牌 (request id: 20250411233132123456789aBcDeFgH)","type":"new_api_error"}}"#,
        r#"{"error":{"message":"user quota is not enough (request id: 20250411233132123456789aBcDeFgH)","type":"new_api_error","param":"","code":"insufficient_user_quota"}}"#,
        r#"{"error":{"message":"当前分组上游负载已饱和，请稍后再试 (request id: 20250411233132123456789aBcDeFgH)","type":"upstream_error","param":"429","code":"bad_response_status_code"}}"#,
        r#"{"error":{"message":"当前分组 default 下对于模型 gpt-5-ultra 无可用渠道 (request id: 20250411233132123456789aBcDeFgH)","type":"new_api_error"}}"#,
        r#"{"error":{"message":"请求上游地址失败 (request id: 20250411233132123456789aBcDeFgH)","type":"new_api_error","param":"","code":"do_request_failed"}}"#,
        r#"{"error":{"message":"Invalid URL (POST /v1/chat/completion)","type":"invalid_request_error","param":"","code":""}}"#,
    ];
    const M8_SENTENCES: [&str; 6] = [
        "401 from api.ecovai.cn: 无效的令牌 (request id: 20250411233132123456789aBcDeFgH) (check the API key in ECOVAI_API_KEY)",
        "403 from api.ecovai.cn: user quota is not enough (request id: 20250411233132123456789aBcDeFgH) (check the API key in ECOVAI_API_KEY)",
        "429 from api.ecovai.cn: 当前分组上游负载已饱和，请稍后再试 (request id: 20250411233132123456789aBcDeFgH)",
        "503 from api.ecovai.cn: 当前分组 default 下对于模型 gpt-5-ultra 无可用渠道 (request id: 20250411233132123456789aBcDeFgH)",
        "500 from api.ecovai.cn: 请求上游地址失败 (request id: 20250411233132123456789aBcDeFgH)",
        "404 from api.ecovai.cn: Invalid URL (POST /v1/chat/completion) (request id: 20250411233132123456789aBcDeFgH) (check the base URL and model id)",
    ];
    const M8_STATUS_RETRY: [(u16, bool); 6] = [
        (401, false),
        (403, false),
        (429, true),
        (503, false),
        (500, true),
        (404, false),
    ];

    #[test]
    fn m8_new_api_status_errors() {
        let cases = M8_STATUS_RETRY.into_iter().zip(M8_BODIES).zip(M8_SENTENCES);
        for (((status, retry), body), sentence) in cases {
            // Where the relay already put the id in the message, the header must not add it twice.
            let e = classify_response(status, None, body.as_bytes(), Some(RID), &CTX);
            assert_eq!(e.to_string(), sentence);
            assert_eq!(e.is_retryable(), retry, "{status}");
        }
    }

    #[test]
    fn request_id_suffix_and_other_ladder_shapes() {
        let body = br#"{"error":"model is required"}"#;
        let e = classify_response(400, None, body, Some(RID), &CTX);
        let want = format!("400 from api.ecovai.cn: model is required (request id: {RID})");
        assert_eq!(e.to_string(), want);
        let body = br#"{"message":"server overloaded"}"#;
        let e = classify_response(503, None, body, Some(" "), &CTX);
        assert_eq!(e.to_string(), "503 from api.ecovai.cn: server overloaded");
        assert!(e.is_retryable());
        let body = r#"{"header":{"code":10005,"message":"invalid param"}}"#;
        let e = classify(400, "application/json", body);
        assert_eq!(e.to_string(), "400 from api.ecovai.cn: invalid param");
        let e = classify(502, "text/plain", "");
        assert_eq!(e.to_string(), "502 from api.ecovai.cn: Bad Gateway");
    }

    #[test]
    fn long_messages_are_capped_on_a_char_boundary() {
        let long = "错".repeat(1000);
        let e = classify(500, "text/plain", &long);
        let message = e.to_string().replace("500 from api.ecovai.cn: ", "");
        assert_eq!(message.chars().count(), MAX_SNIPPET + 1);
        let body = format!(r#"{{"error":{{"message":"{long}"}}}}"#);
        let e = classify_response(500, None, body.as_bytes(), Some(RID), &CTX);
        let message = e.to_string();
        assert!(message.starts_with(&format!(
            "500 from api.ecovai.cn: {}…",
            "错".repeat(MAX_MESSAGE)
        )));
        assert!(message.ends_with(&format!("… (request id: {RID})")));
    }

    #[test]
    fn error_message_only_for_error_shapes() {
        let msg = |s: &str| error_message(&serde_json::from_str(s).unwrap());
        let shaped = [
            (r#"{"error":{"message":"x","code":null}}"#, "x"),
            (r#"{"errCode":"1000","errMsg":"e"}"#, "e"),
            (
                r#"{"error_code":110,"error_msg":"token invalid"}"#,
                "token invalid",
            ),
            (r#"{"code":1004}"#, "error code 1004"),
        ];
        for (body, want) in shaped {
            assert_eq!(msg(body).as_deref(), Some(want), "{body}");
        }
        let not_errors = [
            r#"{"code":0,"message":"Success","choices":[]}"#,
            r#"{"code":7,"choices":[]}"#,
            r#"{"error":null,"choices":[]}"#,
            r#"{"base_resp":{"status_code":0,"status_msg":"success"},"choices":[]}"#,
            r#"{"success":true,"data":[]}"#,
            r#"{"code":"success","message":"","data":"t1"}"#,
            r#""error""#,
        ];
        for body in not_errors {
            assert_eq!(msg(body), None, "{body}");
        }
    }

    #[test]
    fn html_title_extraction() {
        let title = |s: &str| html_title(s).unwrap_or_default();
        assert_eq!(title("<HTML><TITLE>\n  A &amp; B\n</TITLE>"), "A & B");
        assert_eq!(title("<title lang=\"zh\">错误页</title>"), "错误页");
        for no_title in ["<title></title>", "<title>unterminated", "no html"] {
            assert_eq!(html_title(no_title), None);
        }
    }

    #[test]
    fn retryability_table() {
        let status = |status, message: &str| ApiError::Status {
            status,
            host: HOST.into(),
            message: message.into(),
            hint: None,
        };
        for s in [429, 500, 502, 503, 504, 524] {
            assert!(status(s, "busy").is_retryable(), "{s}");
        }
        for s in [400, 402, 404, 413, 501] {
            assert!(!status(s, "nope").is_retryable(), "{s}");
        }
        assert!(!status(503, "当前分组 default 下对于模型 x 无可用渠道").is_retryable());
        let h = || HOST.to_string();
        let timeout = |phase| ApiError::Timeout {
            host: h(),
            secs: 15,
            phase,
        };
        assert!(timeout("connect").is_retryable());
        assert!(!timeout("reading the reply").is_retryable());
        let detail = "reset".to_string();
        assert!(
            ApiError::Connect {
                host: h(),
                detail: detail.clone()
            }
            .is_retryable()
        );
        let key_source = "k".to_string();
        let (status, message) = (401, "m".to_string());
        let never = [
            ApiError::Auth {
                status,
                host: h(),
                message: message.clone(),
                key_source,
            },
            ApiError::Body {
                host: h(),
                message: message.clone(),
            },
            ApiError::InStream { message },
            ApiError::Interrupted { host: h(), detail },
            ApiError::Empty { host: h() },
        ];
        for e in never {
            assert!(!e.is_retryable(), "{e:?}");
        }
        assert!(!ApiError::EventTooLarge { limit: 1 }.is_retryable());
    }
}
