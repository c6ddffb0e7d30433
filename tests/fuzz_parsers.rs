//! Property tests (bounded fuzzing, stable toolchain) for everything that parses server text:
//! the SSE decoder, the chunk decoder and media-link extraction. Inputs that once broke
//! something are kept as plain regression tests at the end.

use ecochat::api::chunk::ChunkDecoder;
use ecochat::api::sse::{SseDecoder, SseEvent};
use ecochat::media::extract::{extract_links, settled_links};
use proptest::prelude::*;

/// 256 cases (a few seconds); `PROPTEST_CASES` raises it for a longer run (`fuzz/run.sh`).
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(256),
        // Shrinking a failure is worth it; a CI run that finds nothing stays fast.
        max_shrink_iters: 2048,
        rng_seed: seed(),
        ..ProptestConfig::default()
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A fixed seed, so `cargo test` (and CI) runs the same cases every time;
/// `PROPTEST_RNG_SEED=N` explores others (`fuzz/run.sh` picks a random one).
fn seed() -> proptest::test_runner::RngSeed {
    let n = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|v| v.parse().ok());
    proptest::test_runner::RngSeed::Fixed(n.unwrap_or(0x00ec_0c4a))
}

/// Cuts `bytes` at the given fractions (each taken modulo the length), in order.
fn split_at_points(bytes: &[u8], points: &[usize]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = points
        .iter()
        .map(|p| {
            if bytes.is_empty() {
                0
            } else {
                p % (bytes.len() + 1)
            }
        })
        .collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut last = 0;
    for c in cuts {
        out.push(bytes[last..c].to_vec());
        last = c;
    }
    out.push(bytes[last..].to_vec());
    out
}

/// Feeds the pieces, collecting events and errors; `finish` at the end.
fn decode(pieces: &[Vec<u8>], max_line: usize) -> (Vec<SseEvent>, usize) {
    let mut d = SseDecoder::with_max_line(max_line);
    let mut events = Vec::new();
    let mut errors = 0;
    for p in pieces {
        match d.push(p) {
            Ok(evs) => events.extend(evs),
            Err(_) => errors += 1,
        }
    }
    events.extend(d.finish());
    (events, errors)
}

/// Bytes that look like SSE often enough to reach the interesting states.
fn sse_ish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"data:".to_vec()),
        Just(b"data: ".to_vec()),
        Just(b"event: x".to_vec()),
        Just(b": ping".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"[DONE]".to_vec()),
        Just(b"{\"choices\":[{\"delta\":{\"content\":\"".to_vec()),
        Just(b"\"}}]}".to_vec()),
        Just("你好".as_bytes().to_vec()),
        Just(vec![0xEF, 0xBB, 0xBF]),
        Just(vec![0xE4, 0xBD]),
        prop::collection::vec(any::<u8>(), 0..16),
    ];
    prop::collection::vec(token, 0..40).prop_map(|ts| ts.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sse_arbitrary_bytes_and_splits_never_panic(
        bytes in prop_oneof![prop::collection::vec(any::<u8>(), 0..2048), sse_ish_bytes()],
        points in prop::collection::vec(any::<usize>(), 0..12),
        cap in prop_oneof![Just(8usize), Just(64), Just(1 << 20)],
    ) {
        let pieces = split_at_points(&bytes, &points);
        let (events, _) = decode(&pieces, cap);
        for e in events {
            if let SseEvent::Data(d) = e {
                // The cap covers joined multi-line events too. It bounds raw bytes; lossy UTF-8
                // decoding turns one invalid byte into a 3-byte U+FFFD, so count characters,
                // each of which came from at least one raw byte.
                let chars = d.chars().count();
                prop_assert!(chars <= cap, "{chars} > {cap}");
            }
        }
    }

    #[test]
    fn sse_like_bytes_decode_the_same_however_split(
        bytes in sse_ish_bytes(),
        points in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let whole = decode(std::slice::from_ref(&bytes), 1 << 20);
        let split = decode(&split_at_points(&bytes, &points), 1 << 20);
        prop_assert_eq!(whole.0, split.0);
    }

    #[test]
    fn valid_streams_give_their_payloads_however_split(
        texts in prop::collection::vec(any::<String>(), 0..8),
        endings in prop::collection::vec(0usize..3, 8),
        blank_lines in prop::collection::vec(any::<bool>(), 8),
        comments in any::<bool>(),
        points in prop::collection::vec(any::<usize>(), 0..16),
    ) {
        let payloads: Vec<String> = texts
            .iter()
            .map(|t| serde_json::json!({"choices": [{"delta": {"content": t}}]}).to_string())
            .collect();
        let mut wire = String::new();
        for (i, p) in payloads.iter().enumerate() {
            let eol = ["\n", "\r\n", "\r"][endings[i % 8]];
            if comments {
                wire.push_str(&format!(": keep-alive{eol}"));
            }
            wire.push_str(&format!("data: {p}{eol}"));
            // new-api always sends the blank line; some relays do not.
            if blank_lines[i % 8] {
                wire.push_str(eol);
            }
        }
        wire.push_str("data: [DONE]\n\n");
        let (events, errors) = decode(&split_at_points(wire.as_bytes(), &points), 1 << 20);
        prop_assert_eq!(errors, 0);
        let mut want: Vec<SseEvent> = payloads.into_iter().map(SseEvent::Data).collect();
        want.push(SseEvent::Done);
        prop_assert_eq!(events, want);
    }

    #[test]
    fn chunk_decoder_takes_any_text(payloads in prop::collection::vec(json_ish(), 0..8)) {
        let mut d = ChunkDecoder::new();
        for p in &payloads {
            let _ = d.decode(p);
        }
        let _ = d.finish();
    }

    #[test]
    fn chunk_decoder_takes_any_json_value(values in prop::collection::vec(json_value(), 0..6)) {
        let mut d = ChunkDecoder::new();
        for v in &values {
            let _ = d.decode(&v.to_string());
        }
        let _ = d.finish();
    }

    #[test]
    fn chunk_text_comes_back_whole(parts in prop::collection::vec(any::<String>(), 1..8)) {
        let mut d = ChunkDecoder::new();
        let mut got = String::new();
        let mut events = Vec::new();
        for p in &parts {
            let chunk = serde_json::json!({"choices": [{"index": 0, "delta": {"content": p}}]});
            events.extend(d.decode(&chunk.to_string()));
        }
        events.extend(d.finish());
        for e in events {
            match e {
                ecochat::api::StreamEvent::Content(t) => got.push_str(&t),
                ecochat::api::StreamEvent::Reasoning(t) => got.push_str(&t),
                _ => {}
            }
        }
        // `<think>` tags may move text to reasoning, but no text is lost or made up.
        let joined: String = parts.concat();
        let strip = |s: &str| s.replace("<think>", "").replace("</think>", "");
        prop_assert_eq!(strip(&got).chars().filter(|c| !c.is_whitespace()).count(),
                        strip(&joined).chars().filter(|c| !c.is_whitespace()).count());
    }

    #[test]
    fn media_links_never_panic_and_point_into_the_text(text in link_ish_text()) {
        for link in extract_links(&text) {
            prop_assert!(!link.url.is_empty());
            prop_assert!(!link.url.chars().any(char::is_control), "{:?}", link.url);
        }
        // Every prefix, as while streaming.
        for (i, _) in text.char_indices().step_by(7) {
            let _ = settled_links(&text[..i], true);
        }
    }
}

/// Strings that are often almost JSON: fragments of real chunks, quotes, braces, escapes.
fn json_ish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("\"".to_string()),
        Just(":".to_string()),
        Just(",".to_string()),
        Just("\"choices\"".to_string()),
        Just("\"delta\"".to_string()),
        Just("\"content\"".to_string()),
        Just("\"reasoning_content\"".to_string()),
        Just("\"usage\"".to_string()),
        Just("\"error\"".to_string()),
        Just("\"finish_reason\"".to_string()),
        Just("null".to_string()),
        Just("1e999".to_string()),
        Just("-1".to_string()),
        Just("\\u0000".to_string()),
        Just("\\ud800".to_string()),
        Just("<think>".to_string()),
        Just("</think>".to_string()),
        any::<String>(),
    ];
    prop::collection::vec(token, 0..30).prop_map(|ts| ts.concat())
}

/// Arbitrary JSON, biased to the shapes of chat chunks.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        Just(Value::String("<think>".into())),
    ];
    let keys = prop_oneof![
        Just("choices".to_string()),
        Just("delta".to_string()),
        Just("message".to_string()),
        Just("content".to_string()),
        Just("reasoning_content".to_string()),
        Just("reasoning".to_string()),
        Just("usage".to_string()),
        Just("prompt_tokens".to_string()),
        Just("completion_tokens".to_string()),
        Just("total_tokens".to_string()),
        Just("finish_reason".to_string()),
        Just("error".to_string()),
        Just("code".to_string()),
        Just("citations".to_string()),
        Just("search_results".to_string()),
        Just("url".to_string()),
        Just("title".to_string()),
        any::<String>(),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Text full of the pieces link extraction looks for.
fn link_ish_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("![".to_string()),
        Just("](".to_string()),
        Just(")".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("<".to_string()),
        Just(">".to_string()),
        Just("https://".to_string()),
        Just("http://x.cn/a.png".to_string()),
        Just("https://filesystem.site/cdn/download/20250401/a.mp4".to_string()),
        Just("https://filesystem.site/cdn/20250401/a.mp4".to_string()),
        Just(".png".to_string()),
        Just(".mp3".to_string()),
        Just("?a=1&b=2".to_string()),
        Just("\"url\": \"".to_string()),
        Just("\\u0026".to_string()),
        Just("\\/".to_string()),
        Just("。".to_string()),
        Just("（".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        any::<String>(),
    ];
    prop::collection::vec(token, 0..30).prop_map(|ts| ts.concat())
}

/// Inputs found by the properties above (or by hand while writing them), kept for good.
mod found {
    use super::*;

    #[test]
    fn a_bom_split_across_pushes_is_still_skipped() {
        let wire = b"\xEF\xBB\xBFdata: {\"a\":1}\n\n";
        for cut in 0..wire.len() {
            let (events, _) = decode(&[wire[..cut].to_vec(), wire[cut..].to_vec()], 1 << 20);
            assert_eq!(
                events,
                vec![SseEvent::Data("{\"a\":1}".into())],
                "cut {cut}"
            );
        }
    }

    #[test]
    fn lone_surrogate_escapes_and_huge_numbers_are_not_fatal() {
        let mut d = ChunkDecoder::new();
        let _ = d.decode(r#"{"choices":[{"delta":{"content":"\ud800"}}]}"#);
        let _ = d.decode(r#"{"usage":{"prompt_tokens":1e999,"completion_tokens":-1}}"#);
        let _ = d.decode(r#"{"choices":[{"delta":{"content":"<think>"}}]}"#);
        let _ = d.finish();
    }
}
