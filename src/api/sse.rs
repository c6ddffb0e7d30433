//! Incremental Server-Sent Events decoder working on raw bytes, tolerant of relay framing quirks.

use std::borrow::Cow;

use serde::de::IgnoredAny;

use super::ApiError;

/// Default cap on one SSE line (and on one joined multi-line event), in bytes.
pub const DEFAULT_MAX_LINE: usize = 16 * 1024 * 1024;

/// One complete event payload taken from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseEvent {
    /// The text of one `data:` event (normally one JSON chunk).
    Data(String),
    /// `data: [DONE]`: the server ended the reply.
    Done,
}

/// Turns arbitrary byte slices into SSE events, keeping partial lines between pushes.
#[derive(Debug)]
pub struct SseDecoder {
    /// Bytes of the current, not yet terminated line; its capacity never exceeds `max_line`.
    line: Vec<u8>,
    /// `data:` lines that were not valid JSON alone, joined with `\n`, awaiting more lines.
    pending: Option<String>,
    /// The previous push ended with CR, so an LF opening the next push ends no extra line.
    after_cr: bool,
    /// The current line overflowed the cap: drop its bytes until it ends.
    discarding: bool,
    /// No line has been completed yet, so a UTF-8 BOM may open the stream.
    at_start: bool,
    /// Events decoded by a push that then failed; handed out by the next call so none is lost.
    stash: Vec<SseEvent>,
    max_line: usize,
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl SseDecoder {
    /// A decoder with the default line cap.
    pub fn new() -> Self {
        Self::with_max_line(DEFAULT_MAX_LINE)
    }

    /// A decoder refusing lines (and joined events) longer than `limit` bytes.
    pub fn with_max_line(limit: usize) -> Self {
        Self {
            line: Vec::new(),
            pending: None,
            after_cr: false,
            discarding: false,
            at_start: true,
            stash: Vec::new(),
            max_line: limit,
        }
    }

    /// Feeds the next bytes; returns every event completed by them.
    ///
    /// On `EventTooLarge` the oversized line is dropped, the decoder stays usable, and the events
    /// already decoded from this push are returned by the next `push` or `finish`.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, ApiError> {
        let mut out = std::mem::take(&mut self.stash);
        let mut overflow = false;
        let mut rest = bytes;
        if std::mem::take(&mut self.after_cr)
            && let Some((b'\n', tail)) = rest.split_first()
        {
            rest = tail;
        }
        while let Some(i) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            let segment = &rest[..i];
            let ending = rest[i];
            rest = &rest[i + 1..];
            if ending == b'\r' {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
            overflow |= self.end_line(segment, &mut out);
        }
        if !rest.is_empty() {
            overflow |= self.extend_line(rest);
        }
        if overflow {
            self.stash = out;
            return Err(ApiError::EventTooLarge {
                limit: self.max_line,
            });
        }
        Ok(out)
    }

    /// Ends the stream: decodes an unterminated last line and dispatches pending data.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        let mut out = std::mem::take(&mut self.stash);
        self.after_cr = false;
        if std::mem::take(&mut self.discarding) {
            self.line.clear();
        } else if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            if self.process_line(&line, &mut out) {
                tracing::warn!(
                    limit = self.max_line,
                    "dropped an oversized SSE event at end of stream"
                );
            }
        }
        self.dispatch(&mut out);
        self.at_start = true;
        out
    }

    /// Completes the current line with `segment`; returns true if the line was too long.
    fn end_line(&mut self, segment: &[u8], out: &mut Vec<SseEvent>) -> bool {
        if std::mem::take(&mut self.discarding) {
            self.line.clear();
            return false;
        }
        if self.line.is_empty() {
            // The common case: the whole line sits in this push, so it is never copied.
            if segment.len() > self.max_line {
                return true;
            }
            return self.process_line(segment, out);
        }
        if self.line.len() + segment.len() > self.max_line {
            self.line = Vec::new();
            return true;
        }
        self.line.extend_from_slice(segment);
        let line = std::mem::take(&mut self.line);
        let overflow = self.process_line(&line, out);
        self.line = line;
        self.line.clear();
        overflow
    }

    /// Keeps the start of a line that continues in a later push; returns true on overflow.
    fn extend_line(&mut self, bytes: &[u8]) -> bool {
        if self.discarding {
            return false;
        }
        let needed = self.line.len() + bytes.len();
        if needed > self.max_line {
            self.line = Vec::new();
            self.discarding = true;
            return true;
        }
        if needed > self.line.capacity() {
            // Grow geometrically but never past the cap, so memory stays bounded by `max_line`.
            let target = needed.max(self.line.capacity() * 2).min(self.max_line);
            self.line.reserve_exact(target - self.line.len());
        }
        self.line.extend_from_slice(bytes);
        false
    }

    /// Interprets one complete line (without its line end); returns true on overflow.
    fn process_line(&mut self, line: &[u8], out: &mut Vec<SseEvent>) -> bool {
        let mut line = line;
        if std::mem::take(&mut self.at_start) {
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.is_empty() {
            self.dispatch(out);
            return false;
        }
        if line[0] == b':' {
            return false;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => {
                let value = &line[i + 1..];
                (&line[..i], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        if field != b"data" {
            return false;
        }
        self.data_line(String::from_utf8_lossy(value), out)
    }

    /// Handles the value of one `data:` line; returns true if the joined event grew too large.
    fn data_line(&mut self, text: Cow<'_, str>, out: &mut Vec<SseEvent>) -> bool {
        let Some(mut joined) = self.pending.take() else {
            if is_done(&text) {
                out.push(SseEvent::Done);
            } else if is_json(&text) {
                out.push(SseEvent::Data(text.into_owned()));
            } else {
                self.pending = Some(text.into_owned());
            }
            return false;
        };
        let before = joined.len();
        joined.push('\n');
        joined.push_str(&text);
        // Only a closing bracket can complete a split object, which spares re-parsing on every line.
        if joined.trim_end().ends_with(['}', ']']) && is_json(&joined) {
            out.push(SseEvent::Data(joined));
            return false;
        }
        if is_done(&text) || (text.trim_start().starts_with('{') && is_json(&text)) {
            // Relays send no blank lines: a complete object after a broken line starts a new event,
            // otherwise one bad line would swallow the rest of the reply.
            joined.truncate(before);
            push_joined(joined, out);
            return self.data_line(text, out);
        }
        if joined.len() > self.max_line {
            return true;
        }
        self.pending = Some(joined);
        false
    }

    /// A blank line (or the end of the stream) dispatches data still waiting to become valid JSON.
    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        if let Some(joined) = self.pending.take() {
            push_joined(joined, out);
        }
    }
}

/// Emits joined data lines as one event; empty data dispatches nothing, as the SSE spec says.
fn push_joined(joined: String, out: &mut Vec<SseEvent>) {
    if is_done(&joined) {
        out.push(SseEvent::Done);
    } else if !joined.trim().is_empty() {
        out.push(SseEvent::Data(joined));
    }
}

fn is_done(text: &str) -> bool {
    text.trim() == "[DONE]"
}

fn is_json(text: &str) -> bool {
    serde_json::from_str::<IgnoredAny>(text).is_ok()
}

/// Byte-exact relay payloads from api-notes §7, shared by the parser tests.
#[cfg(test)]
pub(crate) mod fixtures {
    pub(crate) const M1: &str = r##": PING

data: {"id":"chatcmpl-AJaZYLCAOsEHltQhNa8A4OLF6k0sl","object":"chat.completion.chunk","created":1729232180,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_67802d9a6d","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJaZYLCAOsEHltQhNa8A4OLF6k0sl","object":"chat.completion.chunk","created":1729232180,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_67802d9a6d","choices":[{"index":0,"delta":{"content":"你好"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJaZYLCAOsEHltQhNa8A4OLF6k0sl","object":"chat.completion.chunk","created":1729232180,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_67802d9a6d","choices":[{"index":0,"delta":{"content":"！有什么可以帮你？"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJaZYLCAOsEHltQhNa8A4OLF6k0sl","object":"chat.completion.chunk","created":1729232180,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_67802d9a6d","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

data: {"id":"chatcmpl-AJaZYLCAOsEHltQhNa8A4OLF6k0sl","object":"chat.completion.chunk","created":1729232180,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_67802d9a6d","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

data: [DONE]

"##;
    pub(crate) const M2: &str = r##": keep-alive

: keep-alive

data: {"id":"fa7e4fc5-a05d-4e7b-9a66-a2dd89e91a4e","object":"chat.completion.chunk","created":1738492867,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":""},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"fa7e4fc5-a05d-4e7b-9a66-a2dd89e91a4e","object":"chat.completion.chunk","created":1738492867,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"用户问9.11和9.8哪个大，"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"fa7e4fc5-a05d-4e7b-9a66-a2dd89e91a4e","object":"chat.completion.chunk","created":1738492867,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"比较小数部分0.11<0.8。"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"fa7e4fc5-a05d-4e7b-9a66-a2dd89e91a4e","object":"chat.completion.chunk","created":1738492867,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08","choices":[{"index":0,"delta":{"content":"9.8 更大。","reasoning_content":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"fa7e4fc5-a05d-4e7b-9a66-a2dd89e91a4e","object":"chat.completion.chunk","created":1738492867,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop"}],"usage":null}

data: {"id":"fa7e4fc5-a05d-4e7b-9a66-a2dd89e91a4e","object":"chat.completion.chunk","created":1738492867,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08","choices":[],"usage":{"prompt_tokens":18,"completion_tokens":40,"total_tokens":58,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":33},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":18}}

data: [DONE]

"##;
    pub(crate) const M4: &str = r##"data: {"id":"chatcmpl-89CWjF40odBaD341Gq0L52uhIjLtH","object":"chat.completion.chunk","created":1743318000,"model":"gpt-4o-image","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

data: {"id":"chatcmpl-89CWjF40odBaD341Gq0L52uhIjLtH","object":"chat.completion.chunk","created":1743318000,"model":"gpt-4o-image","choices":[{"index":0,"delta":{"content":"{\n  \"prompt\": \"A Tibetan Mastiff walking on a zebra crossing along with a golden retriever and a dachshund.\",\n  \"referenced_image_ids\": [\"file-K51ZztW2MdH2z9J6gQzxR7\"]\n}\n\n"},"finish_reason":null}]}

data: {"id":"chatcmpl-89CWjF40odBaD341Gq0L52uhIjLtH","object":"chat.completion.chunk","created":1743318000,"model":"gpt-4o-image","choices":[{"index":0,"delta":{"content":"> 进度 **2%**\n\n\n"},"finish_reason":null}]}

data: {"id":"chatcmpl-89CWjF40odBaD341Gq0L52uhIjLtH","object":"chat.completion.chunk","created":1743318000,"model":"gpt-4o-image","choices":[{"index":0,"delta":{"content":"> 进度 **34%**\n\n\n"},"finish_reason":null}]}

data: {"id":"chatcmpl-89CWjF40odBaD341Gq0L52uhIjLtH","object":"chat.completion.chunk","created":1743318000,"model":"gpt-4o-image","choices":[{"index":0,"delta":{"content":"> 进度 **67%**\n\n\n\n"},"finish_reason":null}]}

data: {"id":"chatcmpl-89CWjF40odBaD341Gq0L52uhIjLtH","object":"chat.completion.chunk","created":1743318000,"model":"gpt-4o-image","choices":[{"index":0,"delta":{"content":"![file_000000007a5451f7b4c098cb3d95dace](https://filesystem.site/cdn/20250330/JfAL6qr7iuQsq0UwLSfK8W2XvP1rgv.png)\n[下载⏬](https://filesystem.site/cdn/download/20250330/JfAL6qr7iuQsq0UwLSfK8W2XvP1rgv.png)\n\n"},"finish_reason":null}]}

data: {"id":"chatcmpl-89CWjF40odBaD341Gq0L52uhIjLtH","object":"chat.completion.chunk","created":1743318000,"model":"gpt-4o-image","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

data: [DONE]

"##;
    pub(crate) const M5: &str = r##"data: {"id":"chatcmpl-B1x2","object":"chat.completion.chunk","created":1743318000,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"我先解释"},"finish_reason":null}]}

data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}

data: {"id":"chatcmpl-B1x2","object":"chat.completion.chunk","created":1743318000,"model":"gpt-4o","system_fingerprint":"","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16,"prompt_tokens_details":{"cached_tokens":0,"text_tokens":0,"audio_tokens":0,"image_tokens":0},"completion_tokens_details":{"text_tokens":0,"audio_tokens":0,"reasoning_tokens":0}}}

data: [DONE]

"##;
    pub(crate) const KIMI: &str = r##"data: {"id":"chatcmpl-67c96964971a7a505b6ff17a","object":"chat.completion.chunk","created":1741252964,"model":"moonshot-v1-8k","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"system_fingerprint":"fpv0_ca1d2527"}

data: {"id":"chatcmpl-67c96964971a7a505b6ff17a","object":"chat.completion.chunk","created":1741252964,"model":"moonshot-v1-8k","choices":[{"index":0,"delta":{"content":"。"},"finish_reason":null}],"system_fingerprint":"fpv0_ca1d2527"}

data: {"id":"chatcmpl-67c96964971a7a505b6ff17a","object":"chat.completion.chunk","created":1741252964,"model":"moonshot-v1-8k","choices":[{"index":0,"delta":{},"finish_reason":"stop","usage":{"prompt_tokens":39,"completion_tokens":211,"total_tokens":250}}],"system_fingerprint":"fpv0_ca1d2527"}

data: [DONE]

"##;
    pub(crate) const SPARK: &str = r##"data:{"code":0,"message":"Success","sid":"cha000b000c@dx1905cf38fc8b86d552","id":"cha000b000c@dx1905cf38fc8b86d552","created":1719546385,"choices":[{"delta":{"role":"assistant","content":"你好"},"index":0}]}

data:{"code":0,"message":"Success","sid":"cha000b000c@dx1905cf38fc8b86d552","id":"cha000b000c@dx1905cf38fc8b86d552","created":1719546385,"choices":[{"delta":{"role":"assistant","content":"！"},"index":0}],"usage":{"prompt_tokens":1,"completion_tokens":3,"total_tokens":4}}

data:[DONE]

"##;
}

#[cfg(test)]
mod tests {
    use super::fixtures::{M1, M2};
    use super::*;

    fn data(s: &str) -> SseEvent {
        SseEvent::Data(s.to_string())
    }

    /// Feeds `pieces` in order, then `finish`; any error fails the test.
    fn decode(pieces: &[&[u8]]) -> Vec<SseEvent> {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        for p in pieces {
            out.extend(d.push(p).unwrap());
        }
        out.extend(d.finish());
        out
    }

    /// The events a relay stream should give, read with `str::lines` as an independent oracle.
    fn expected_from(stream: &str) -> Vec<SseEvent> {
        stream
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|p| p.strip_prefix(' ').unwrap_or(p).trim_end_matches('\r'))
            .map(|p| {
                if p == "[DONE]" {
                    SseEvent::Done
                } else {
                    data(p)
                }
            })
            .collect()
    }

    /// Whole, split in two at every offset, and one byte per push must all agree with `want`.
    fn assert_every_split(input: &[u8], want: &[SseEvent]) {
        assert_eq!(decode(&[input]), want, "whole");
        for cut in 0..=input.len() {
            let (a, b) = input.split_at(cut);
            assert_eq!(decode(&[a, b]), want, "split at byte {cut}");
        }
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(decode(&bytes), want, "one byte per push");
    }

    fn m1_crlf() -> String {
        M1.replace('\n', "\r\n")
    }

    fn m1_nospace() -> String {
        M1.replace("data: ", "data:").replace("\n\n", "\n")
    }

    #[test]
    fn m1_all_framings_and_splits_give_the_same_events() {
        let want = expected_from(M1);
        assert_eq!(want.len(), 6);
        assert!(matches!(&want[1], SseEvent::Data(d) if d.contains("你好")));
        assert_eq!(want[5], SseEvent::Done);
        assert_every_split(M1.as_bytes(), &want);
        assert_every_split(m1_crlf().as_bytes(), &want);
        assert_every_split(m1_nospace().as_bytes(), &want);
    }

    #[test]
    fn m2_every_split_gives_the_same_events() {
        let want = expected_from(M2);
        assert_eq!(want.len(), 7);
        assert_every_split(M2.as_bytes(), &want);
    }

    #[test]
    fn cjk_char_split_inside_its_bytes() {
        let input = "data: {\"c\":\"你\"}\n".as_bytes();
        let at = input.iter().position(|&b| b == 0xE4).unwrap() + 2;
        assert_eq!(input[at], 0xA0);
        assert_eq!(
            decode(&[&input[..at], &input[at..]]),
            vec![data("{\"c\":\"你\"}")]
        );
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        let out = decode(&[b"data: {\"c\":\"\xE4\xBD\"}\n"]);
        assert_eq!(out, vec![data("{\"c\":\"\u{FFFD}\"}")]);
    }

    #[test]
    fn bare_cr_ends_lines() {
        let out = decode(&[b"data: {\"a\":1}\r\rdata: {\"b\":2}\r: ping\rdata: [DONE]\r"]);
        assert_eq!(
            out,
            vec![data("{\"a\":1}"), data("{\"b\":2}"), SseEvent::Done]
        );
    }

    #[test]
    fn cr_and_lf_in_different_pushes_are_one_line_end() {
        // Were the LF a second (blank) line, the half object would be dispatched on its own.
        let out = decode(&[b"data: {\"a\":\r", b"\ndata: 1}\r", b"\n\r\n"]);
        assert_eq!(out, vec![data("{\"a\":\n1}")]);
    }

    #[test]
    fn comments_and_other_fields_are_ignored() {
        let input = "event: message\nid: 7\nretry: 1000\n: keep-alive\nfoo: bar\nnocolon\n\n\
                     data: {\"x\":1}\n\n";
        assert_eq!(decode(&[input.as_bytes()]), vec![data("{\"x\":1}")]);
    }

    #[test]
    fn data_lines_join_until_valid_json_or_blank_line() {
        assert_eq!(
            decode(&[b"data: {\"a\":\ndata: 1}\n"]),
            vec![data("{\"a\":\n1}")]
        );
        assert_eq!(
            decode(&[b"data: hello\ndata:world\n\n"]),
            vec![data("hello\nworld")]
        );
        assert_eq!(decode(&[b"data:\n\ndata: \n\n"]), vec![]);
    }

    #[test]
    fn a_broken_line_does_not_swallow_later_events_without_blank_lines() {
        let out = decode(&[b"data: oops\ndata: {\"a\":1}\ndata: [DONE]\n"]);
        assert_eq!(out, vec![data("oops"), data("{\"a\":1}"), SseEvent::Done]);
    }

    #[test]
    fn over_long_line_is_refused_and_the_buffer_stays_bounded() {
        let cap = 64;
        let mut d = SseDecoder::with_max_line(cap);
        let mut failed = false;
        for _ in 0..50 {
            match d.push(b"data: xxxxxxx") {
                Ok(ev) => assert!(ev.is_empty()),
                Err(e) => {
                    assert_eq!(e, ApiError::EventTooLarge { limit: cap });
                    failed = true;
                }
            }
            assert!(d.line.capacity() <= cap, "capacity {}", d.line.capacity());
        }
        assert!(failed);
        // The rest of the oversized line is dropped; the next line decodes normally.
        assert_eq!(
            d.push(b"yyy\ndata: {\"ok\":1}\n").unwrap(),
            vec![data("{\"ok\":1}")]
        );
    }

    #[test]
    fn over_long_line_in_one_push_keeps_the_events_before_it() {
        let mut d = SseDecoder::with_max_line(32);
        let mut input = b"data: {\"a\":1}\n".to_vec();
        input.extend_from_slice(&[b'z'; 100]);
        input.extend_from_slice(b"\ndata: [DONE]\n");
        assert!(matches!(
            d.push(&input),
            Err(ApiError::EventTooLarge { limit: 32 })
        ));
        assert_eq!(d.finish(), vec![data("{\"a\":1}"), SseEvent::Done]);
    }

    #[test]
    fn joined_data_is_capped_too() {
        let mut d = SseDecoder::with_max_line(40);
        let line = b"data: abcdefghijklmnopqrstuvwxyz\n";
        let results: Vec<_> = (0..3).map(|_| d.push(line)).collect();
        assert!(results.iter().any(|r| r.is_err()));
        assert!(d.pending.as_ref().is_none_or(|p| p.len() <= 40));
    }

    #[test]
    fn finish_flushes_an_unterminated_last_line() {
        let mut d = SseDecoder::new();
        assert_eq!(d.push(b"data: {\"a\":1}").unwrap(), vec![]);
        assert_eq!(d.finish(), vec![data("{\"a\":1}")]);
        assert_eq!(decode(&[b"data:[DONE]"]), vec![SseEvent::Done]);
        assert_eq!(
            decode(&[b"data: {\"a\":\ndata: 2"]),
            vec![data("{\"a\":\n2")]
        );
    }

    #[test]
    fn leading_bom_is_skipped() {
        assert_eq!(
            decode(&[b"\xEF\xBB\xBFdata: {\"a\":1}\n"]),
            vec![data("{\"a\":1}")]
        );
    }
}
