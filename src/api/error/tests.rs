//! Error classification against the bodies of api-notes §3.

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
