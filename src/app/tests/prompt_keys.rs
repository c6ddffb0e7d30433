//! The prompt's keys through `update`: Ctrl+C and Ctrl+D as in a shell, history across
//! soft-wrapped lines, readline editing, the Ctrl+X Ctrl+E sequence.

use super::*;

fn ctrl(h: &mut Harness, c: char) -> Vec<Effect> {
    h.key(KeyCode::Char(c), KeyModifiers::CONTROL)
}

#[test]
fn ctrl_c_clears_a_draft_into_the_history_and_quits_only_when_empty() {
    let mut h = Harness::new();
    for i in 0..16 {
        h.type_text(&format!("line {i}"));
        h.key(KeyCode::Char('j'), KeyModifiers::CONTROL);
    }
    let draft = h.app.prompt.text();
    let fx = ctrl(&mut h, 'c');
    assert!(fx.is_empty(), "{fx:?}");
    assert!(!h.app.quit);
    assert!(h.app.prompt.is_empty());
    assert_eq!(h.app.prompt.history().last(), Some(&draft));
    assert!(h.notice().contains("Up brings it back"), "{}", h.notice());
    h.key(KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(h.app.prompt.text(), draft);
    // Back to an empty prompt: now Ctrl+C quits.
    ctrl(&mut h, 'u');
    while !h.app.prompt.is_empty() {
        h.key(KeyCode::Backspace, KeyModifiers::NONE);
    }
    let fx = ctrl(&mut h, 'c');
    assert!(fx.is_empty(), "{fx:?}");
    assert!(h.app.quit);
}

#[test]
fn ctrl_c_cancels_a_reply_before_touching_the_prompt() {
    let mut h = Harness::new();
    let id = h.send("question");
    h.type_text("next draft");
    let fx = ctrl(&mut h, 'c');
    assert!(matches!(fx.as_slice(), [Effect::CancelReply { reply_id }] if *reply_id == id));
    assert_eq!(h.app.prompt.text(), "next draft");
    assert!(!h.app.quit);
}

#[test]
fn ctrl_d_deletes_forward_and_quits_on_an_empty_prompt() {
    let mut h = Harness::new();
    h.type_text("ab");
    ctrl(&mut h, 'a');
    assert!(ctrl(&mut h, 'd').is_empty());
    assert_eq!(h.app.prompt.text(), "b");
    assert!(!h.app.quit);
    h.key(KeyCode::Delete, KeyModifiers::NONE);
    assert!(h.app.prompt.is_empty());
    let fx = ctrl(&mut h, 'd');
    assert!(fx.is_empty(), "{fx:?}");
    assert!(h.app.quit);
}

#[test]
fn up_moves_within_a_wrapped_line_before_recalling_history() {
    // 80 columns: the prompt has 80 - chrome columns; a 300-character line wraps to 4+ rows.
    let mut h = Harness::new();
    h.exchange("earlier prompt", "ok");
    let long = "word ".repeat(60);
    h.type_text(&long);
    let up = |h: &mut Harness| h.key(KeyCode::Up, KeyModifiers::NONE);
    up(&mut h);
    assert_eq!(
        h.app.prompt.text(),
        long,
        "Up on a lower row stays in the prompt"
    );
    // Enough Ups reach the first row; one more recalls the previous prompt.
    for _ in 0..10 {
        if h.app.prompt.text() != long {
            break;
        }
        up(&mut h);
    }
    assert_eq!(h.app.prompt.text(), "earlier prompt");
    h.key(KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(
        h.app.prompt.text(),
        long,
        "Down past the newest restores the draft"
    );
}

#[test]
fn readline_keys_edit_the_prompt() {
    let mut h = Harness::new();
    h.type_text("hello big world");
    ctrl(&mut h, 'w');
    assert_eq!(h.app.prompt.text(), "hello big ");
    ctrl(&mut h, 'a');
    h.key(KeyCode::Char('f'), KeyModifiers::ALT);
    ctrl(&mut h, 'k');
    assert_eq!(h.app.prompt.text(), "hello");
    ctrl(&mut h, 'e');
    ctrl(&mut h, 'y');
    assert_eq!(h.app.prompt.text(), "hello big ");
    ctrl(&mut h, 'u');
    assert_eq!(h.app.prompt.text(), "");
    ctrl(&mut h, '_');
    assert_eq!(h.app.prompt.text(), "hello big ");
    h.key(KeyCode::Home, KeyModifiers::NONE);
    ctrl(&mut h, 'f');
    h.press('X');
    assert_eq!(h.app.prompt.text(), "hXello big ");
    ctrl(&mut h, 'b');
    ctrl(&mut h, 'b');
    h.key(KeyCode::Char('b'), KeyModifiers::ALT);
    h.press('>');
    assert_eq!(h.app.prompt.text(), ">hXello big ");
}

#[test]
fn ctrl_x_ctrl_e_and_alt_e_open_the_editor_and_ctrl_e_moves_to_the_end() {
    let mut h = Harness::new();
    h.type_text("draft");
    ctrl(&mut h, 'a');
    assert!(ctrl(&mut h, 'e').is_empty(), "Ctrl+E alone is end of line");
    assert!(ctrl(&mut h, 'x').is_empty());
    assert!(h.app.pending_ctrl_x);
    let fx = ctrl(&mut h, 'e');
    assert!(
        matches!(fx.as_slice(), [Effect::EditPrompt { text }] if text == "draft"),
        "{fx:?}"
    );
    assert!(!h.app.pending_ctrl_x);
    let fx = h.key(KeyCode::Char('e'), KeyModifiers::ALT);
    assert!(
        matches!(fx.as_slice(), [Effect::EditPrompt { .. }]),
        "{fx:?}"
    );
    // An unknown sequence does nothing, and the key after it types again.
    ctrl(&mut h, 'x');
    h.press('z');
    assert!(!h.app.pending_ctrl_x);
    assert_eq!(h.app.prompt.text(), "draft");
    h.press('z');
    assert_eq!(h.app.prompt.text(), "draftz");
}

#[test]
fn sent_prompts_and_cleared_drafts_bump_the_history_revision() {
    let mut h = Harness::new();
    h.app.prompt.set_history(vec!["from last run".into()]);
    assert_eq!(
        h.app.prompt.history_rev(),
        0,
        "loading is not a change to write"
    );
    h.exchange("one", "ok");
    h.type_text("draft");
    ctrl(&mut h, 'c');
    assert_eq!(h.app.prompt.history_rev(), 2);
    assert_eq!(h.app.prompt.history(), ["from last run", "one", "draft"]);
    h.key(KeyCode::Up, KeyModifiers::NONE);
    h.key(KeyCode::Up, KeyModifiers::NONE);
    h.key(KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(h.app.prompt.text(), "from last run");
}
