//! Running a slash command against the app: switching models, the system prompt, and the
//! commands that are also keys.

use super::SlashCommand;
use crate::app::picker::{PickerEntry, entries_for, fuzzy_score};
use crate::app::{App, Effect, Notice, keymap::Command};

/// Runs `cmd`, typed in the prompt; the prompt is cleared (and kept in the history) when the
/// command worked and kept when it did not.
pub(in crate::app) fn run(app: &mut App, cmd: SlashCommand) -> Vec<Effect> {
    match cmd {
        SlashCommand::Image(req) => crate::app::media::start_generation(app, req, app.now),
        SlashCommand::Model(name) if name.is_empty() => {
            app.prompt.take(&app.theme);
            crate::app::update::run_command(app, Command::ModelPicker)
        }
        SlashCommand::Model(name) => match resolve_model(app, &name) {
            Some(entry) => {
                app.prompt.take(&app.theme);
                crate::app::switch::choose(app, &entry)
            }
            None => {
                error(
                    app,
                    format!("no configured model matches {name:?} (F2 lists them)"),
                );
                Vec::new()
            }
        },
        SlashCommand::System(text) => {
            if set_system(app, text) {
                app.prompt.take(&app.theme);
            }
            Vec::new()
        }
        SlashCommand::Clear => {
            app.prompt.take(&app.theme);
            crate::app::update::run_command(app, Command::NewChat)
        }
        SlashCommand::Save => {
            app.prompt.take(&app.theme);
            crate::app::update::run_command(app, Command::SaveTranscript)
        }
        SlashCommand::Help => {
            app.prompt.take(&app.theme);
            crate::app::update::run_command(app, Command::Help)
        }
    }
}

/// Sets or removes the system prompt; false (with the usage) when there was nothing to remove.
fn set_system(app: &mut App, text: Option<String>) -> bool {
    let had = app.conv.system_prompt().is_some();
    let notice = match &text {
        Some(t) => format!(
            "system prompt set ({} characters): sent first with every request",
            t.chars().count()
        ),
        None if had => "system prompt removed".to_string(),
        None => {
            error(app, "usage: /system TEXT (no system prompt is set)".into());
            return false;
        }
    };
    app.conv.set_system(text);
    app.scroll.follow = true;
    app.notice = Some(Notice {
        text: notice,
        is_error: false,
    });
    true
}

fn error(app: &mut App, text: String) {
    app.notice = Some(Notice {
        text,
        is_error: true,
    });
}

/// The model `query` means, as the picker would find it: an exact `provider:model` or model id
/// first, else the best fuzzy match (ties keep the picker's order).
pub fn resolve_model(app: &App, query: &str) -> Option<PickerEntry> {
    resolve(app, query, true)
}

/// `literal`: a `provider:model` of a configured provider is taken as written when nothing
/// is listed under exactly that name (Enter); without it, only listed models match (Tab).
fn resolve(app: &App, query: &str, literal: bool) -> Option<PickerEntry> {
    let query = query.trim();
    if query.is_empty() {
        return None;
    }
    let entries = entries_for(&app.providers, &app.discovered);
    let exact = entries
        .iter()
        .find(|e| e.label().eq_ignore_ascii_case(query))
        .or_else(|| {
            entries
                .iter()
                .find(|e| e.model.id.eq_ignore_ascii_case(query))
        });
    if let Some(e) = exact {
        return Some(e.clone());
    }
    // `provider:model` with a configured provider means that model, listed or not, as `-m`
    // takes it: relays carry more models than any config lists.
    if literal
        && let Some((name, id)) = query.split_once(':')
        && !id.trim().is_empty()
        && let Some(provider) = app.providers.iter().find(|p| p.name == name)
    {
        let id = id.trim();
        return Some(PickerEntry {
            provider: provider.name.clone(),
            model: provider
                .model(id)
                .cloned()
                .unwrap_or_else(|| crate::config::ModelSpec::new(id)),
            discovered: false,
        });
    }
    // `provider:partial` (Tab) looks for `partial` among that provider's models.
    let (only, query) = match query.split_once(':') {
        Some((name, rest)) if app.providers.iter().any(|p| p.name == name) => (Some(name), rest),
        _ => (None, query),
    };
    if query.trim().is_empty() {
        return None;
    }
    let mut best: Option<(i64, &PickerEntry)> = None;
    for e in entries
        .iter()
        .filter(|e| only.is_none_or(|p| e.provider == p))
    {
        if let Some(score) = fuzzy_score(query, &e.haystack())
            && best.is_none_or(|(b, _)| score > b)
        {
            best = Some((score, e));
        }
    }
    best.map(|(_, e)| e.clone())
}

/// Tab after `/model PARTIAL`: the full `provider:model` it resolves to.
pub(in crate::app) fn complete_model(app: &App, input: &str) -> Option<String> {
    let rest = input.trim_start().strip_prefix("/model")?;
    if !rest.starts_with(char::is_whitespace) || rest.trim().is_empty() {
        return None;
    }
    // Tab completes a partial name to a listed model; Enter takes what is written.
    let label = resolve(app, rest, false)?.label();
    let completed = format!("/model {label}");
    (completed != input).then_some(completed)
}

#[cfg(test)]
mod tests;
