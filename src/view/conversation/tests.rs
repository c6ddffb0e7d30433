use super::*;
use crate::chat::{Conversation, Role, Status};
use ratatui::text::Line;

fn text_of(lines: &[Line<'_>]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

fn layout_lines(m: &MessageLines) -> Vec<Line<'static>> {
    (0..m.height())
        .filter_map(|i| m.line(i).map(crate::view::markdown::owned))
        .collect()
}

const REPLY: &str = "第一段：你好，世界！这是一个测试。\n\nSecond paragraph with English words that wrap.\n- 列表项一\n- list item two\n\n```rust\nfn main() {}\n```\n尾巴";

#[test]
fn incremental_wrapping_matches_a_fresh_layout_at_every_cut() {
    let theme = Theme::default();
    let opts = LayoutOptions {
        width: 12,
        show_reasoning: false,
    };
    let mut conv = Conversation::default();
    let id = conv.push(Role::Assistant, "", crate::chat::test_time());
    conv.get_mut(id)
        .unwrap()
        .edit(|f| f.status = Status::Streaming);
    let syntax = Syntax::default();
    let mut cached = MessageLines::new(&conv.messages()[0], opts, &theme, &syntax);
    // Feed the reply in pieces of 1..=4 characters, as a stream would.
    let chars: Vec<char> = REPLY.chars().collect();
    let mut i = 0;
    let mut step = 1;
    while i < chars.len() {
        let end = (i + step).min(chars.len());
        let piece: String = chars[i..end].iter().collect();
        let msg = conv.get_mut(id).unwrap();
        msg.edit(|f| f.content.push_str(&piece));
        cached.refresh(&conv.messages()[0], opts, &theme, &syntax);
        let fresh = MessageLines::new(&conv.messages()[0], opts, &theme, &syntax);
        assert_eq!(
            text_of(&layout_lines(&cached)),
            text_of(&layout_lines(&fresh)),
            "after {end} chars"
        );
        i = end;
        step = step % 4 + 1;
    }
}

#[test]
fn visible_returns_exactly_the_requested_window() {
    let theme = Theme::default();
    let mut conv = Conversation::default();
    for i in 0..50 {
        conv.push(Role::User, format!("q{i}"), crate::chat::test_time());
        conv.push(
            Role::Assistant,
            format!("a{i}\nline two"),
            crate::chat::test_time(),
        );
    }
    let mut layout = ConversationLayout::default();
    let opts = LayoutOptions {
        width: 40,
        show_reasoning: false,
    };
    layout.sync(&conv, opts, &theme);
    // user: header + body + blank = 3; assistant: header + 2 + blank = 4; no blank after the last.
    assert_eq!(layout.total_lines(), 50 * 7 - 1);
    let all = layout.visible(0, usize::MAX / 2);
    assert_eq!(all.len(), 349);
    assert_eq!(
        text_of(&all[348..]),
        ["  line two"],
        "the view ends on text"
    );
    for top in [0, 1, 3, 6, 7, 100, 345] {
        let window = layout.visible(top, 5);
        let expect: Vec<_> = all[top..(top + 5).min(349)].to_vec();
        assert_eq!(text_of(&window), text_of(&expect), "top {top}");
    }
    assert!(layout.visible(349, 5).is_empty());
    assert_eq!(layout.start_of(1), Some(3));
}

#[test]
fn only_changed_messages_are_laid_out_again() {
    let theme = Theme::default();
    let mut conv = Conversation::default();
    conv.push(Role::User, "q", crate::chat::test_time());
    let a = conv.push(Role::Assistant, "a", crate::chat::test_time());
    let mut layout = ConversationLayout::default();
    let opts = LayoutOptions {
        width: 40,
        show_reasoning: false,
    };
    layout.sync(&conv, opts, &theme);
    let before = layout.total_lines();
    let m = conv.get_mut(a).unwrap();
    m.append("\nmore");
    layout.sync(&conv, opts, &theme);
    assert_eq!(layout.total_lines(), before + 1);
    // Same revision: the cache is trusted and nothing changes.
    layout.sync(&conv, opts, &theme);
    assert_eq!(layout.total_lines(), before + 1);
}

#[test]
fn hostile_escape_sequences_never_reach_a_line() {
    let theme = Theme::default();
    let mut conv = Conversation::default();
    conv.push(
        Role::Assistant,
        "ok\x1b]52;c;aGVsbG8=\x07 \x1b[2J\x1b]0;pwned\x07done\u{9b}31m",
        crate::chat::test_time(),
    );
    let mut layout = ConversationLayout::default();
    layout.sync(
        &conv,
        LayoutOptions {
            width: 40,
            show_reasoning: false,
        },
        &theme,
    );
    for line in layout.visible(0, 100) {
        for span in line.spans {
            assert!(
                !span.content.chars().any(|c| c.is_control()),
                "{:?}",
                span.content
            );
        }
    }
}

#[test]
fn replies_are_markdown_but_prompts_and_reasoning_stay_plain() {
    let theme = Theme::default();
    let mut conv = Conversation::default();
    conv.push(Role::User, "**not bold** `x`", crate::chat::test_time());
    let a = conv.push(Role::Assistant, "**bold** `x`", crate::chat::test_time());
    conv.get_mut(a)
        .unwrap()
        .edit(|f| f.reasoning = "*thinking* `y`".into());
    let opts = LayoutOptions {
        width: 40,
        show_reasoning: true,
    };
    let mut layout = ConversationLayout::default();
    layout.sync(&conv, opts, &theme);
    let text = text_of(&layout.visible(0, 100));
    assert_eq!(text[1], "▍ **not bold** `x`");
    assert_eq!(text[4], "┆ *thinking* `y`");
    assert_eq!(text[5], "  bold x");
}

#[test]
fn a_long_history_is_laid_out_only_where_it_is_seen() {
    let theme = Theme::default();
    let conv = crate::dev::synthetic::conversation(2_000);
    let opts = LayoutOptions {
        width: 100,
        show_reasoning: false,
    };
    let mut full = ConversationLayout::default();
    full.sync(&conv, opts, &theme);
    while full.ensure(&conv, 0, usize::MAX / 4, &theme) {}
    assert_eq!(full.laid_out(), 2_000);

    let mut lazy = ConversationLayout::default();
    lazy.sync(&conv, opts, &theme);
    assert!(lazy.laid_out() < 200, "{} laid out", lazy.laid_out());
    let h = 38;
    // The bottom, as a following view shows it, is exact.
    loop {
        let top = lazy.total_lines() - h;
        if !lazy.ensure(&conv, top, h, &theme) {
            break;
        }
    }
    let bottom = lazy.visible(lazy.total_lines() - h, h);
    let full_bottom = full.visible(full.total_lines() - h, h);
    assert_eq!(text_of(&bottom), text_of(&full_bottom));
    // So is the top, once scrolled there, and what lies between stays estimated.
    while lazy.ensure(&conv, 0, h, &theme) {}
    assert_eq!(text_of(&lazy.visible(0, h)), text_of(&full.visible(0, h)));
    assert_eq!(lazy.estimated_in(0, h), 0);
    assert!(lazy.laid_out() < 300);
    // A message that changes while estimated is estimated again, and exact once on screen.
    let mut conv = conv;
    let id = conv.messages()[1000].id;
    conv.get_mut(id).unwrap().append("\nmore\nlines");
    lazy.sync(&conv, opts, &theme);
    let at = lazy.start_of(1000).unwrap();
    while lazy.ensure(&conv, at, h, &theme) {}
    full.sync(&conv, opts, &theme);
    let full_at = full.start_of(1000).unwrap();
    assert_eq!(
        text_of(&lazy.visible(at, 5)),
        text_of(&full.visible(full_at, 5))
    );
}

#[test]
fn replies_left_out_of_later_requests_say_so_and_others_do_not() {
    let theme = Theme::default();
    let opts = LayoutOptions {
        width: 200,
        show_reasoning: false,
    };
    let shows_note = |status: Status, content: &str, model: Option<&str>| {
        let mut conv = Conversation::default();
        let id = conv.push(Role::Assistant, content, crate::chat::test_time());
        conv.get_mut(id).unwrap().edit(|f| {
            f.status = status;
            f.model = model.map(str::to_string);
        });
        let lines = text_of(&layout_lines(&MessageLines::new(
            &conv.messages()[0],
            opts,
            &theme,
            &Syntax::default(),
        )));
        lines.iter().any(|l| l.contains(super::message::LEFT_OUT))
    };
    assert!(shows_note(Status::Failed("502".into()), "", None));
    assert!(shows_note(Status::Cancelled, "", None));
    assert!(!shows_note(Status::Cancelled, "half", None));
    assert!(!shows_note(Status::Done, "答案", None));
    assert!(!shows_note(Status::Waiting, "", None));
    let images = format!("m{}", crate::chat::IMAGES_MARK);
    assert!(!shows_note(Status::Done, "![i](u)", Some(&images)));
}

#[test]
fn a_long_session_keeps_only_the_lines_near_the_view() {
    let theme = Theme::default();
    let conv = crate::dev::synthetic::conversation(1_000);
    let opts = LayoutOptions {
        width: 60,
        show_reasoning: false,
    };
    let h = 30;
    let mut full = ConversationLayout::default();
    full.sync(&conv, opts, &theme);
    while full.ensure(&conv, 0, usize::MAX / 4, &theme) {}
    // Scrolling through the whole session, a screen at a time, as a reader would.
    let mut lazy = ConversationLayout::default();
    lazy.sync(&conv, opts, &theme);
    let mut top = 0;
    while top < full.total_lines() {
        while lazy.ensure(&conv, top, h, &theme) {}
        assert_eq!(
            text_of(&lazy.visible(top, h)),
            text_of(&full.visible(top, h)),
            "at line {top}"
        );
        top += h;
    }
    assert!(lazy.laid_out() <= KEEP_LAID, "{} laid out", lazy.laid_out());
    // What went back to a height kept its exact height: every message starts where it did.
    for i in 0..conv.messages().len() {
        assert_eq!(lazy.start_of(i), full.start_of(i), "message {i}");
    }
    while lazy.ensure(&conv, 0, h, &theme) {}
    assert_eq!(text_of(&lazy.visible(0, h)), text_of(&full.visible(0, h)));
}
