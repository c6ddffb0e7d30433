//! The lines of one message: header, reasoning, body, status; the body is re-wrapped incrementally.

use ratatui::text::{Line, Span};

use crate::chat::{Message, Role, Status};
use crate::sanitize::sanitize;
use crate::text::wrap_text;
use crate::view::markdown::{MarkdownLines, Syntax};
use crate::view::packed::PackedLines;
use crate::view::theme::Theme;

/// Choices that change how every message is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayoutOptions {
    /// Width of the text column (without gutter).
    pub width: usize,
    pub show_reasoning: bool,
}

/// The laid-out lines of one message, kept between frames.
#[derive(Debug, Clone)]
pub struct MessageLines {
    pub id: u64,
    pub revision: u64,
    head: Vec<Line<'static>>,
    /// The body of a prompt or system message, without the gutter.
    body: PackedLines,
    gutter: Span<'static>,
    foot: Vec<Line<'static>>,
    /// The body of an assistant message, rendered as markdown (`body` stays empty then).
    markdown: MarkdownLines,
    /// `body[..stable_lines]` is the wrap of `content[..stable_bytes]`, which ends after a newline
    /// and cannot change while the message only grows.
    stable_lines: usize,
    stable_bytes: usize,
}

impl MessageLines {
    /// Lays out `msg` from scratch.
    pub fn new(msg: &Message, opts: LayoutOptions, theme: &Theme, syntax: &Syntax) -> Self {
        let mut out = Self {
            id: msg.id,
            revision: msg.revision(),
            head: Vec::new(),
            body: PackedLines::default(),
            gutter: Span::raw(""),
            foot: Vec::new(),
            markdown: MarkdownLines::default(),
            stable_lines: 0,
            stable_bytes: 0,
        };
        out.refresh(msg, opts, theme, syntax);
        out
    }

    /// Brings the lines up to date with `msg`, re-wrapping only text that can have changed.
    pub fn refresh(&mut self, msg: &Message, opts: LayoutOptions, theme: &Theme, syntax: &Syntax) {
        self.revision = msg.revision();
        self.head = head_lines(msg, opts, theme);
        self.foot = foot_lines(msg, opts, theme);
        let content = msg.content.as_str();
        let gutter = body_gutter(msg.role, theme);
        if gutter != self.gutter {
            self.body.clear();
            self.stable_lines = 0;
            self.stable_bytes = 0;
            self.gutter = gutter.clone();
        }
        if msg.role == Role::Assistant {
            // Replies are markdown; what the user typed is shown exactly as typed.
            self.markdown.set_live(msg.status.is_live());
            self.markdown
                .update(content, opts.width, &gutter, theme, syntax);
            if !msg.status.is_live() {
                self.markdown.finish();
            }
            return;
        }
        // A system prompt is context, not conversation: dimmed.
        let style = if msg.role == Role::System {
            theme.meta
        } else {
            theme.body
        };
        let grows =
            self.stable_bytes <= content.len() && content.is_char_boundary(self.stable_bytes);
        if !grows {
            self.body.clear();
            self.stable_lines = 0;
            self.stable_bytes = 0;
        }
        if msg.status.is_live() {
            // Only text up to the last newline is final; the tail is re-wrapped every time.
            if let Some(nl) = content[self.stable_bytes..].rfind('\n') {
                let end = self.stable_bytes + nl;
                self.body.truncate(self.stable_lines);
                push_wrapped(
                    &mut self.body,
                    &content[self.stable_bytes..end],
                    opts.width,
                    style,
                );
                self.stable_lines = self.body.len();
                self.stable_bytes = end + 1;
            }
            self.body.truncate(self.stable_lines);
            let tail = &content[self.stable_bytes..];
            if !tail.is_empty() {
                push_wrapped(&mut self.body, tail, opts.width, style);
            }
        } else {
            // A finished message is laid out once, trimmed of trailing blank lines.
            self.body.clear();
            let text = content.trim_end();
            if !text.is_empty() {
                push_wrapped(&mut self.body, text, opts.width, style);
            }
            self.stable_lines = 0;
            self.stable_bytes = 0;
        }
    }

    /// Puts in the colours of code lines painted since the last call; `msg` is the message
    /// laid out. Heights do not change.
    pub fn apply_painted(&mut self, msg: &Message, theme: &Theme, syntax: &Syntax) {
        if self.markdown.awaits_paint() {
            self.markdown.apply_painted(&msg.content, theme, syntax);
        }
    }

    /// Number of screen lines.
    pub fn height(&self) -> usize {
        self.head.len() + self.body_len() + self.foot.len()
    }

    /// The line at `i` (0 = header).
    pub fn line(&self, i: usize) -> Option<Line<'_>> {
        let (h, b) = (self.head.len(), self.body_len());
        if i < h {
            self.head.get(i).cloned()
        } else if i < h + b {
            // Prompts are plain wrapped text; replies are markdown.
            if self.body.is_empty() {
                self.markdown.line(i - h)
            } else {
                self.body.get(i - h, &self.gutter)
            }
        } else {
            self.foot.get(i - h - b).cloned()
        }
    }

    fn body_len(&self) -> usize {
        if self.body.is_empty() {
            self.markdown.len()
        } else {
            self.body.len()
        }
    }
}

fn body_gutter(role: Role, theme: &Theme) -> Span<'static> {
    match role {
        Role::User => Span::styled("▍ ", theme.user_gutter),
        _ => Span::raw("  "),
    }
}

fn push_wrapped(out: &mut PackedLines, text: &str, width: usize, style: ratatui::style::Style) {
    out.extend(wrap_text(&sanitize(text), width, style));
}

fn head_lines(msg: &Message, opts: LayoutOptions, theme: &Theme) -> Vec<Line<'static>> {
    let time = msg.created.format("%H:%M").to_string();
    let mut spans = match msg.role {
        Role::User => vec![Span::styled("▍ You", theme.user_label)],
        Role::Assistant => {
            let model = msg.model.clone().unwrap_or_else(|| "assistant".into());
            vec![
                Span::styled("◆ ", theme.assistant_label),
                Span::styled(sanitize(&model).into_owned(), theme.assistant_label),
            ]
        }
        Role::System => vec![Span::styled("  system prompt", theme.meta)],
    };
    spans.push(Span::styled(format!(" · {time}"), theme.meta));
    if let Some(fork) = msg.fork {
        // `<` and `>` switch; the marker says there is something to switch to.
        spans.push(Span::styled(
            format!(" · ‹{}/{}›", fork.index, fork.count),
            theme.meta,
        ));
    }
    if msg.status == Status::Streaming {
        // The status bar says it too, but the eye is on the message.
        spans.push(Span::styled(" · writing…", theme.meta));
    }
    if let Some(u) = msg.usage.filter(|u| !u.is_placeholder()) {
        spans.push(Span::styled(
            format!(" · {} tokens", u.total_tokens),
            theme.meta,
        ));
    }
    let mut lines = vec![Line::from(spans)];
    lines.extend(crate::view::attachments::message_lines(msg, theme));
    if msg.reasoning.trim().is_empty() {
        return lines;
    }
    let thinking_live = msg.status.is_live() && msg.content.is_empty();
    if opts.show_reasoning || thinking_live {
        let gutter = Span::styled("┆ ", theme.reasoning);
        for line in wrap_text(&sanitize(msg.reasoning.trim()), opts.width, theme.reasoning) {
            let mut spans = vec![gutter.clone()];
            spans.extend(line.spans);
            lines.push(Line::from(spans));
        }
    } else {
        let n = msg.reasoning.chars().count();
        lines.push(Line::from(Span::styled(
            format!("  ▸ thought for {n} characters (Ctrl+T shows it)"),
            theme.reasoning,
        )));
    }
    lines
}

/// Under a failed reply: what becomes of its turn, and what can be done with it.
pub const LEFT_OUT: &str = "left out of later requests with its prompt (Ctrl+R retries the last turn; d deletes a selected one)";

fn foot_lines(msg: &Message, opts: LayoutOptions, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    // A sign, then the text with its continuation lines indented under the text, not the sign.
    let mut note = |sign: &str, text: String, style| {
        let sign_w = crate::text::display_width(sign) + 1;
        let wrapped = wrap_text(
            &sanitize(&text),
            opts.width.saturating_sub(sign_w).max(1),
            style,
        );
        for (i, line) in wrapped.into_iter().enumerate() {
            let lead = if i == 0 {
                format!("  {sign} ")
            } else {
                " ".repeat(2 + sign_w)
            };
            let mut spans = vec![Span::styled(lead, style)];
            spans.extend(line.spans);
            lines.push(Line::from(spans));
        }
    };
    match &msg.status {
        Status::Waiting => note("…", String::new(), theme.meta),
        Status::Cancelled => note("⊘", "cancelled".into(), theme.warning),
        Status::Interrupted(e) => note("⚠", format!("interrupted: {e}"), theme.error),
        Status::Failed(e) => note("✖", e.clone(), theme.error),
        Status::Done | Status::Streaming => {}
    }
    if msg.role == Role::Assistant
        && !msg.status.is_live()
        && !msg.in_context()
        && !msg.is_task_card()
    {
        // Strict APIs refuse two prompts in a row, so the prompt of a reply that is not sent
        // back (failed, empty) is not sent again either.
        note("⊘", LEFT_OUT.into(), theme.meta);
    }
    match msg.finish_reason.as_deref() {
        Some("length") => note("…", "stopped at the max_tokens limit".into(), theme.warning),
        Some(crate::chat::OVER_SIZE_LIMIT) => note(
            "…",
            "stopped: over the size limit (max_reply_mb)".into(),
            theme.warning,
        ),
        Some(r @ ("content_filter" | "sensitive")) => note(
            "⚠",
            format!("stopped by the provider's content filter ({r})"),
            theme.warning,
        ),
        _ if msg.truncated => note(
            "…",
            "the stream ended without [DONE] or a finish reason: the reply may be truncated".into(),
            theme.warning,
        ),
        _ => {}
    }
    for (i, c) in msg.citations.iter().enumerate() {
        note(
            &format!("[{}]", i + 1),
            format!("{} {}", c.title, c.url),
            theme.meta,
        );
    }
    if let Some(cost) = msg.cost.filter(|_| !msg.status.is_live()) {
        let text = crate::cost::reply_line(cost, msg.usage.as_ref());
        lines.push(Line::from(Span::styled(format!("  {text}"), theme.meta)));
    }
    lines.push(Line::default());
    lines
}
