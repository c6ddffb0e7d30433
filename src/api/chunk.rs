//! Lenient decoding of chat completion chunks and bodies into `StreamEvent`s.

use serde_json::Value;

use super::error::{cap_message, error_message, truncate_chars};
use super::{ApiError, Citation, StreamEvent, Usage};
use think::ThinkSplitter;

mod fast;
mod think;

/// Decodes the data payloads of one streamed reply; keeps state across chunks (`<think>` tags).
#[derive(Debug, Default)]
pub struct ChunkDecoder {
    think: ThinkSplitter,
}

impl ChunkDecoder {
    /// A decoder for a new reply.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes one SSE data payload; malformed JSON is logged and yields nothing.
    pub fn decode(&mut self, payload: &str) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if !fast::decode(payload, &mut self.think, &mut out) {
            self.decode_general(payload, &mut out);
        }
        out
    }

    /// Any payload, through a `serde_json::Value`: every shape and quirk the fast path leaves.
    fn decode_general(&mut self, payload: &str, out: &mut Vec<StreamEvent>) {
        match serde_json::from_str::<Value>(payload) {
            Ok(v) => self.decode_value(&v, false, out),
            Err(e) => {
                tracing::warn!(error = %e, payload = %preview(payload), "ignoring malformed stream chunk")
            }
        }
    }

    /// Ends the reply: releases text held back while waiting for a possible `<think>` tag.
    pub fn finish(&mut self) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        self.think.flush(&mut out);
        self.think = ThinkSplitter::default();
        out
    }

    /// `whole` marks a complete (non-streamed) reply: held text is released before usage.
    fn decode_value(&mut self, v: &Value, whole: bool, out: &mut Vec<StreamEvent>) {
        if !v.is_object() {
            tracing::warn!(payload = %preview(&v.to_string()), "ignoring a chunk that is not a JSON object");
            return;
        }
        if let Some(message) = error_message(v) {
            self.think.flush(out);
            out.push(StreamEvent::Error(ApiError::InStream {
                message: cap_message(&message),
            }));
            return;
        }
        let mut usage = None;
        for choice in v
            .get("choices")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.decode_choice(choice, out);
            usage = choice.get("usage").and_then(parse_usage).or(usage);
        }
        if whole {
            self.think.flush(out);
        }
        // Top-level usage wins over a per-choice one (Kimi) when a chunk has both.
        if let Some(u) = v.get("usage").and_then(parse_usage).or(usage) {
            out.push(StreamEvent::Usage(u));
        }
    }

    fn decode_choice(&mut self, choice: &Value, out: &mut Vec<StreamEvent>) {
        let delta = choice
            .get("delta")
            .filter(|d| d.is_object())
            .or_else(|| choice.get("message"));
        if let Some(delta) = delta {
            // Older new-api copies reasoning into both fields; show it once.
            let reasoning = ["reasoning_content", "reasoning"].iter().find_map(|k| {
                delta
                    .get(*k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
            });
            if let Some(r) = reasoning {
                out.push(StreamEvent::Reasoning(r.to_string()));
            }
            if let Some(text) = delta.get("content").and_then(content_text) {
                self.think.push(&text, out);
            }
            let citations = parse_citations(delta.get("citations"));
            if !citations.is_empty() {
                out.push(StreamEvent::Citations(citations));
            }
        } else if let Some(text) = choice
            .get("text")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            self.think.push(text, out);
        }
        let finish = choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(str::trim);
        if let Some(reason) = finish.filter(|r| !r.is_empty() && *r != "null") {
            self.think.flush(out);
            out.push(StreamEvent::Finish(reason.to_string()));
        }
    }
}

/// Decodes a non-streamed completion body (also a plain JSON answer to a stream request).
pub fn decode_completion(body: &str, host: &str) -> Result<Vec<StreamEvent>, ApiError> {
    let text = body.trim();
    let v: Value = serde_json::from_str(text).map_err(|e| ApiError::Decode {
        host: host.to_string(),
        detail: if text.is_empty() {
            "empty body".into()
        } else {
            format!("not JSON ({e}): {}", preview(text))
        },
    })?;
    if let Some(message) = error_message(&v) {
        return Err(ApiError::Body {
            host: host.to_string(),
            message: cap_message(&message),
        });
    }
    if !v.get("choices").is_some_and(Value::is_array) {
        let detail = format!("no `choices` in the reply: {}", preview(text));
        return Err(ApiError::Decode {
            host: host.to_string(),
            detail,
        });
    }
    let mut decoder = ChunkDecoder::new();
    let mut out = Vec::new();
    decoder.decode_value(&v, true, &mut out);
    out.extend(decoder.finish());
    Ok(out)
}

/// `content` as text: a string, or an array of parts (`{text}`, `{image}`, `{image_url:{url}}`).
fn content_text(content: &Value) -> Option<String> {
    let mut text = String::new();
    match content {
        Value::String(s) => text.push_str(s),
        Value::Array(parts) => parts.iter().for_each(|p| push_part(p, &mut text)),
        Value::Object(_) => push_part(content, &mut text),
        _ => {}
    }
    (!text.is_empty()).then_some(text)
}

fn push_part(part: &Value, text: &mut String) {
    if let Some(s) = part.as_str() {
        text.push_str(s);
    } else if let Some(s) = part.get("text").and_then(Value::as_str) {
        text.push_str(s);
    } else if let Some(url) = part
        .get("image")
        .or_else(|| part.get("image_url"))
        .and_then(|i| i.as_str().or_else(|| i.get("url").and_then(Value::as_str)))
        .filter(|u| !u.is_empty())
    {
        // Image parts become Markdown so the media layer finds them like any other link.
        text.push_str(&format!("![image]({url})"));
    }
}

/// Metaso `citations`: objects with `title` and `link` or `url`, or bare URL strings.
fn parse_citations(v: Option<&Value>) -> Vec<Citation> {
    let Some(items) = v.and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let url = item
                .as_str()
                .or_else(|| {
                    ["link", "url"]
                        .iter()
                        .find_map(|k| item.get(*k).and_then(Value::as_str))
                })?
                .trim();
            if url.is_empty() {
                return None;
            }
            let title = item
                .get("title")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty());
            Some(Citation {
                title: title.unwrap_or(url).to_string(),
                url: url.to_string(),
            })
        })
        .collect()
}

/// Token counts from a `usage` object; `None` for null or an object without any count.
fn parse_usage(v: &Value) -> Option<Usage> {
    let count = |keys: &[&str]| keys.iter().find_map(|k| v.get(*k).and_then(as_count));
    let prompt = count(&["prompt_tokens", "input_tokens"]);
    let completion = count(&["completion_tokens", "output_tokens"]);
    let total = count(&["total_tokens"]);
    if prompt.is_none() && completion.is_none() && total.is_none() {
        return None;
    }
    let (prompt, completion) = (prompt.unwrap_or(0), completion.unwrap_or(0));
    Some(Usage {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: total.unwrap_or(prompt.saturating_add(completion)),
        reasoning_tokens: v
            .pointer("/completion_tokens_details/reasoning_tokens")
            .and_then(as_count),
        cached_tokens: v
            .pointer("/prompt_tokens_details/cached_tokens")
            .or_else(|| v.get("prompt_cache_hit_tokens"))
            .and_then(as_count),
    })
}

/// A token count written as an integer, a float, or a numeric string.
fn as_count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The start of a payload for a log line or an error detail.
fn preview(text: &str) -> String {
    truncate_chars(text, 200)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::sse::{SseDecoder, SseEvent, fixtures};
    use StreamEvent::{Content, Finish, Reasoning};

    /// Runs a whole SSE stream through both decoders.
    fn run(stream: &str) -> Vec<StreamEvent> {
        let mut sse = SseDecoder::new();
        let mut events = sse.push(stream.as_bytes()).unwrap();
        events.extend(sse.finish());
        let mut d = ChunkDecoder::new();
        let mut out = Vec::new();
        for e in events {
            if let SseEvent::Data(p) = e {
                out.extend(d.decode(&p));
            }
        }
        out.extend(d.finish());
        out
    }

    fn run_payloads(payloads: &[&str]) -> Vec<StreamEvent> {
        let mut d = ChunkDecoder::new();
        let mut out: Vec<_> = payloads.iter().flat_map(|p| d.decode(p)).collect();
        out.extend(d.finish());
        out
    }

    /// Merges consecutive text events, so tests do not depend on how text was cut into deltas.
    fn collapse(events: Vec<StreamEvent>) -> Vec<StreamEvent> {
        let mut out: Vec<StreamEvent> = Vec::new();
        for e in events {
            match (out.last_mut(), e) {
                (Some(Content(a)), Content(b)) | (Some(Reasoning(a)), Reasoning(b)) => {
                    a.push_str(&b)
                }
                (_, e) => out.push(e),
            }
        }
        out
    }

    fn content_delta(text: &str) -> String {
        serde_json::json!({"choices":[{"index":0,"delta":{"content":text},"finish_reason":null}]})
            .to_string()
    }

    fn usage(p: u64, c: u64, t: u64, r: Option<u64>) -> StreamEvent {
        StreamEvent::Usage(Usage {
            cached_tokens: None,
            prompt_tokens: p,
            completion_tokens: c,
            total_tokens: t,
            reasoning_tokens: r,
        })
    }

    /// `usage` with `prompt_tokens_details.cached_tokens` reported.
    fn cached(ev: StreamEvent, n: u64) -> StreamEvent {
        match ev {
            StreamEvent::Usage(u) => StreamEvent::Usage(Usage {
                cached_tokens: Some(n),
                ..u
            }),
            other => other,
        }
    }

    fn in_stream(message: &str) -> StreamEvent {
        StreamEvent::Error(ApiError::InStream {
            message: message.into(),
        })
    }

    #[test]
    fn m1_normal_stream() {
        let want = vec![
            Content("你好！有什么可以帮你？".into()),
            Finish("stop".into()),
            cached(usage(9, 12, 21, Some(0)), 0),
        ];
        assert_eq!(collapse(run(fixtures::M1)), want);
    }

    #[test]
    fn m2_reasoning_stream_and_m2_both() {
        let want = vec![
            Reasoning("用户问9.11和9.8哪个大，比较小数部分0.11<0.8。".into()),
            Content("9.8 更大。".into()),
            Finish("stop".into()),
            cached(usage(18, 40, 58, Some(33)), 0),
        ];
        assert_eq!(collapse(run(fixtures::M2)), want);
        let both = fixtures::M2.replace(
            r#""reasoning_content":"用户问9.11和9.8哪个大，""#,
            r#""reasoning_content":"用户问9.11和9.8哪个大，","reasoning":"用户问9.11和9.8哪个大，""#,
        );
        assert!(both.contains(r#""reasoning":"#));
        assert_eq!(collapse(run(&both)), want);
        let only_reasoning = fixtures::M2.replace("reasoning_content", "reasoning");
        assert_eq!(collapse(run(&only_reasoning)), want);
    }

    #[test]
    fn m2_think_with_tags_split_across_deltas() {
        let deltas = [
            "<thi",
            "nk>\n用户问9.11和9.8哪个大，",
            "比较小数部分0.11<0.8。",
            "\n</thi",
            "nk>\n",
            "9.8 更大。",
        ];
        let mut payloads: Vec<String> = deltas.iter().map(|d| content_delta(d)).collect();
        payloads.push(r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#.into());
        let refs: Vec<&str> = payloads.iter().map(String::as_str).collect();
        let want = vec![
            Reasoning("用户问9.11和9.8哪个大，比较小数部分0.11<0.8。\n".into()),
            Content("9.8 更大。".into()),
            Finish("stop".into()),
        ];
        assert_eq!(collapse(run_payloads(&refs)), want);
    }

    #[test]
    fn m4_progress_then_link() {
        let events = collapse(run(fixtures::M4));
        assert_eq!(events.len(), 2);
        let Content(text) = &events[0] else {
            panic!("{events:?}")
        };
        assert!(text.starts_with("{\n  \"prompt\": \"A Tibetan Mastiff"));
        assert!(text.contains("> 进度 **2%**\n\n\n> 进度 **34%**"));
        assert!(text.ends_with("[下载⏬](https://filesystem.site/cdn/download/20250330/JfAL6qr7iuQsq0UwLSfK8W2XvP1rgv.png)\n\n"));
        assert_eq!(events[1], Finish("stop".into()));
    }

    #[test]
    fn m5_mid_stream_error_and_variants() {
        let msg = "The server had an error while processing your request. Sorry about that!";
        let want = vec![
            Content("我先解释".into()),
            in_stream(msg),
            cached(usage(12, 4, 16, Some(0)), 0),
        ];
        assert_eq!(collapse(run(fixtures::M5)), want);
        let glm = r#"{"error":{"code":"1301","message":"系统检测到输入或生成内容可能包含不安全或敏感内容"}}"#;
        assert_eq!(
            run_payloads(&[glm]),
            vec![in_stream(
                "系统检测到输入或生成内容可能包含不安全或敏感内容"
            )]
        );
        let sensitive = r#"{"choices":[{"index":0,"delta":{"content":"I cannot"},"finish_reason":"sensitive"}],"usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}"#;
        let want = vec![
            Content("I cannot".into()),
            Finish("sensitive".into()),
            usage(10, 2, 12, None),
        ];
        assert_eq!(run_payloads(&[sensitive]), want);
    }

    #[test]
    fn other_in_stream_error_shapes() {
        let cases = [
            (r#"{"error":"boom"}"#, "boom"),
            (
                r#"{"object":"error","message":"vllm says no","code":400}"#,
                "vllm says no",
            ),
            (
                r#"{"code":10013,"message":"输入内容审核不通过","sid":"cht0"}"#,
                "输入内容审核不通过",
            ),
            (
                r#"{"code":"10012","msg":"EngineInternalError","Sid":"cht0"}"#,
                "EngineInternalError",
            ),
            (
                r#"{"base_resp":{"status_code":1004,"status_msg":"login fail"}}"#,
                "login fail",
            ),
            (
                r#"{"success":false,"message":"get user group failed"}"#,
                "get user group failed",
            ),
            (r#"{"errCode":1000,"errMsg":"bad key"}"#, "bad key"),
            (r#"{"error":{"type":"server_error"}}"#, "error server_error"),
        ];
        for (payload, message) in cases {
            assert_eq!(
                run_payloads(&[payload]),
                vec![in_stream(message)],
                "{payload}"
            );
        }
    }

    #[test]
    fn kimi_usage_inside_the_choice() {
        let want = vec![
            Content("。".into()),
            Finish("stop".into()),
            usage(39, 211, 250, None),
        ];
        assert_eq!(collapse(run(fixtures::KIMI)), want);
    }

    #[test]
    fn spark_no_space_code_zero_usage_without_finish() {
        assert_eq!(
            collapse(run(fixtures::SPARK)),
            vec![Content("你好！".into()), usage(1, 3, 4, None)]
        );
    }

    #[test]
    fn metaso_citations() {
        let stream = "data:{\"choices\":[{\"delta\":{\"citations\":[{\"title\":\"上海天气\",\"link\":\"https://sh.weather.com.cn/\",\"date\":\"2026-05-30\"},{\"url\":\"https://b.cn/\"}]},\"index\":0}]}\n\
            data:{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"明天上海晴到多云，\"},\"index\":0}]}\n\
            data:{\"choices\":[{\"delta\":{\"content\":\"20℃到31℃。[[1]]\"},\"index\":0}]}\n\
            data:{\"choices\":[{\"delta\":{\"highlights\":[\"<mark>明天</mark>\"]},\"index\":0}]}\n\
            data:{\"choices\":[{\"finish_reason\":\"stop\",\"delta\":{},\"index\":0}]}\n";
        let cites = vec![
            Citation {
                title: "上海天气".into(),
                url: "https://sh.weather.com.cn/".into(),
            },
            Citation {
                title: "https://b.cn/".into(),
                url: "https://b.cn/".into(),
            },
        ];
        let want = vec![
            StreamEvent::Citations(cites),
            Content("明天上海晴到多云，20℃到31℃。[[1]]".into()),
            Finish("stop".into()),
        ];
        assert_eq!(collapse(run(stream)), want);
    }

    #[test]
    fn cached_prompt_tokens_are_read_from_either_field() {
        let openai = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":5,\"total_tokens\":105,\"prompt_tokens_details\":{\"cached_tokens\":64}}}\n\ndata: [DONE]\n\n";
        assert_eq!(run(openai), vec![cached(usage(100, 5, 105, None), 64)]);
        // DeepSeek's own field, when a relay passes only that.
        let deepseek = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":5,\"total_tokens\":105,\"prompt_cache_hit_tokens\":80,\"prompt_cache_miss_tokens\":20}}\n\ndata: [DONE]\n\n";
        assert_eq!(run(deepseek), vec![cached(usage(100, 5, 105, None), 80)]);
    }

    #[test]
    fn m7e_empty_stream_gives_only_usage() {
        let stream = "data: {\"id\":\"\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"deepseek-chat\",\"system_fingerprint\":\"\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":0,\"total_tokens\":7,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{}}}\n\ndata: [DONE]\n\n";
        assert_eq!(run(stream), vec![cached(usage(7, 0, 7, None), 0)]);
    }

    #[test]
    fn small_shapes() {
        assert_eq!(
            run_payloads(&[r#"{"choices":[{"delta":{"role":"assistant","content":null}}]}"#]),
            vec![]
        );
        assert_eq!(
            run_payloads(&[r#"{"choices":[],"usage":null}"#, r#"{"choices":[]}"#]),
            vec![]
        );
        let parts = r#"{"choices":[{"delta":{"content":[{"type":"text","text":"看"},{"type":"image_url","image_url":{"url":"https://x/a.png"}},{"image":"https://x/b.png"}]}}]}"#;
        assert_eq!(
            run_payloads(&[parts]),
            vec![Content(
                "看![image](https://x/a.png)![image](https://x/b.png)".into()
            )]
        );
        let one_api = r#"{"choices":[{"delta":{"role":"assistant","content":"Introduce yourself."},"finish_reason":"stop"}]}"#;
        assert_eq!(
            run_payloads(&[one_api]),
            vec![Content("Introduce yourself.".into()), Finish("stop".into())]
        );
        let empty_finish = r#"{"choices":[{"delta":{"content":"a"},"finish_reason":""}]}"#;
        let null_finish = r#"{"choices":[{"delta":{"content":"b"},"finish_reason":"null"}]}"#;
        assert_eq!(
            collapse(run_payloads(&[empty_finish, null_finish])),
            vec![Content("ab".into())]
        );
    }

    #[test]
    fn malformed_chunk_is_skipped_without_ending_the_reply() {
        let events = run_payloads(&["{\"choices\":[", "[1,2]", &content_delta("ok")]);
        assert_eq!(events, vec![Content("ok".into())]);
    }

    #[test]
    fn non_stream_completions() {
        let m3 = r#"{"id":"chatcmpl-89Dz","model":"gpt-4o-all","object":"chat.completion","created":1730454367,"choices":[{"index":0,"message":{"role":"assistant","content":"[下载1](https://filesystem.site/cdn/download/20241101/r8.webp)\n\n这里是一只优雅的小猫"},"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":183,"total_tokens":194}}"#;
        let want = vec![
            Content("[下载1](https://filesystem.site/cdn/download/20241101/r8.webp)\n\n这里是一只优雅的小猫".into()),
            Finish("stop".into()),
            usage(11, 183, 194, None),
        ];
        assert_eq!(decode_completion(m3, "h").unwrap(), want);
        let spark = r#"{"code":0,"message":"Success","sid":"cha0","choices":[{"message":{"role":"assistant","content":"你好"},"index":0}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#;
        assert_eq!(
            decode_completion(spark, "h").unwrap(),
            vec![Content("你好".into()), usage(1, 2, 3, None)]
        );
        let ds = "\n\n{\"choices\":[{\"message\":{\"content\":\"<think>r</think>a\",\"reasoning_content\":\"x\"},\"finish_reason\":\"stop\"}]}";
        let want = vec![
            Reasoning("x".into()),
            Reasoning("r".into()),
            Content("a".into()),
            Finish("stop".into()),
        ];
        assert_eq!(decode_completion(ds, "h").unwrap(), want);
    }

    #[test]
    fn non_stream_error_bodies() {
        let body_err = |b: &str| {
            decode_completion(b, "api.ecovai.cn")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            body_err(
                r#"{"code":-2001,"message":"[请求kimi失败]: 用户未登录或登录已过期","data":null}"#
            ),
            "api.ecovai.cn answered with an error: [请求kimi失败]: 用户未登录或登录已过期"
        );
        assert_eq!(
            body_err(r#"{"base_resp":{"status_code":1004,"status_msg":"login fail"}}"#),
            "api.ecovai.cn answered with an error: login fail"
        );
        assert!(matches!(
            decode_completion("<html>", "h"),
            Err(ApiError::Decode { .. })
        ));
        assert!(matches!(
            decode_completion(r#"{"data":[]}"#, "h"),
            Err(ApiError::Decode { .. })
        ));
    }
}
