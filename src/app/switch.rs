//! Switching models: opening the picker, its keys, `/models` results.

use crossterm::event::KeyEvent;

use super::picker::{ModelPicker, PickerEntry, PickerOutcome, entries_for};
use super::{App, Effect, Notice, Overlay};
use crate::config::Provider;
use crate::keymap::PickerKey;
use crate::providers::Target;

/// Opens the picker with the current model selected.
pub(super) fn open_picker(app: &mut App) -> Vec<Effect> {
    let entries = entries_for(&app.providers, &app.discovered);
    let mut picker = ModelPicker::new(entries, app.target.label());
    picker.no_key = app
        .missing_keys
        .iter()
        .filter_map(|(name, _)| {
            let var = app
                .providers
                .iter()
                .find(|p| p.name == *name)?
                .api_key_env
                .clone()?;
            Some((name.clone(), format!("no API key: set {var}")))
        })
        .collect();
    app.overlay = Some(Overlay::Picker(Box::new(picker)));
    Vec::new()
}

/// At start: when the model to start with (from `-m`, the config or the last pick) needs a key
/// that is missing, the status bar says so before the first prompt fails on it.
pub fn note_missing_key(app: &mut App) {
    if app.notice.is_some() {
        return;
    }
    if let Some(text) = missing_key_note(app, &app.target.provider.name) {
        app.notice = Some(Notice {
            text,
            is_error: true,
        });
    }
}

/// What to tell about `provider`'s missing key, short enough for the status bar: the variable
/// first.
fn missing_key_note(app: &App, provider: &str) -> Option<String> {
    let (_, var) = app.missing_keys.iter().find(|(p, _)| p == provider)?;
    Some(format!(
        "no API key for {provider}: set {var} (or api_key in the config)"
    ))
}

/// Providers among `providers` whose key is to come from an environment variable that is not
/// set, with that variable. Key commands are not run here (they may prompt).
pub fn missing_keys(
    providers: &[Provider],
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, String)> {
    providers
        .iter()
        .filter(|p| p.api_key.is_none())
        .filter_map(|p| {
            let var = p.api_key_env.as_ref()?;
            match p.endpoint(env) {
                Err(crate::api::ApiError::MissingKey { .. }) => Some((p.name.clone(), var.clone())),
                _ => None,
            }
        })
        .collect()
}

/// A picker command, or (`None`) a key for its filter, while the picker is open.
pub(super) fn on_picker_key(
    app: &mut App,
    command: Option<PickerKey>,
    key: KeyEvent,
) -> Vec<Effect> {
    let page = crate::view::popup::picker_page(app.area);
    let Some(Overlay::Picker(picker)) = app.overlay.as_mut() else {
        return Vec::new();
    };
    match super::picker::run(picker, command, key, page) {
        PickerOutcome::Stay => Vec::new(),
        PickerOutcome::Close => {
            app.overlay = None;
            Vec::new()
        }
        PickerOutcome::Choose(entry) => {
            app.overlay = None;
            choose(app, &entry)
        }
        PickerOutcome::Compare(entries) => {
            // A refused set keeps the picker open with its marks, the reason below it.
            if super::compare::set_models(app, &entries) {
                app.overlay = None;
            }
            Vec::new()
        }
        PickerOutcome::Discover(name) => {
            let Some(provider) = app.providers.iter().find(|p| p.name == name) else {
                return Vec::new();
            };
            if provider.is_demo() {
                app.notice = Some(Notice {
                    text: "the demo provider has no /models".into(),
                    is_error: false,
                });
                return Vec::new();
            }
            picker.fetching = Some(name);
            vec![Effect::DiscoverModels(Box::new(provider.clone()))]
        }
    }
}

/// Switches to `entry` for the next request; the conversation stays.
pub(super) fn choose(app: &mut App, entry: &PickerEntry) -> Vec<Effect> {
    let Some(provider) = app.providers.iter().find(|p| p.name == entry.provider) else {
        return Vec::new();
    };
    app.target = Target {
        provider: provider.clone(),
        model: entry.model.clone(),
    };
    let label = app.target.label();
    // Said now, not after the first prompt fails on it.
    app.notice = Some(match missing_key_note(app, &entry.provider) {
        Some(why) => Notice {
            text: format!("{why} · model: {label}"),
            is_error: true,
        },
        None => Notice {
            text: format!("model: {label}"),
            is_error: false,
        },
    });
    vec![Effect::SaveLastModel(label)]
}

/// Merges a `/models` answer into the picker (if open) and the remembered list.
pub(super) fn on_models_discovered(
    app: &mut App,
    provider: String,
    result: Result<Vec<String>, String>,
) {
    if let Some(Overlay::Picker(p)) = app.overlay.as_mut()
        && p.fetching.as_deref() == Some(provider.as_str())
    {
        p.fetching = None;
    }
    match result {
        Err(e) => {
            app.notice = Some(Notice {
                text: format!("/models of {provider} failed: {e}"),
                is_error: true,
            });
        }
        Ok(mut ids) => {
            let total = ids.len();
            let dropped = crate::api::models::cap_discovered(&mut ids);
            let configured = app.providers.iter().find(|p| p.name == provider);
            let new = ids
                .iter()
                .filter(|id| configured.is_some_and(|p| p.model(id).is_none()))
                .count();
            let mut text = format!("{provider}: {total} models, {new} not in the config");
            if dropped > 0 {
                text = format!(
                    "{provider}: {total} models; the first {} are listed ({new} not in the \
                     config), {dropped} left out",
                    ids.len()
                );
            }
            app.notice = Some(Notice {
                text,
                is_error: false,
            });
            if let (Some(Overlay::Picker(p)), Some(prov)) = (app.overlay.as_mut(), configured) {
                p.merge_discovered(prov, &ids);
            }
            app.discovered.retain(|(name, _)| name != &provider);
            app.discovered.push((provider, ids));
        }
    }
}
