use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::app::test_harness::Harness;
use crate::app::{Effect, Focus};

const REPLY: &str = "两段代码：\n\n```python\nprint('一')\n```\n\n然后\n\n```rust\nfn main() {\n    println!(\"二\");\n}\n```\n\n完。";

fn copied_text(fx: &[Effect]) -> &str {
    match fx {
        [Effect::Media(MediaEffect::Copy { text })] => text,
        other => panic!("expected one Copy effect, got {other:?}"),
    }
}

fn focused() -> Harness {
    let mut h = Harness::new();
    h.exchange("第一个问题", "first answer");
    h.exchange("show code", REPLY);
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(h.app.focus, Focus::Conversation);
    h
}

#[test]
fn code_blocks_keep_language_and_text_and_an_open_fence_counts() {
    let blocks = code_blocks(REPLY);
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].lang.as_deref(), Some("python"));
    assert_eq!(blocks[1].text, "fn main() {\n    println!(\"二\");\n}");
    let open = code_blocks("text\n```sh\nls -la\n");
    assert_eq!(
        open,
        [CodeBlock {
            lang: Some("sh".into()),
            text: "ls -la".into()
        }]
    );
    assert_eq!(code_blocks("    indented\n")[0].lang, None);
    assert!(code_blocks("`inline` only").is_empty());
}

#[test]
fn brackets_walk_the_messages_from_the_newest_and_stop_at_the_ends() {
    let mut h = focused();
    let ids: Vec<u64> = h.app.conv.messages.iter().map(|m| m.id).collect();
    assert_eq!(h.app.selected, None);
    h.press('[');
    assert_eq!(h.app.selected, Some(ids[3]), "first press: the newest");
    h.press('[');
    h.press('[');
    h.press('[');
    h.press('[');
    assert_eq!(h.app.selected, Some(ids[0]), "clamped at the oldest");
    h.press(']');
    assert_eq!(h.app.selected, Some(ids[1]));
    assert_eq!(h.app.focus, Focus::Conversation, "[ and ] do not type");
    assert!(h.app.prompt.is_empty());
}

#[test]
fn selecting_an_old_message_scrolls_it_into_view() {
    let mut h = Harness::new();
    for i in 0..12 {
        h.exchange(&format!("q{i}"), &"line\n".repeat(4));
    }
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    for _ in 0..24 {
        h.press('[');
    }
    assert_eq!(h.app.selected, Some(h.app.conv.messages[0].id));
    assert_eq!(h.app.scroll_top(), 0);
    assert!(!h.app.scroll.follow);
    for _ in 0..24 {
        h.press(']');
    }
    assert!(h.app.scroll.follow, "the newest message is at the end");
}

#[test]
fn y_copies_the_selected_message_as_written_and_says_how_much() {
    let mut h = focused();
    h.press('[');
    h.press('[');
    h.press('[');
    let fx = h.press('y');
    assert_eq!(copied_text(&fx), "first answer");
    assert_eq!(h.notice(), "copied the reply: 1 line, 12 bytes (OSC 52)");
    h.press('[');
    let fx = h.press('y');
    assert_eq!(copied_text(&fx), "第一个问题");
    assert!(
        h.notice()
            .starts_with("copied your prompt: 1 line, 15 bytes")
    );
}

#[test]
fn y_without_a_selection_copies_the_last_reply() {
    let mut h = focused();
    let fx = h.press('y');
    assert_eq!(copied_text(&fx), REPLY);
    assert!(h.notice().contains("the reply: 15 lines"), "{}", h.notice());
}

#[test]
fn shift_y_copies_the_last_code_block_of_the_selection_or_of_the_last_reply() {
    let mut h = focused();
    let fx = h.press('Y');
    assert_eq!(copied_text(&fx), "fn main() {\n    println!(\"二\");\n}");
    assert_eq!(
        h.notice(),
        "copied the rust code block: 3 lines, 34 bytes (OSC 52)"
    );
    h.press('[');
    h.press('[');
    h.press('[');
    assert!(h.press('Y').is_empty(), "the first answer has no code");
    assert_eq!(h.notice(), "the selected message has no code block");
}

#[test]
fn the_last_reply_with_code_is_found_further_up() {
    let mut h = Harness::new();
    h.exchange("code", "```\nx = 1\n```");
    h.exchange("thanks", "不客气");
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    let fx = h.press('Y');
    assert_eq!(copied_text(&fx), "x = 1");
    assert!(h.notice().starts_with("copied the code block: 1 line"));
}

#[test]
fn nothing_to_copy_says_so() {
    let mut h = Harness::new();
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    assert!(h.press('y').is_empty());
    assert_eq!(h.notice(), "nothing to copy yet");
    assert!(h.press('Y').is_empty());
    assert_eq!(h.notice(), "no reply has a code block");
    assert!(h.press('[').is_empty());
    assert_eq!(h.notice(), "no messages to select");
}

#[test]
fn the_selection_ends_with_esc_or_when_the_focus_leaves() {
    let mut h = focused();
    h.press('[');
    assert!(h.app.selected.is_some());
    h.key(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(h.app.selected, None);
    assert_eq!(h.app.focus, Focus::Conversation);
    h.press('[');
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(h.app.focus, Focus::Input);
    assert_eq!(h.app.selected, None);
}

#[test]
fn in_the_input_y_types_and_brackets_type() {
    let mut h = Harness::new();
    h.exchange("q", "```\ncode\n```");
    let fx = h.press('y');
    assert!(fx.is_empty());
    h.type_text("[]Y");
    assert_eq!(h.app.prompt.text(), "y[]Y");
}

#[test]
fn copy_keys_follow_the_key_map() {
    use crate::app::keymap::{Combo, Command};
    let mut h = focused();
    h.app.keymap = h
        .app
        .keymap
        .with_overrides(&[(Command::CopyMessage, vec![Combo::parse("c").unwrap()])])
        .unwrap();
    let fx = h.press('c');
    assert_eq!(copied_text(&fx), REPLY);
    // `y` is no longer a conversation key: it types into the prompt.
    assert_eq!(h.app.focus, Focus::Conversation);
    assert!(h.press('y').is_empty());
    assert_eq!(h.app.prompt.text(), "y");
}

#[test]
fn sizes_read_naturally() {
    assert_eq!(size("a"), "1 line, 1 byte");
    assert_eq!(size("a\nb"), "2 lines, 3 bytes");
    assert_eq!(size(&"x".repeat(2048)), "1 line, 2.0 KB");
}
