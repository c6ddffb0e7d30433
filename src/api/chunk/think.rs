//! new-api's "thinking to content" mode: a reply opening with `<think>…</think>` carries its reasoning inline.

use crate::api::StreamEvent;

const OPEN_TAG: &str = "<think>";
const CLOSE_TAG: &str = "</think>";

/// Where the reply content is relative to a leading `<think>` block.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ThinkState {
    /// Only whitespace so far (held back): a `<think>` may still open the reply.
    #[default]
    Undecided,
    /// Inside `<think>…`: content is reasoning.
    Thinking,
    /// Normal content.
    Answer,
}

/// Splits new-api's "thinking to content" replies (`<think>…</think>answer`) into reasoning and content.
#[derive(Debug, Default)]
pub(super) struct ThinkSplitter {
    state: ThinkState,
    /// Text not yet emitted: leading whitespace, or what may be the start of a tag.
    held: String,
    /// Drop one newline at the start of the next text (right after a tag).
    strip_newline: bool,
}

impl ThinkSplitter {
    /// Routes one content delta.
    pub(super) fn push(&mut self, text: &str, out: &mut Vec<StreamEvent>) {
        match self.state {
            ThinkState::Undecided => {
                self.held.push_str(text);
                let start = self.held.trim_start();
                if start.is_empty() || (start.len() < OPEN_TAG.len() && OPEN_TAG.starts_with(start))
                {
                    return;
                }
                let held = std::mem::take(&mut self.held);
                match held.trim_start().strip_prefix(OPEN_TAG) {
                    Some(rest) => {
                        self.state = ThinkState::Thinking;
                        self.strip_newline = true;
                        self.push(rest, out);
                    }
                    None => {
                        self.state = ThinkState::Answer;
                        out.push(StreamEvent::Content(held));
                    }
                }
            }
            ThinkState::Thinking => {
                let text = self.strip_leading_newline(text);
                let mut joined = std::mem::take(&mut self.held);
                joined.push_str(text);
                if let Some(end) = joined.find(CLOSE_TAG) {
                    push_reasoning(&joined[..end], out);
                    self.state = ThinkState::Answer;
                    self.strip_newline = true;
                    self.push(&joined[end + CLOSE_TAG.len()..], out);
                } else {
                    let keep = partial_tag_len(&joined, CLOSE_TAG);
                    push_reasoning(&joined[..joined.len() - keep], out);
                    self.held = joined[joined.len() - keep..].to_string();
                }
            }
            ThinkState::Answer => {
                let text = self.strip_leading_newline(text);
                if !text.is_empty() {
                    out.push(StreamEvent::Content(text.to_string()));
                }
            }
        }
    }

    /// Emits held-back text as what it would have been had no tag followed.
    pub(super) fn flush(&mut self, out: &mut Vec<StreamEvent>) {
        if self.held.is_empty() {
            return;
        }
        let held = std::mem::take(&mut self.held);
        match self.state {
            ThinkState::Thinking => out.push(StreamEvent::Reasoning(held)),
            ThinkState::Undecided | ThinkState::Answer => {
                self.state = ThinkState::Answer;
                out.push(StreamEvent::Content(held));
            }
        }
    }

    fn strip_leading_newline<'t>(&mut self, text: &'t str) -> &'t str {
        if !self.strip_newline || text.is_empty() {
            return text;
        }
        self.strip_newline = false;
        text.strip_prefix("\r\n")
            .or_else(|| text.strip_prefix('\n'))
            .unwrap_or(text)
    }
}

fn push_reasoning(text: &str, out: &mut Vec<StreamEvent>) {
    if !text.is_empty() {
        out.push(StreamEvent::Reasoning(text.to_string()));
    }
}

/// Length of the longest suffix of `text` that is a proper prefix of `tag` (a tag cut by a delta).
fn partial_tag_len(text: &str, tag: &str) -> usize {
    (1..tag.len())
        .rev()
        .find(|&k| text.ends_with(&tag[..k]))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use StreamEvent::{Content, Reasoning};

    /// Pushes `deltas`, flushes, and merges consecutive events of the same kind.
    fn split(deltas: &[&str]) -> Vec<StreamEvent> {
        let mut t = ThinkSplitter::default();
        let mut raw = Vec::new();
        for d in deltas {
            t.push(d, &mut raw);
        }
        t.flush(&mut raw);
        let mut out: Vec<StreamEvent> = Vec::new();
        for e in raw {
            match (out.last_mut(), e) {
                (Some(Content(a)), Content(b)) | (Some(Reasoning(a)), Reasoning(b)) => {
                    a.push_str(&b)
                }
                (_, e) => out.push(e),
            }
        }
        out
    }

    #[test]
    fn tags_split_at_every_pair_of_points() {
        let text = " <think>\n想\n</think>\n答 <think>";
        let cuts: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let want = vec![Reasoning("想\n".into()), Content("答 <think>".into())];
        for &i in &cuts {
            for &j in cuts.iter().filter(|&&j| j >= i) {
                assert_eq!(
                    split(&[&text[..i], &text[i..j], &text[j..]]),
                    want,
                    "cuts {i} {j}"
                );
            }
        }
    }

    #[test]
    fn only_a_leading_tag_counts_and_partial_tags_are_released() {
        assert_eq!(
            split(&["I like ", "<think>x</think>"]),
            vec![Content("I like <think>x</think>".into())]
        );
        assert_eq!(split(&["  <thin"]), vec![Content("  <thin".into())]);
        assert_eq!(
            split(&["<think>abc</th"]),
            vec![Reasoning("abc</th".into())]
        );
        assert_eq!(split(&["\n\n", "", "ok"]), vec![Content("\n\nok".into())]);
        assert_eq!(
            split(&["<think>", "\r\n", "r", "</think>", "", "\n", "\na"]),
            vec![Reasoning("r".into()), Content("\na".into())]
        );
    }
}
