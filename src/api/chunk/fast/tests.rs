use super::*;
use crate::api::chunk::ChunkDecoder;
use crate::api::sse::{SseDecoder, SseEvent, fixtures};

/// Every recorded relay stream of the tests, verbatim.
const RECORDED: [(&str, &str); 14] = [
    ("m1", include_str!("../../../../tests/fixtures/m1.sse")),
    ("m2", include_str!("../../../../tests/fixtures/m2.sse")),
    (
        "m2_both",
        include_str!("../../../../tests/fixtures/m2_both.sse"),
    ),
    (
        "m2_think",
        include_str!("../../../../tests/fixtures/m2_think.sse"),
    ),
    ("m4", include_str!("../../../../tests/fixtures/m4.sse")),
    (
        "m4_fail",
        include_str!("../../../../tests/fixtures/m4_fail.sse"),
    ),
    (
        "m4_video",
        include_str!("../../../../tests/fixtures/m4_video.sse"),
    ),
    ("m5", include_str!("../../../../tests/fixtures/m5.sse")),
    (
        "m5_abrupt",
        include_str!("../../../../tests/fixtures/m5_abrupt.sse"),
    ),
    (
        "m5_glm",
        include_str!("../../../../tests/fixtures/m5_glm.sse"),
    ),
    (
        "m5_sensitive",
        include_str!("../../../../tests/fixtures/m5_sensitive.sse"),
    ),
    ("m7e", include_str!("../../../../tests/fixtures/m7e.sse")),
    (
        "m9_kimi",
        include_str!("../../../../tests/fixtures/m9_kimi.sse"),
    ),
    (
        "m9_spark",
        include_str!("../../../../tests/fixtures/m9_spark.sse"),
    ),
];

/// More recorded streams: Kimi with search, Spark's OpenAI mode, official Metaso, and the
/// parser fixtures of api-notes §7.
const RECORDED_MORE: [(&str, &str); 6] = [
    (
        "m9_kimi_search",
        include_str!("../../../../tests/fixtures/m9_kimi_search.sse"),
    ),
    (
        "m9_xunfei",
        include_str!("../../../../tests/fixtures/m9_xunfei.sse"),
    ),
    (
        "metaso",
        include_str!("../../../../tests/fixtures/metaso_citations.sse"),
    ),
    ("sse M1", fixtures::M1),
    ("sse M2", fixtures::M2),
    ("sse KIMI", fixtures::KIMI),
];

/// Payloads written to sit at the edge of the fast shape, one provider quirk each.
const EDGES: &[&str] = &[
    // The mock's and OpenAI's chunk.
    r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"你好"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
    // Escapes make owned strings.
    r#"{"choices":[{"delta":{"content":"a\n\"b\"\u4f60\ud83d\ude00"}}]}"#,
    r#"{"choices":[{"delta":{"reasoning_content":"想\n","content":null}}]}"#,
    // Older new-api: reasoning in both fields, shown once; an empty one falls to the other.
    r#"{"choices":[{"delta":{"reasoning_content":"r","reasoning":"r"}}]}"#,
    r#"{"choices":[{"delta":{"reasoning_content":"","reasoning":"only"}}]}"#,
    // one-api: content and finish in one chunk; finish "" and "null" are no finish.
    r#"{"choices":[{"delta":{"role":"assistant","content":"Introduce yourself."},"finish_reason":"stop"}]}"#,
    r#"{"choices":[{"delta":{"content":"a"},"finish_reason":""}]}"#,
    r#"{"choices":[{"delta":{"content":"b"},"finish_reason":"null"}]}"#,
    r#"{"choices":[{"delta":{},"finish_reason":" length "}]}"#,
    // Two choices, and none.
    r#"{"choices":[{"delta":{"content":"x"}},{"delta":{"content":"y"},"finish_reason":"stop"}]}"#,
    r#"{"choices":[]}"#,
    r#"{"choices":[],"usage":null}"#,
    // Shapes the general path must keep: usage objects (top level, in the choice), errors,
    // content parts, citations, `message`, `text`, odd types, arrays, broken JSON.
    r#"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#,
    r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop","usage":{"prompt_tokens":39,"completion_tokens":211,"total_tokens":250}}]}"#,
    r#"{"object":"error","message":"vllm says no","code":400,"choices":[]}"#,
    r#"{"object":"error","choices":[]}"#,
    r#"{"error":{"message":"boom"},"choices":[]}"#,
    r#"{"code":0,"message":"Success","sid":"c","choices":[{"delta":{"role":"assistant","content":"你好"},"index":0}]}"#,
    r#"{"choices":[{"delta":{"content":[{"type":"text","text":"看"},{"image":"https://x/b.png"}]}}]}"#,
    r#"{"choices":[{"delta":{"citations":[{"title":"t","link":"https://a.cn/"}]},"index":0}]}"#,
    r#"{"choices":[{"message":{"content":"m"},"finish_reason":"stop"}]}"#,
    r#"{"choices":[{"text":"legacy"}]}"#,
    r#"{"choices":[{"delta":null,"text":"t"}]}"#,
    r#"{"choices":[{"delta":{"content":5},"finish_reason":7}]}"#,
    r#"{"choices":[{"delta":{"tool_calls":[{"index":0}]}}]}"#,
    r#"{"choices":null}"#,
    r#"{"usage":null}"#,
    r#"[{"delta":{"content":"x"}},null,1,"m","f",[]]"#,
    r#"{"choices":[{"delta":{"content":"x"}}],"choices":[]}"#,
    r#"{"choices":["#,
];

/// The data payloads of an SSE stream, in order.
fn payloads(stream: &str) -> Vec<String> {
    let mut sse = SseDecoder::new();
    let mut events = sse.push(stream.as_bytes()).unwrap_or_default();
    events.extend(sse.finish());
    events
        .into_iter()
        .filter_map(|e| match e {
            SseEvent::Data(p) => Some(p),
            SseEvent::Done => None,
        })
        .collect()
}

/// A payload sequence through the general path only.
fn general(payloads: &[String]) -> Vec<StreamEvent> {
    let mut d = ChunkDecoder::new();
    let mut out = Vec::new();
    for p in payloads {
        d.decode_general(p, &mut out);
    }
    out.extend(d.finish());
    out
}

/// A payload sequence the way a reply is decoded (fast path first).
fn both(payloads: &[String]) -> Vec<StreamEvent> {
    let mut d = ChunkDecoder::new();
    let mut out: Vec<StreamEvent> = payloads.iter().flat_map(|p| d.decode(p)).collect();
    out.extend(d.finish());
    out
}

/// How many payloads of a sequence the fast path takes.
fn taken(payloads: &[String]) -> usize {
    let mut think = ThinkSplitter::default();
    payloads
        .iter()
        .filter(|p| decode(p, &mut think, &mut Vec::new()))
        .count()
}

#[test]
fn recorded_streams_decode_as_the_general_path_does() {
    let mut fast_total = 0;
    for (name, stream) in RECORDED.iter().chain(&RECORDED_MORE) {
        let p = payloads(stream);
        assert!(!p.is_empty(), "{name}: no payloads");
        assert_eq!(both(&p), general(&p), "{name}");
        // Payload by payload too, from a fresh decoder, so no state hides a difference.
        for one in &p {
            let one = std::slice::from_ref(one);
            assert_eq!(both(one), general(one), "{name}: {}", one[0]);
        }
        fast_total += taken(&p);
    }
    assert!(
        fast_total > 30,
        "the fast path took only {fast_total} chunks"
    );
}

#[test]
fn edge_payloads_decode_as_the_general_path_does() {
    for p in EDGES {
        let one = [p.to_string()];
        assert_eq!(both(&one), general(&one), "{p}");
    }
    let all: Vec<String> = EDGES.iter().map(|p| p.to_string()).collect();
    assert_eq!(both(&all), general(&all));
}

#[test]
fn the_fast_path_takes_the_common_chunks_and_leaves_the_rest() {
    let takes = |p: &str| decode(p, &mut ThinkSplitter::default(), &mut Vec::new());
    for p in &EDGES[..12] {
        assert!(takes(p), "should be fast: {p}");
    }
    for p in &EDGES[12..] {
        assert!(!takes(p), "should be general: {p}");
    }
}

#[test]
fn a_left_payload_pushes_nothing() {
    let mut out = Vec::new();
    for p in &EDGES[12..] {
        decode(p, &mut ThinkSplitter::default(), &mut out);
    }
    assert_eq!(out, []);
}

#[test]
fn escaped_text_is_unescaped() {
    let mut out = Vec::new();
    assert!(decode(EDGES[1], &mut ThinkSplitter::default(), &mut out));
    assert_eq!(out, [StreamEvent::Content("a\n\"b\"你😀".into())]);
}

#[test]
fn cjk_split_across_reads_decodes_whole_at_every_cut() {
    let stream = RECORDED[1].1.as_bytes();
    let whole = both(&payloads(RECORDED[1].1));
    assert!(whole.iter().any(|e| matches!(e, StreamEvent::Reasoning(_))));
    for cut in 1..stream.len() {
        let mut sse = SseDecoder::new();
        let mut events = sse.push(&stream[..cut]).unwrap_or_default();
        events.extend(sse.push(&stream[cut..]).unwrap_or_default());
        events.extend(sse.finish());
        let p: Vec<String> = events
            .into_iter()
            .filter_map(|e| match e {
                SseEvent::Data(p) => Some(p),
                SseEvent::Done => None,
            })
            .collect();
        assert_eq!(both(&p), whole, "cut at byte {cut}");
    }
}
