//! Alternatives on screen: `‹n/m›` in the header of a retried reply and of an edited prompt,
//! and the input's title while a prompt is being edited.

use crossterm::event::KeyCode;

use super::harness::{CTRL, Harness, NONE};

/// Three replies to one prompt (two retries), the second one shown.
fn three_replies(h: &mut Harness) {
    h.send("用一句话介绍长城");
    h.at(300).content("长城是古代的防御工程。");
    h.finish(None);
    for (i, text) in ["长城东起山海关，西至嘉峪关。", "万里长城，两千多年。"]
        .iter()
        .enumerate()
    {
        h.at(1000 * (i as u64 + 1)).key(KeyCode::Char('r'), CTRL);
        h.at(1000 * (i as u64 + 1) + 300).content(text);
        h.finish(None);
    }
    h.key(KeyCode::Tab, NONE);
    h.key(KeyCode::Char('<'), NONE);
}

#[test]
fn a_reply_with_alternatives_shows_which_of_them_is_on_screen() {
    super::snapshot_at_sizes("alternatives", three_replies);
}

#[test]
fn editing_a_prompt_says_that_sending_starts_a_branch() {
    super::snapshot_at_sizes("editing", |h: &mut Harness| {
        three_replies(h);
        h.key(KeyCode::Char('['), NONE);
        h.key(KeyCode::Char('['), NONE);
        h.key(KeyCode::Char('e'), NONE);
        h.type_str("，要押韵");
    });
}
