//! Ctrl+E: the prompt goes to `$VISUAL`/`$EDITOR` and comes back edited. The edge suspends the
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
