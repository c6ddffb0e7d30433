//! What the user and the edge do to the media state: panel keys, toggling, results of fetches,
//! saves and `/image` generations.

use std::time::Instant;

use super::{Generating, Load, MediaEffect, MediaMsg, fetchable};
use crate::api::images::{DEFAULT_IMAGE_MODEL, ImageRequest};
use crate::app::{App, Effect, Focus, Notice, Overlay};
use crate::chat::Role;
use crate::config::Capability;
use crate::keymap::MediaKey;
use crate::media::fetch::Fetched;
use crate::media::{MediaKind, is_builtin_url, save};

/// What `o` says when nothing can open links here.
pub const NO_OPENER: &str =
    "no browser or system opener found: set $BROWSER, or press y to copy the URL";

/// Ctrl+G / F3: shows or hides the panel. Showing it does not take the focus, so typing goes on.
pub fn toggle(app: &mut App) {
    let m = &mut app.media;
    m.open = !m.open;
    // Once the user has decided, the panel no longer opens by itself.
    m.auto_opened = true;
    if !m.open && app.focus == Focus::Media {
        app.focus = Focus::Input;
    }
    if m.open && app.panes().is_some_and(|p| p.media.is_none()) {
        notice(app, "the window is too narrow for the media panel", true);
    }
}

fn notice(app: &mut App, text: impl Into<String>, is_error: bool) {
    app.notice = Some(Notice {
        text: text.into(),
        is_error,
    });
}

/// Runs a command of the focused panel.
pub fn run(app: &mut App, command: MediaKey) -> Vec<Effect> {
    match command {
        MediaKey::Up => {
            move_selection(app, -1);
            Vec::new()
        }
        MediaKey::Down => {
            move_selection(app, 1);
            Vec::new()
        }
        MediaKey::FullScreen => {
            full_screen(app);
            Vec::new()
        }
        MediaKey::Open => open(app),
        MediaKey::Copy => copy(app),
        MediaKey::Save => save(app),
    }
}

fn move_selection(app: &mut App, delta: isize) {
    let m = &mut app.media;
    let Some(at) = m.selected_index() else {
        return;
    };
    let last = m.items.len().saturating_sub(1);
    let to = at.saturating_add_signed(delta).min(last);
    let url = m.newest_first().nth(to).map(|i| i.link.url.clone());
    m.selected = url;
}

fn full_screen(app: &mut App) {
    let Some(item) = app.media.selected_item() else {
        return;
    };
    let ready = matches!(app.media.load(&item.link.url), Some(Load::Ready(_)));
    if ready {
        app.overlay = Some(Overlay::Image);
    } else {
        let text = match item.link.kind {
            MediaKind::Image => {
                // Choosing it loads it, past the limit on automatic fetches.
                app.media.selected = Some(item.link.url.clone());
                "the image is not loaded yet"
            }
            _ => "not an image: o opens it ($BROWSER, else the system opener)",
        };
        notice(app, text, false);
    }
}

fn open(app: &mut App) -> Vec<Effect> {
    let Some(item) = app.media.selected_item() else {
        return Vec::new();
    };
    let (url, kind, writer) = (item.link.url.clone(), item.link.kind, item.message_id);
    if !fetchable(&url) {
        notice(app, "only http and https links are opened", true);
        return Vec::new();
    }
    if !app.media.settings.can_open {
        notice(app, NO_OPENER, true);
        return Vec::new();
    }
    let key_from = super::keyed::key_holder(app, &url, Some(writer));
    let doing = if key_from.is_some() {
        // A browser cannot send the key: the file is downloaded first, then opened.
        "downloading to open"
    } else {
        "opening"
    };
    notice(app, format!("{doing} {}", short(&url)), false);
    vec![Effect::Media(MediaEffect::Open {
        url,
        kind,
        key_from,
    })]
}

fn copy(app: &mut App) -> Vec<Effect> {
    let Some(item) = app.media.selected_item() else {
        return Vec::new();
    };
    if is_builtin_url(&item.link.url) {
        // Its URL means nothing outside ecochat: copy where it was written out instead.
        let url = item.link.url.clone();
        notice(app, "writing the built-in image out…", false);
        return vec![Effect::Media(MediaEffect::WriteOut { url })];
    }
    // A URL in `( )` runs to whitespace, so it may hold escape sequences: copy it as shown.
    let shown = crate::sanitize::sanitize(&item.link.url);
    let mut line = String::from("copied the URL (OSC 52)");
    if matches!(shown, std::borrow::Cow::Owned(_)) {
        line.push_str(crate::app::copy::STRIPPED_NOTE);
    }
    let text = shown.into_owned();
    notice(app, line, false);
    vec![Effect::Copy { text }]
}

fn save(app: &mut App) -> Vec<Effect> {
    let Some(item) = app.media.selected_item() else {
        return Vec::new();
    };
    let url = item.link.url.clone();
    if !fetchable(&url) {
        notice(app, "only http and https links are saved", true);
        return Vec::new();
    }
    let kind = item.link.kind;
    let named_after = item.link.download.as_deref().unwrap_or(&url);
    let name = save::file_name(named_after, kind, item.number);
    let dir = app.media.settings.downloads_dir.clone();
    let key_from = super::keyed::key_holder(app, &url, Some(item.message_id));
    notice(app, format!("saving {name}…"), false);
    vec![Effect::Media(MediaEffect::Save {
        url,
        kind,
        dir,
        name,
        key_from,
    })]
}

fn short(url: &str) -> String {
    let cut: String = url.chars().take(60).collect();
    if cut.len() < url.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Applies a report from the edge.
pub fn on_msg(app: &mut App, msg: MediaMsg) -> Vec<Effect> {
    match msg {
        MediaMsg::WrittenOut(path) => return copy_path(app, &path),
        MediaMsg::Fetched { url, result } => match result {
            Ok(Fetched::Image(image)) => {
                app.media.learnt.insert(url.clone(), MediaKind::Image);
                relabel(app, &url, MediaKind::Image);
                app.media.remember_ready(&url, image);
            }
            Ok(Fetched::NotImage { kind, content_type }) => {
                app.media.learnt.insert(url.clone(), kind);
                relabel(app, &url, kind);
                app.media
                    .loads
                    .insert(url, Load::NotImage { kind, content_type });
            }
            Err(e) => {
                app.media.loads.insert(url, Load::Failed(e));
            }
        },
        MediaMsg::Saved(Ok(path)) => notice(app, format!("saved {}", path.display()), false),
        MediaMsg::Saved(Err(e)) => notice(app, format!("save failed: {e}"), true),
        MediaMsg::Failed(e) => notice(app, e, true),
        MediaMsg::Generated { message_id, result } => finish_generation(app, message_id, result),
    }
    Vec::new()
}

fn copy_path(app: &mut App, path: &std::path::Path) -> Vec<Effect> {
    let text = path.display().to_string();
    // The path comes from the config's cache dir, but it still goes to the terminal as is.
    let shown = crate::sanitize::sanitize(&text).into_owned();
    notice(
        app,
        format!("copied the path of the built-in image (OSC 52): {shown}"),
        false,
    );
    vec![Effect::Copy { text: shown }]
}

fn relabel(app: &mut App, url: &str, kind: MediaKind) {
    for item in app.media.items.iter_mut().filter(|i| i.link.url == url) {
        item.link.kind = kind;
    }
}

/// `/image`: adds the prompt and a waiting answer to the conversation and asks the edge.
pub fn start_generation(app: &mut App, req: ImageRequest, now: Instant) -> Vec<Effect> {
    if app.media.generating.is_some() {
        notice(app, "an image is still being generated", false);
        return Vec::new();
    }
    let (model, fallback) = match req.model.clone() {
        Some(model) => (model, false),
        None => match image_model(app) {
            Some(model) => (model, false),
            None => (DEFAULT_IMAGE_MODEL.to_string(), true),
        },
    };
    let text = app.prompt.take(&app.theme);
    let created = (app.wall_clock)();
    app.conv.push(Role::User, text, created);
    let label = format!(
        "{}:{model}{}",
        app.target.provider.name,
        crate::chat::IMAGES_MARK
    );
    let message_id = app.conv.push_reply(label, created);
    app.media.generating = Some(Generating {
        message_id,
        started: now,
    });
    app.last_error = None;
    app.notice = None;
    if fallback {
        // A guess the relay may not carry: say it, and how to choose.
        notice(
            app,
            format!(
                "generating with {model}: `{}` has no model with kind = \"image\" \
                 (--model ID picks one)",
                app.target.provider.name
            ),
            false,
        );
    }
    app.scroll.follow = true;
    vec![Effect::Media(MediaEffect::Generate {
        message_id,
        target: Box::new(app.target.clone()),
        body: req.body(&model),
    })]
}

/// The model `/image` uses without `--model`: the selected one when it makes images, else the
/// provider's first configured image model.
fn image_model(app: &App) -> Option<String> {
    // Chat-style image models (`gpt-4o-all`) answer on the chat endpoint, not this one.
    let usable =
        |m: &&crate::config::ModelSpec| m.kind == Capability::Image && !m.id.ends_with("-all");
    let current = &app.target.model;
    if usable(&current) {
        return Some(current.id.clone());
    }
    // The configured list of this provider (the target may be an unlisted model).
    let provider = app
        .providers
        .iter()
        .find(|p| p.name == app.target.provider.name)
        .unwrap_or(&app.target.provider);
    provider.models.iter().find(usable).map(|m| m.id.clone())
}

fn finish_generation(app: &mut App, message_id: u64, result: Result<Vec<String>, String>) {
    if app
        .media
        .generating
        .is_some_and(|g| g.message_id == message_id)
    {
        app.media.generating = None;
    }
    let Some(msg) = app.conv.get_mut(message_id) else {
        return;
    };
    match result {
        Ok(urls) => {
            let lines: Vec<String> = urls
                .iter()
                .enumerate()
                .map(|(i, url)| format!("![image {}]({url})", i + 1))
                .collect();
            msg.complete(lines.join("\n"));
            // Priced per request (`call_price`), like a relay charges it.
            crate::app::cost::settle(app, message_id);
        }
        Err(e) => {
            // Nothing arrived before the answer: the reply is marked failed.
            msg.fail(e.clone());
            app.last_error = Some(e);
        }
    }
}
