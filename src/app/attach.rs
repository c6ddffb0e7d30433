//! Attachments waiting to go with the next prompt: `/attach`, pasted paths, the chips'
//! Backspace, and the warning for a model that takes no images. Files are read and encoded at
//! the edge (`Effect::Attach`); `update` only keeps the results.

use std::path::PathBuf;

use super::{App, Effect, Notice};
use crate::attach::{Attachment, Limits};

/// The pending attachments and what is needed to add more.
#[derive(Debug, Clone, Default)]
pub struct AttachState {
    /// Ready to send, in the order they were attached.
    pub pending: Vec<Attachment>,
    /// Files still being read and encoded.
    pub loading: usize,
    /// The warning about images for a model without vision was shown for these attachments:
    /// Enter again sends anyway.
    pub warned: bool,
    /// `attach_max_side` and `attach_max_text_kb`.
    pub limits: Limits,
    /// Where `~` points.
    pub home: Option<PathBuf>,
}

/// Work for the edge: reading files off the async threads, listing a directory for Tab.
#[derive(Debug, Clone, PartialEq)]
pub enum AttachEffect {
    /// Read, classify and encode these files on blocking threads.
    Load { paths: Vec<PathBuf>, limits: Limits },
    /// See whether a paste shaped like paths names existing files (`AttachMsg::Pasted`).
    CheckPaste { text: String, home: Option<PathBuf> },
    /// Read the image on the graphical clipboard (`AttachMsg::Loaded`).
    Clipboard { limits: Limits },
    /// Complete the last path of `/attach …` in `input`.
    Complete {
        input: String,
        home: Option<PathBuf>,
    },
}

/// What the edge reports back.
#[derive(Debug, Clone)]
pub enum AttachMsg {
    /// One file of a `Load`, ready or refused (the error names it).
    Loaded(Result<Attachment, String>),
    /// A paste shaped like paths: the files it names, or `None` when it is text after all.
    Pasted {
        text: String,
        paths: Option<Vec<PathBuf>>,
    },
    /// Tab's completion of `input`; dropped when the prompt changed meanwhile.
    Completed { input: String, completed: String },
}

/// `/attach PATH…`: the words as a shell would split them, `~` expanded.
pub(super) fn command(app: &mut App, args: &str) -> Vec<Effect> {
    let words = match crate::attach::shell_words(args) {
        Some(w) if !w.is_empty() => w,
        Some(_) => {
            return error(
                app,
                "usage: /attach PATH [PATH…] (Tab completes; Backspace on an empty prompt removes the last)",
            );
        }
        None => return error(app, "/attach: a quote is not closed"),
    };
    app.prompt.take(&app.theme);
    let home = app.attach.home.clone();
    // A web image needs no reading: it is sent as its link.
    let (links, files): (Vec<String>, Vec<String>) =
        words.into_iter().partition(|w| crate::attach::is_url(w));
    for link in links {
        app.attach.pending.push(Attachment::image_url(&link));
        app.attach.warned = false;
    }
    if files.is_empty() {
        return Vec::new();
    }
    let paths = files
        .iter()
        .map(|w| crate::attach::expand_tilde(w, home.as_deref()))
        .collect();
    load(app, paths)
}

/// A paste that is nothing but paths of existing files attaches them instead of inserting
/// the text (terminals paste a dropped file as its path). One shaped like paths goes to the
/// edge to see whether the files exist; any other paste is text.
pub(super) fn paste(app: &mut App, text: &str) -> Option<Vec<Effect>> {
    if !crate::attach::looks_like_paths(text) {
        return None;
    }
    Some(vec![Effect::Attach(AttachEffect::CheckPaste {
        text: text.to_string(),
        home: app.attach.home.clone(),
    })])
}

fn load(app: &mut App, paths: Vec<PathBuf>) -> Vec<Effect> {
    app.attach.loading += paths.len();
    app.attach.warned = false;
    let n = paths.len();
    app.notice = Some(Notice {
        text: format!("attaching {n} file(s)…"),
        is_error: false,
    });
    vec![Effect::Attach(AttachEffect::Load {
        paths,
        limits: app.attach.limits,
    })]
}

/// A report from the edge.
pub(super) fn on_msg(app: &mut App, msg: AttachMsg) -> Vec<Effect> {
    match msg {
        AttachMsg::Loaded(result) => {
            app.attach.loading = app.attach.loading.saturating_sub(1);
            match result {
                Ok(a) => {
                    app.notice = Some(Notice {
                        text: format!("attached {} ({})", a.name, a.describe()),
                        is_error: false,
                    });
                    app.attach.pending.push(a);
                    app.attach.warned = false;
                }
                Err(e) => {
                    error(app, &e);
                }
            }
        }
        AttachMsg::Pasted {
            paths: Some(paths), ..
        } => return load(app, paths),
        AttachMsg::Pasted { text, paths: None } => app.prompt.paste(&text),
        AttachMsg::Completed { input, completed } => {
            if app.prompt.text() == input {
                app.prompt.set_text(&completed, &app.theme);
            }
        }
    }
    Vec::new()
}

/// Alt+V: the edge reads the clipboard's image; it comes back like a loaded file.
pub(super) fn paste_image(app: &mut App) -> Vec<Effect> {
    app.attach.loading += 1;
    app.attach.warned = false;
    app.notice = Some(Notice {
        text: "reading the clipboard…".into(),
        is_error: false,
    });
    vec![Effect::Attach(AttachEffect::Clipboard {
        limits: app.attach.limits,
    })]
}

/// Backspace on an empty prompt: the last attachment goes; false when there is none.
pub(super) fn remove_last(app: &mut App) -> bool {
    let Some(a) = app.attach.pending.pop() else {
        return false;
    };
    app.attach.warned = false;
    app.notice = Some(Notice {
        text: format!("removed {}", a.name),
        is_error: false,
    });
    true
}

/// Tab after `/attach `: the edge completes the last path.
pub(super) fn complete(app: &App, text: &str) -> Option<Vec<Effect>> {
    let name = super::slash::command_word(text)?;
    if name != "/attach" || text.trim_start().len() == name.len() {
        return None;
    }
    Some(vec![Effect::Attach(AttachEffect::Complete {
        input: text.to_string(),
        home: app.attach.home.clone(),
    })])
}

/// The attachments to send with the prompt being submitted, or `None` (with a notice) when
/// it must wait: files still loading, or a first Enter that warns about images.
pub(super) fn take_for_send(app: &mut App) -> Option<Vec<Attachment>> {
    if app.attach.loading > 0 {
        error(
            app,
            "still reading the attachments: press Enter again in a moment",
        );
        return None;
    }
    if let Some(why) = crate::attach::vision::unsendable_pdf(&app.attach.pending, &app.target.model)
    {
        error(app, &format!("{why} (Backspace removes it)"));
        return None;
    }
    if !app.attach.warned
        && let Some(w) = crate::attach::vision::warning(&app.attach.pending, &app.target.model)
    {
        app.attach.warned = true;
        error(
            app,
            &format!("{w}: Enter sends anyway, Backspace removes it"),
        );
        return None;
    }
    app.attach.warned = false;
    Some(std::mem::take(&mut app.attach.pending))
}

/// The attachments to send with a generation task's prompt, or `None` while files load. A
/// route that takes no images (Suno) leaves them on the input.
pub(super) fn take_for_task(app: &mut App, takes_images: bool) -> Option<Vec<Attachment>> {
    if !takes_images {
        return Some(Vec::new());
    }
    if app.attach.loading > 0 {
        error(
            app,
            "still reading the attachments: press Enter again in a moment",
        );
        return None;
    }
    app.attach.warned = false;
    Some(std::mem::take(&mut app.attach.pending))
}

fn error(app: &mut App, text: &str) -> Vec<Effect> {
    app.notice = Some(Notice {
        text: text.to_string(),
        is_error: true,
    });
    Vec::new()
}

#[cfg(test)]
#[path = "attach_tests.rs"]
mod tests;
