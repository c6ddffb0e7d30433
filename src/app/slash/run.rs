//! Running a slash command against the app: switching models, the system prompt, and the
//! commands that are also keys.

use super::SlashCommand;
use crate::app::picker::{Filter, PickerEntry, entries_for};
use crate::app::{App, Effect, Notice};
use crate::keymap::Command;

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
        SlashCommand::Attach(args) => crate::app::attach::command(app, &args),
        SlashCommand::Help => {
            app.prompt.take(&app.theme);
            crate::app::update::run_command(app, Command::Help)
        }
        SlashCommand::Balance => {
            app.prompt.take(&app.theme);
            crate::app::cost::ask_balance(app, app.now)
        }
        SlashCommand::Mj(name) => crate::app::tasks::press(app, &name),
        SlashCommand::Compare(args) => crate::app::compare::command(app, &args),
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
    app.conv.set_system(text, (app.wall_clock)());
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

/// The model `query` means: an exact `provider:model` or model id first, then a
/// `provider:model` of a configured provider as written (listed or not, as `-m` takes it),
/// else the best fuzzy match (ties keep the picker's order).
pub fn resolve_model(app: &App, query: &str) -> Option<PickerEntry> {
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
    // Relays carry more models than any config lists: what `-m` takes, `/model` takes.
    if let Some((name, id)) = query.split_once(':')
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
    let best = model_matches(app, query).into_iter().next()?;
    entries.into_iter().find(|e| e.label() == best)
}

/// Every `provider:model` that `query` matches, best first: exact matches, then by fuzzy score
/// (ties keep the picker's order). `provider:partial` looks for `partial` among that
/// provider's models only (the fuzzy haystack has no `:`).
pub fn model_matches(app: &App, query: &str) -> Vec<String> {
    let query = query.trim();
    let (only, part) = match query.split_once(':') {
        Some((name, rest)) if app.providers.iter().any(|p| p.name == name) => {
            (Some(name), rest.trim())
        }
        _ => (None, query),
    };
    if part.is_empty() {
        return Vec::new();
    }
    let entries = entries_for(&app.providers, &app.discovered);
    let mut filter = Filter::new(part);
    let mut scored: Vec<(bool, u32, String)> = entries
        .iter()
        .filter(|e| only.is_none_or(|p| e.provider == p))
        .filter_map(|e| {
            let exact =
                e.label().eq_ignore_ascii_case(query) || e.model.id.eq_ignore_ascii_case(part);
            let score = filter.score(&e.haystack());
            (exact || score.is_some()).then(|| (exact, score.unwrap_or(u32::MAX), e.label()))
        })
        .collect();
    scored.sort_by_key(|(exact, score, _)| (!exact, std::cmp::Reverse(*score)));
    let mut labels: Vec<String> = Vec::with_capacity(scored.len());
    for (_, _, label) in scored {
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    labels
}

/// Tab (or Shift+Tab, `back`) after `/model PARTIAL`, or after the last name of `/compare A
/// PARTIAL`: the next (previous) model it matches, cycling; the matches are those of the text
/// before the first Tab.
pub(in crate::app) fn complete_model(app: &mut App, input: &str, back: bool) -> Option<String> {
    let step = |c: &mut ModelCycle| {
        let n = c.matches.len();
        c.index = if back {
            (c.index + n - 1) % n
        } else {
            (c.index + 1) % n
        };
        c.shown = format!("{}{}", c.head, c.matches[c.index]);
        c.shown.clone()
    };
    if let Some(c) = app.model_cycle.as_mut().filter(|c| c.shown == input) {
        return (c.matches.len() > 1).then(|| step(c));
    }
    let (head, partial) = model_argument(input)?;
    let matches = model_matches(app, partial);
    let first = matches.first()?;
    let mut cycle = ModelCycle {
        shown: format!("{head}{first}"),
        head,
        matches,
        index: 0,
    };
    // Already showing the first match: Tab goes on to the second.
    let shown = if cycle.shown == input {
        if cycle.matches.len() < 2 {
            return None;
        }
        step(&mut cycle)
    } else if back {
        step(&mut cycle)
    } else {
        cycle.shown.clone()
    };
    app.model_cycle = Some(cycle);
    Some(shown)
}

/// The text before the model name being typed and that name: all of `/model`'s argument, or
/// the last word of `/compare`'s.
fn model_argument(input: &str) -> Option<(String, &str)> {
    let input = input.trim_start();
    if let Some(rest) = input.strip_prefix("/model") {
        if !rest.starts_with(char::is_whitespace) || rest.trim().is_empty() {
            return None;
        }
        return Some(("/model ".to_string(), rest));
    }
    let rest = input.strip_prefix("/compare")?;
    if !rest.starts_with(char::is_whitespace) || input.ends_with(char::is_whitespace) {
        return None;
    }
    let cut = input.rfind(char::is_whitespace)? + 1;
    let word = &input[cut..];
    (word != "off").then(|| (input[..cut].to_string(), word))
}

/// Where Tab is in the list of models a `/model PARTIAL` matched.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelCycle {
    /// The text before the name (`/model `, or `/compare a ` and the names before).
    pub head: String,
    /// `provider:model` labels the typed text matched, best first.
    pub matches: Vec<String>,
    /// The match on show.
    pub index: usize,
    /// The prompt text Tab last put there; any other text starts a new cycle.
    pub shown: String,
}

#[cfg(test)]
mod tests;
