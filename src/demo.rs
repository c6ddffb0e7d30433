//! The built-in offline `demo` provider: a canned reply at a human pace, no network, no key.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::api::client::ReplyEnd;
use crate::api::{StreamEvent, Usage};

/// URL of the demo image; it is served from the binary, never fetched.
pub const DEMO_IMAGE_URL: &str = "ecochat://assets/demo.png";
/// The demo image's bytes (a PNG shipped in `assets/`).
pub const DEMO_IMAGE_PNG: &[u8] = include_bytes!("../assets/demo.png");

const REASONING: &str = "用户在试用 ecochat 的离线演示。I should show what the client renders: \
Chinese and English text, a list, a code block and an image link.";

/// Pause between two pieces of the canned reply, unless `ECOCHAT_DEMO_DELAY_MS` says otherwise.
const DEFAULT_DELAY: Duration = Duration::from_millis(18);

/// The start of `prompt`'s first line, quoted back so each reply differs.
fn quoted(prompt: &str) -> String {
    prompt
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(40)
        .collect()
}

/// The reply text for `prompt` (the prompt is quoted back so each reply differs).
pub fn reply_text(prompt: &str) -> String {
    let quoted = quoted(prompt);
    format!(
        "你好！这是 **ecochat** 的离线演示模型，你刚才说：「{quoted}」。\n\n\
Hello! This is the offline `demo` model: no key, no network. It shows what a real reply looks like:\n\n\
1. 流式输出 streaming text, 中英文混排 mixed CJK and English\n\
2. A markdown list with **bold** and `inline code`\n\
3. 代码块 a fenced code block:\n\n\
```rust\nfn main() {{\n    println!(\"你好, ecochat!\");\n}}\n```\n\n\
And an image, served from the binary so it works offline; the media panel (Ctrl+G) draws it:\n\n\
![ecochat 演示图 demo image]({DEMO_IMAGE_URL})\n\n\
Configure a real provider in `config.toml` and switch models with Ctrl+P. 祝你使用愉快！\n"
    )
}

/// The id of the second demo model, which answers in brief: with the first it makes
/// `/compare demo demo-brief` something to try offline.
pub const BRIEF_MODEL: &str = "demo-brief";

/// The brief demo model's reply to `prompt`.
pub fn brief_text(prompt: &str) -> String {
    let quoted = quoted(prompt);
    format!(
        "简短版：你说「{quoted}」。\n\nThe brief demo model answers in two lines, so a \
comparison has two different replies side by side. 试试数字键选一个。\n"
    )
}

/// Splits text into small pieces the way a model streams tokens (never inside a character).
fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in text.chars() {
        cur.push(ch);
        let wide = !ch.is_ascii();
        if (wide && cur.chars().count() >= 2) || cur.len() >= 6 || ch == '\n' {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn delay() -> Duration {
    std::env::var("ECOCHAT_DEMO_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_DELAY)
}

/// Streams demo model `model`'s reply to `prompt` through `on_event`, like `Client::chat` does
/// for a server.
pub async fn chat(
    model: &str,
    prompt: &str,
    on_event: &mut (dyn FnMut(StreamEvent) + Send),
    cancel: &CancellationToken,
) -> ReplyEnd {
    let pause = delay();
    let brief = model == BRIEF_MODEL;
    let reasoning = pieces(if brief { "" } else { REASONING })
        .into_iter()
        .map(StreamEvent::Reasoning);
    let text = if brief {
        brief_text(prompt)
    } else {
        reply_text(prompt)
    };
    let content = pieces(&text).into_iter().map(StreamEvent::Content);
    let mut completion_tokens = 0;
    for event in reasoning.chain(content) {
        if !pause.is_zero() {
            tokio::select! {
                () = cancel.cancelled() => return ReplyEnd { cancelled: true, ..ReplyEnd::default() },
                () = tokio::time::sleep(pause) => {}
            }
        } else if cancel.is_cancelled() {
            return ReplyEnd {
                cancelled: true,
                ..ReplyEnd::default()
            };
        }
        completion_tokens += 1;
        on_event(event);
    }
    let usage = Usage {
        cached_tokens: None,
        prompt_tokens: prompt.chars().count() as u64,
        completion_tokens,
        total_tokens: prompt.chars().count() as u64 + completion_tokens,
        reasoning_tokens: None,
    };
    on_event(StreamEvent::Finish("stop".into()));
    on_event(StreamEvent::Usage(usage));
    ReplyEnd {
        finish_reason: Some("stop".into()),
        usage: Some(usage),
        ..ReplyEnd::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_rejoin_to_the_text() {
        let text = reply_text("你好 world");
        assert_eq!(pieces(&text).concat(), text);
        assert!(
            pieces(&text).len() > 50,
            "the demo should stream in many pieces"
        );
    }

    #[test]
    fn reply_quotes_the_prompt_and_has_every_element() {
        let text = reply_text("第一行\n第二行");
        assert!(text.contains("「第一行」"));
        assert!(text.contains("```rust"));
        assert!(text.contains("1. "));
        assert!(text.contains(DEMO_IMAGE_URL));
    }

    #[test]
    fn demo_image_is_a_png() {
        assert!(DEMO_IMAGE_PNG.starts_with(b"\x89PNG\r\n\x1a\n"));
    }

    #[tokio::test(start_paused = true)]
    async fn streams_reasoning_then_content_and_can_be_cancelled() {
        let cancel = CancellationToken::new();
        let mut events = Vec::new();
        let end = chat("demo", "hi", &mut |e| events.push(e), &cancel).await;
        assert_eq!(end.finish_reason.as_deref(), Some("stop"));
        let first_content = events
            .iter()
            .position(|e| matches!(e, StreamEvent::Content(_)));
        let last_reasoning = events
            .iter()
            .rposition(|e| matches!(e, StreamEvent::Reasoning(_)));
        assert!(last_reasoning < first_content);

        cancel.cancel();
        let mut after = Vec::new();
        let end = chat("demo", "hi", &mut |e| after.push(e), &cancel).await;
        assert!(end.cancelled);
        assert!(after.is_empty());
    }

    #[tokio::test]
    async fn the_brief_model_answers_briefly_without_reasoning() {
        let cancel = CancellationToken::new();
        let mut events = Vec::new();
        chat(BRIEF_MODEL, "你好", &mut |e| events.push(e), &cancel).await;
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, StreamEvent::Reasoning(_)))
        );
        let text: String = events
            .iter()
            .filter_map(|e| match e {
                StreamEvent::Content(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(text, brief_text("你好"));
        assert_ne!(text, reply_text("你好"));
    }
}
