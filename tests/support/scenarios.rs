//! One constructor per payload of api-notes §7 (M1–M10 and variants), plus synthetic streams.
//!
//! The verbatim payloads live in `tests/fixtures/`. Mechanical variants (CRLF, no-space) are
//! derived here so they cannot drift from M1. M4's 2–5 s progress pauses are left out: add
//! `.slow(d)` where a test wants them. M6-cf524 is sent at once: add `.delay_head(d)` for the 100 s.

use std::time::Duration;

use serde_json::json;

use super::reply::Reply;

const M1: &[u8] = include_bytes!("../fixtures/m1.sse");
const M2: &[u8] = include_bytes!("../fixtures/m2.sse");
const M2_BOTH: &[u8] = include_bytes!("../fixtures/m2_both.sse");
const M2_THINK: &[u8] = include_bytes!("../fixtures/m2_think.sse");
const M3: &[u8] = include_bytes!("../fixtures/m3.json");
const M3_MULTI: &[u8] = include_bytes!("../fixtures/m3_multi.json");
const M4: &[u8] = include_bytes!("../fixtures/m4.sse");
const M4_VIDEO: &[u8] = include_bytes!("../fixtures/m4_video.sse");
const M4_FAIL: &[u8] = include_bytes!("../fixtures/m4_fail.sse");
const M5: &[u8] = include_bytes!("../fixtures/m5.sse");
const M5_GLM: &[u8] = include_bytes!("../fixtures/m5_glm.sse");
const M5_ABRUPT: &[u8] = include_bytes!("../fixtures/m5_abrupt.sse");
const M5_SENSITIVE: &[u8] = include_bytes!("../fixtures/m5_sensitive.sse");
const M6_502: &[u8] = include_bytes!("../fixtures/m6_502.html");
const M6_SPA: &[u8] = include_bytes!("../fixtures/m6_spa.html");
const M6_CF524: &[u8] = include_bytes!("../fixtures/m6_cf524.html");
const M7A: &[u8] = include_bytes!("../fixtures/m7a.json");
const M7B: &[u8] = include_bytes!("../fixtures/m7b.json");
const M7C: &[u8] = include_bytes!("../fixtures/m7c.json");
const M7D: &[u8] = include_bytes!("../fixtures/m7d.json");
const M7E: &[u8] = include_bytes!("../fixtures/m7e.sse");
const M8_401: &[u8] = include_bytes!("../fixtures/m8_401.json");
const M8_403: &[u8] = include_bytes!("../fixtures/m8_403.json");
const M8_429: &[u8] = include_bytes!("../fixtures/m8_429.json");
const M8_503: &[u8] = include_bytes!("../fixtures/m8_503.json");
const M8_500: &[u8] = include_bytes!("../fixtures/m8_500.json");
const M8_404: &[u8] = include_bytes!("../fixtures/m8_404.json");
const M9_KIMI: &[u8] = include_bytes!("../fixtures/m9_kimi.sse");
const M9_SPARK: &[u8] = include_bytes!("../fixtures/m9_spark.sse");
const M9_XUNFEI: &[u8] = include_bytes!("../fixtures/m9_xunfei.sse");
const M9_KIMI_SEARCH: &[u8] = include_bytes!("../fixtures/m9_kimi_search.sse");
const METASO_CITATIONS: &[u8] = include_bytes!("../fixtures/metaso_citations.sse");
const METASO_NONSTREAM: &[u8] = include_bytes!("../fixtures/metaso_nonstream.json");
const MODELS: &[u8] = include_bytes!("../fixtures/models.json");
const IMAGES: &str = include_str!("../fixtures/images.json");
/// A 64x48 cat face, 4-colour palette PNG.
pub const CAT_PNG: &[u8] = include_bytes!("../fixtures/cat.png");

/// M1: normal gpt-4o stream through new-api with a `: PING`, usage chunk and `[DONE]`.
pub fn m1() -> Reply {
    Reply::sse(M1)
}

/// M1 with every `\n` replaced by `\r\n`.
pub fn m1_crlf() -> Reply {
    Reply::sse(&replace(M1, b"\n", b"\r\n"))
}

/// M1 with `data:` (no space) and single `\n` between events (Spark/Metaso style).
pub fn m1_nospace() -> Reply {
    let tight = replace(&replace(M1, b"data: ", b"data:"), b"\n\n", b"\n");
    Reply::sse(&tight)
}

/// M2: deepseek-reasoner, `reasoning_content` then `content`, keep-alive comments.
pub fn m2() -> Reply {
    Reply::sse(M2)
}

/// M2 with `reasoning_content` and `reasoning` both carrying the same text (older new-api).
pub fn m2_both() -> Reply {
    Reply::sse(M2_BOTH)
}

/// M2 as new-api's "thinking to content": a `<think>` block inside `content`.
pub fn m2_think() -> Reply {
    Reply::sse(M2_THINK)
}

/// M3: gpt-4o-all non-stream JSON with a download link (verbatim ecovai doc content).
pub fn m3() -> Reply {
    Reply::json(200, M3)
}

/// M3-multi: two images on one line and tab-separated download links.
pub fn m3_multi() -> Reply {
    Reply::json(200, M3_MULTI)
}

/// M4: gpt-4o-image progress lines, then the image and download links.
pub fn m4() -> Reply {
    Reply::sse(M4)
}

/// M4-video: Sora-via-chat with a poster and a long percent-encoded mp4 link.
pub fn m4_video() -> Reply {
    Reply::sse(M4_VIDEO)
}

/// M4-fail: the prompt blob followed by a plain-text rate-limit failure, `stop`.
pub fn m4_fail() -> Reply {
    Reply::sse(M4_FAIL)
}

/// M5: content, an `error` event, the usage chunk, `[DONE]`.
pub fn m5() -> Reply {
    Reply::sse(M5)
}

/// M5-glm: content, then GLM's `{"error":{"code":"1301",...}}`, then EOF with no `[DONE]`.
pub fn m5_glm() -> Reply {
    Reply::sse(M5_GLM)
}

/// M5-abrupt: two content chunks, then the socket is dropped mid-body.
pub fn m5_abrupt() -> Reply {
    Reply::sse(M5_ABRUPT).close()
}

/// M5-sensitive: `finish_reason:"sensitive"` with partial content and usage, then `[DONE]`.
pub fn m5_sensitive() -> Reply {
    Reply::sse(M5_SENSITIVE)
}

/// M6: nginx `502 Bad Gateway` HTML page.
pub fn m6_html502() -> Reply {
    Reply::new(502)
        .header("Server", "nginx")
        .header("Content-Type", "text/html")
        .write(M6_502)
}

/// M6-spa: new-api's web UI index page with 200 (what a base URL without `/v1` gets).
pub fn m6_spa() -> Reply {
    Reply::html(200, "text/html; charset=utf-8", M6_SPA)
}

/// M6-cf524: Cloudflare's "A timeout occurred" page, status 524.
pub fn m6_cf524() -> Reply {
    Reply::html(524, "text/html; charset=UTF-8", M6_CF524)
        .header("Server", "cloudflare")
        .header("CF-RAY", "6e38aaae2b924b8c-SJC")
}

/// M7a: free-api failure `{"code":-2001,...}` with HTTP 200.
pub fn m7a() -> Reply {
    Reply::json(200, M7A)
}

/// M7b: Spark flat error `{"code":10013,...}` with HTTP 200.
pub fn m7b() -> Reply {
    Reply::json(200, M7B)
}

/// M7c: MiniMax `base_resp` error with HTTP 200.
pub fn m7c() -> Reply {
    Reply::json(200, M7C)
}

/// M7d: `/v1/models` answering `{"success":false,...}` with HTTP 200.
pub fn m7d() -> Reply {
    Reply::json(200, M7D)
}

/// M7e: an empty stream: only a synthesized usage chunk and `[DONE]`.
pub fn m7e() -> Reply {
    Reply::sse(M7E)
}

/// M8: 401 `无效的令牌` from new-api's auth middleware (no `code` key).
pub fn m8_401() -> Reply {
    Reply::json(401, M8_401)
}

/// M8: 403 `insufficient_user_quota`.
pub fn m8_403() -> Reply {
    Reply::json(403, M8_403)
}

/// M8: 429 with new-api's replaced "upstream saturated" message.
pub fn m8_429() -> Reply {
    Reply::json(429, M8_429)
}

/// Same as `m8_429`, the name used for "429 then success" queues.
pub fn http_429() -> Reply {
    m8_429()
}

/// M8: 503 "no channel available for model" (not transient).
pub fn m8_503() -> Reply {
    Reply::json(503, M8_503)
}

/// M8: 500 `请求上游地址失败`.
pub fn m8_500() -> Reply {
    Reply::json(500, M8_500)
}

/// M8: 404 `Invalid URL (POST /v1/chat/completion)`.
pub fn m8_404() -> Reply {
    Reply::json(404, M8_404)
}

/// M9: Kimi with `usage` inside `choices[0]` on the finish chunk.
pub fn m9_kimi() -> Reply {
    Reply::sse(M9_KIMI)
}

/// M9: Spark HTTP: `data:` without space, `code`/`sid`, usage on the last content chunk, no finish.
pub fn m9_spark() -> Reply {
    Reply::sse(M9_SPARK)
}

/// M9-spark cut off: the same chunks, but the body ends cleanly before `[DONE]`.
pub fn m9_spark_without_done() -> Reply {
    Reply::sse(&without_done(M9_SPARK))
}

/// M9-spark whose last line is `data:[DONE]` with no newline after it.
pub fn m9_spark_done_unterminated() -> Reply {
    let mut body = without_done(M9_SPARK);
    body.extend_from_slice(b"data:[DONE]");
    Reply::sse(&body)
}

/// `payload` up to its `[DONE]` line.
fn without_done(payload: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(payload).expect("fixture is UTF-8");
    let at = text.find("data:[DONE]").expect("fixture ends with [DONE]");
    text.as_bytes()[..at].to_vec()
}

/// M9: new-api's xunfei conversion: `"id":""`, no role, `"model":"SparkDesk"`.
pub fn m9_xunfei() -> Reply {
    Reply::sse(M9_XUNFEI)
}

/// M9: kimi-free-api with search hits as content lines and the fake `{1,1,2}` usage.
pub fn m9_kimi_search() -> Reply {
    Reply::sse(M9_KIMI_SEARCH)
}

/// Official Metaso: `data:` without space, single `\n`, `citations`/`highlights` deltas, no `[DONE]`.
pub fn metaso_citations() -> Reply {
    Reply::sse(METASO_CITATIONS)
}

/// Metaso via free-api (`concise`), non-stream JSON with `{1,1,2}` usage.
pub fn metaso_nonstream() -> Reply {
    Reply::json(200, METASO_NONSTREAM)
}

/// M10: new-api's `/v1/models` list (`success:true`, no `object:"list"`).
pub fn models() -> Reply {
    Reply::json(200, MODELS)
}

/// M10: `/v1/images/generations` answer whose URL points at `origin` + `/img/cat.png`.
pub fn images(origin: &str) -> Reply {
    Reply::json(
        200,
        IMAGES.replace("http://127.0.0.1:PORT", origin).as_bytes(),
    )
}

/// The cat picture the images answer links to.
pub fn cat_png() -> Reply {
    Reply::new(200)
        .header("Content-Type", "image/png")
        .write(CAT_PNG)
}

/// new-api's 404 for an unknown path under `/v1` or `/api`.
pub fn invalid_url(method: &str, path: &str) -> Reply {
    let body = json!({"error": {
        "message": format!("Invalid URL ({method} {path})"),
        "type": "invalid_request_error", "param": "", "code": ""
    }});
    Reply::json(404, body.to_string().as_bytes())
}

/// The text of piece `i` of the synthetic streams.
pub fn piece(i: usize) -> String {
    format!("第{i}段，")
}

/// The full content of `slow_stream(n, _)` / `big_reply(n)`.
pub fn pieces_text(n: usize) -> String {
    (0..n).map(piece).collect()
}

/// Usage reported by the synthetic streams.
pub const SYNTHETIC_USAGE: (u64, u64, u64) = (5, 42, 47);

/// `n` content chunks `piece(0..n)` with `delay` between events, then `stop`, usage, `[DONE]`.
pub fn slow_stream(n_chunks: usize, delay: Duration) -> Reply {
    synthetic(n_chunks).slow(delay)
}

/// Paragraph `i` of `slow_lines`: its number, then `width` characters, then a blank line.
pub fn long_line(i: usize, width: usize) -> String {
    format!("第{i}行：{}\n\n", "长".repeat(width))
}

/// `n` content chunks, each `long_line(i, width)`, with `delay` between events, then the end.
pub fn slow_lines(n: usize, width: usize, delay: Duration) -> Reply {
    let mut payload = chunk_event(json!({"role": "assistant", "content": ""}), None);
    for i in 0..n {
        payload.extend(chunk_event(json!({"content": long_line(i, width)}), None));
    }
    payload.extend(chunk_event(json!({}), Some("stop")));
    payload.extend(b"data: [DONE]\n\n");
    Reply::sse(&payload).slow(delay)
}

/// A role chunk and one content chunk (`你好`), then silence with the socket open.
pub fn idle_after_first_chunk() -> Reply {
    let mut events = chunk_event(json!({"role": "assistant", "content": ""}), None);
    events.extend(chunk_event(json!({"content": "你好"}), None));
    Reply::sse(&events).hang()
}

/// Reads the request and never sends a byte, keeping the socket open.
pub fn never_answers() -> Reply {
    m1().hang_before_head()
}

/// A reply of one content chunk holding `text`, then `stop` and `[DONE]`.
pub fn says(text: &str) -> Reply {
    let mut payload = chunk_event(json!({"role": "assistant", "content": text}), None);
    payload.extend(chunk_event(json!({}), Some("stop")));
    payload.extend(b"data: [DONE]\n\n");
    Reply::sse(&payload)
}

/// Many chunks with no delay, for throughput tests; content is `pieces_text(n_chunks)`.
pub fn big_reply(n_chunks: usize) -> Reply {
    synthetic(n_chunks)
}

fn synthetic(n: usize) -> Reply {
    let mut payload = chunk_event(json!({"role": "assistant", "content": ""}), None);
    for i in 0..n {
        payload.extend(chunk_event(json!({"content": piece(i)}), None));
    }
    payload.extend(chunk_event(json!({}), Some("stop")));
    let (p, c, t) = SYNTHETIC_USAGE;
    let usage = json!({
        "id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1743318000,
        "model": "mock-model", "choices": [],
        "usage": {"prompt_tokens": p, "completion_tokens": c, "total_tokens": t}
    });
    payload.extend(format!("data: {usage}\n\n").into_bytes());
    payload.extend_from_slice(b"data: [DONE]\n\n");
    Reply::sse(&payload)
}

/// One new-api framed chunk event with this delta.
fn chunk_event(delta: serde_json::Value, finish: Option<&str>) -> Vec<u8> {
    let event = json!({
        "id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1743318000,
        "model": "mock-model",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
        "usage": null
    });
    format!("data: {event}\n\n").into_bytes()
}

fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}
