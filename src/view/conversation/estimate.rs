//! Heights of messages that are not on screen yet, guessed without laying them out.

use crate::chat::{Message, Status};

use super::LayoutOptions;

/// Roughly how many screen lines `msg` takes at `opts`: header, its attachments (one line
/// each), reasoning, body, notes and the blank line after it. Used for history far from the view (a resumed 5,000-message session),
/// so start-up costs the screen, not the history; the real height replaces it once on screen.
pub(super) fn estimated_height(msg: &Message, opts: LayoutOptions) -> usize {
    let mut height = 1 + msg.attachments.len();
    let reasoning = msg.reasoning.trim();
    if !reasoning.is_empty() {
        height += if opts.show_reasoning {
            text_rows(reasoning, opts.width)
        } else {
            1
        };
    }
    height += text_rows(msg.content.trim_end(), opts.width);
    if !matches!(msg.status, Status::Done | Status::Streaming) {
        height += 1;
    }
    let noted_finish = matches!(
        msg.finish_reason.as_deref(),
        Some("length" | "content_filter" | "sensitive")
    );
    if noted_finish || msg.truncated {
        height += 1;
    }
    height + msg.citations.len() + 1
}

/// Source lines plus their wraps at `width` columns.
fn text_rows(text: &str, width: usize) -> usize {
    if text.is_empty() {
        return 0;
    }
    let width = width.max(1);
    text.split('\n')
        .map(|line| {
            let chars = line.chars().count();
            // CJK takes three bytes and two columns, ASCII one byte and one column.
            let cols = chars + (line.len() - chars) / 2;
            cols.div_ceil(width).max(1)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::Role;

    fn opts(width: usize) -> LayoutOptions {
        LayoutOptions {
            width,
            show_reasoning: false,
        }
    }

    #[test]
    fn counts_lines_wraps_and_wide_characters() {
        let msg = Message::new(0, Role::User, "one\ntwo", crate::chat::test_time());
        assert_eq!(estimated_height(&msg, opts(40)), 1 + 2 + 1);
        let wide = Message::new(0, Role::User, "你好".repeat(10), crate::chat::test_time());
        // 40 columns at width 10: four rows.
        assert_eq!(estimated_height(&wide, opts(10)), 1 + 4 + 1);
        let mut thinking = Message::new(0, Role::Assistant, "a", crate::chat::test_time());
        thinking.edit(|f| f.reasoning = "r\nr".into());
        assert_eq!(estimated_height(&thinking, opts(40)), 1 + 1 + 1 + 1);
        let shown = LayoutOptions {
            width: 40,
            show_reasoning: true,
        };
        assert_eq!(estimated_height(&thinking, shown), 1 + 2 + 1 + 1);
    }

    #[test]
    fn a_prompt_with_attachments_is_estimated_as_tall_as_it_is_laid_out() {
        let mut msg = Message::new(0, Role::User, "看看这些\n文件", crate::chat::test_time());
        msg.attach(vec![
            crate::attach::Attachment::image_url("https://example.com/猫.png"),
            crate::attach::Attachment {
                name: "笔记.md".into(),
                body: crate::attach::Body::Text("# 标题".into()),
            },
            crate::attach::Attachment::image_url("https://example.com/狗.jpg"),
        ]);
        let laid_out = super::super::message::MessageLines::new(
            &msg,
            opts(40),
            &crate::view::theme::Theme::default(),
            &crate::view::markdown::Syntax::default(),
        );
        assert_eq!(estimated_height(&msg, opts(40)), laid_out.height());
        assert_eq!(estimated_height(&msg, opts(40)), 1 + 3 + 2 + 1);
    }
}
