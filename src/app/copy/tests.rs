use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::app::test_harness::Harness;
use crate::app::{Effect, Focus};

const REPLY: &str = "两段代码：\n\n```python\nprint('一')\n```\n\n然后\n\n```rust\nfn main() {\n    println!(\"二\");\n}\n```\n\n完。";

fn copied_text(fx: &[Effect]) -> &str {
    match fx {
        [Effect::Copy { text }] => text,
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
    let ids: Vec<u64> = h.app.conv.messages().iter().map(|m| m.id).collect();
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
    assert_eq!(h.app.selected, Some(h.app.conv.messages()[0].id));
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
    use crate::keymap::{Combo, Command};
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

/// What the terminal gets for a copy: crossterm's OSC 52 with the text in base64, decoded.
fn osc52_payload(fx: &[Effect]) -> String {
    use base64::Engine;
    let text = copied_text(fx);
    let mut out = String::new();
    crossterm::Command::write_ansi(
        &crossterm::clipboard::CopyToClipboard::to_clipboard_from(text),
        &mut out,
    )
    .unwrap();
    let body = out
        .strip_prefix("\x1b]52;")
        .and_then(|s| s.split_once(';'))
        .map(|(_, b64)| b64.trim_end_matches(['\x07', '\x1b', '\\']))
        .unwrap_or_else(|| panic!("not an OSC 52: {out:?}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

fn focused_on(reply: &str) -> Harness {
    let mut h = Harness::new();
    h.exchange("q", reply);
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    h
}

#[test]
fn y_copies_a_reply_without_the_escape_sequences_the_screen_drops_and_says_so() {
    let reply =
        "清屏\x1b[2J 剪贴板\x1b]52;c;dG91Y2ggL3RtcC9QV05FRA==\x07 标题\x1b]0;pwned\x1b\\ 完";
    let mut h = focused_on(reply);
    let payload = osc52_payload(&h.press('y'));
    assert_eq!(payload, "清屏 剪贴板 标题 完");
    assert!(!payload.contains(['\x1b', '\x07']));
    assert!(
        h.notice().ends_with(STRIPPED_NOTE),
        "the copy differs from the reply: {}",
        h.notice()
    );
}

#[test]
fn shift_y_copies_the_code_block_as_shown_not_a_hidden_8_bit_osc() {
    let mut h = focused_on("试试：\n\n```sh\nls -la\u{9d};touch /tmp/PWNED;\u{7}\n```\n");
    let payload = osc52_payload(&h.press('Y'));
    assert_eq!(payload, "ls -la");
    assert!(h.notice().starts_with("copied the sh code block: 1 line"));
    assert!(h.notice().ends_with(STRIPPED_NOTE), "{}", h.notice());
    // The multi-line form that ran in dash without Enter: the hidden lines stay hidden.
    let mut h = focused_on("```sh\necho hi\u{9d}\ntouch /tmp/PWNED\n\u{7}\n```\n");
    assert_eq!(osc52_payload(&h.press('Y')), "echo hi");
}

#[test]
fn control_characters_are_copied_as_the_stand_ins_the_screen_shows() {
    // NEL (a C1 control) and a lone ESC or BEL: visible stand-ins on screen, the same in the copy.
    let mut h = focused_on("a\u{85}b\x07c\x1b");
    assert_eq!(osc52_payload(&h.press('y')), "a\u{FFFD}b\u{2407}c\u{241B}");
    assert!(h.notice().ends_with(STRIPPED_NOTE));
}

#[test]
fn a_sequence_is_cut_where_the_screen_cuts_it() {
    // The screen draws markdown block by block; an unterminated OSC ends with its block, so the
    // next paragraph is on screen and in the copy.
    let reply = "第一段\u{9d}hidden\n\n第二段\u{7}尾\n";
    let drawn: Vec<String> = crate::view::markdown::render_markdown(
        reply,
        40,
        &crate::view::theme::Theme::default(),
        &crate::view::markdown::Syntax::default(),
    )
    .iter()
    .map(|l| l.to_string().trim().to_string())
    .filter(|l| !l.is_empty())
    .collect();
    assert_eq!(drawn, ["第一段", "第二段\u{2407}尾"], "the screen");
    let mut h = focused_on(reply);
    assert_eq!(osc52_payload(&h.press('y')), "第一段\n\n第二段\u{2407}尾\n");
}

#[test]
fn a_prompt_with_controls_is_copied_as_shown() {
    let mut h = focused_on("ok");
    h.press('[');
    h.press('[');
    let fx = h.press('y');
    assert_eq!(copied_text(&fx), "q");
    assert!(!h.notice().contains(STRIPPED_NOTE), "clean text: no note");
    let mut h = Harness::new();
    h.exchange("placeholder", "ok");
    // Pasted text keeps what typing cannot enter.
    let id = h.app.conv.messages()[0].id;
    h.app
        .conv
        .get_mut(id)
        .unwrap()
        .edit(|f| f.content = "看\x1b]0;t\x07这里".into());
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    h.press('[');
    h.press('[');
    assert_eq!(copied_text(&h.press('y')), "看这里");
    assert!(h.notice().ends_with(STRIPPED_NOTE));
}
