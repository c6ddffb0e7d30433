//! Ctrl+X Ctrl+E or Alt+E: the prompt goes to `$VISUAL`/`$EDITOR` and comes back edited. The edge suspends the
//! screen and runs the editor; here is only what is asked and what is done with the answer.

use super::{App, Effect, Notice};

/// Asks the edge to edit the current prompt.
pub(super) fn open(app: &mut App) -> Vec<Effect> {
    vec![Effect::EditPrompt {
        text: app.prompt.text(),
    }]
}

/// The editor closed: its text replaces the prompt (a final line break, which editors add,
/// dropped); a failure keeps the prompt and says why.
pub(super) fn done(app: &mut App, result: Result<String, String>) {
    match result {
        Ok(text) => {
            let text = text.strip_suffix('\n').unwrap_or(&text);
            let text = text.strip_suffix('\r').unwrap_or(text);
            app.prompt.set_text(text, &app.theme);
            app.notice = Some(Notice {
                text: format!(
                    "edited: {} (Enter sends)",
                    super::copy::size(app.prompt.text().as_str())
                ),
                is_error: false,
            });
        }
        Err(why) => {
            app.notice = Some(Notice {
                text: format!("{why}; the prompt is unchanged"),
                is_error: true,
            });
        }
    }
    app.focus = super::Focus::Input;
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyModifiers};

    use crate::app::test_harness::Harness;
    use crate::app::{Action, Effect};

    #[test]
    fn ctrl_e_hands_the_prompt_to_the_edge_and_the_answer_replaces_it() {
        let mut h = Harness::new();
        h.type_text("draft 草稿");
        h.key(KeyCode::Char('x'), KeyModifiers::CONTROL);
        let fx = h.key(KeyCode::Char('e'), KeyModifiers::CONTROL);
        assert!(
            matches!(fx.as_slice(), [Effect::EditPrompt { text }] if text == "draft 草稿"),
            "{fx:?}"
        );
        h.act(Action::EditorDone(Ok("第一行\nsecond line\n".into())));
        assert_eq!(h.app.prompt.text(), "第一行\nsecond line");
        assert_eq!(h.notice(), "edited: 2 lines, 21 bytes (Enter sends)");
        let fx = h.enter();
        let [Effect::StartReply { history, .. }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        assert_eq!(history[0].content, "第一行\nsecond line");
    }

    #[test]
    fn a_failed_editor_keeps_the_prompt_and_says_why() {
        let mut h = Harness::new();
        h.type_text("keep me");
        h.act(Action::EditorDone(Err(
            "the editor \"nvim\" failed (exit status: 1)".into(),
        )));
        assert_eq!(h.app.prompt.text(), "keep me");
        assert!(h.notice_is_error());
        assert_eq!(
            h.notice(),
            "the editor \"nvim\" failed (exit status: 1); the prompt is unchanged"
        );
    }

    #[test]
    fn the_editor_key_works_from_the_conversation_too() {
        let mut h = Harness::new();
        h.key(KeyCode::Tab, KeyModifiers::NONE);
        let fx = h.key(KeyCode::Char('e'), KeyModifiers::ALT);
        assert!(matches!(fx.as_slice(), [Effect::EditPrompt { text }] if text.is_empty()));
        h.act(Action::EditorDone(Ok("x".into())));
        assert_eq!(h.app.focus, crate::app::Focus::Input);
    }
}
