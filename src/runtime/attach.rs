//! Attachments at the edge: files read, classified and encoded on blocking threads (a 12 MP
//! photo takes a good part of a second), completions listed, results sent to the loop.

use tokio::sync::mpsc;

use crate::app::Action;
use crate::app::attach::{AttachEffect, AttachMsg};

/// Runs `effect` in the background; the results come back as `Action::Attach`.
pub(super) fn run(effect: AttachEffect, tx: &mpsc::UnboundedSender<Action>) {
    match effect {
        AttachEffect::Load { paths, limits } => {
            let tx = tx.clone();
            // One after another, so the chips keep the order the paths were given in.
            tokio::task::spawn_blocking(move || {
                for path in paths {
                    let result = crate::attach::load(&path, limits).map_err(|e| e.to_string());
                    let _ = tx.send(Action::Attach(AttachMsg::Loaded(result)));
                }
            });
        }
        AttachEffect::Clipboard { limits } => {
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let display = crate::attach::clipboard::display_present();
                let result = crate::attach::clipboard::image(display, limits);
                let _ = tx.send(Action::Attach(AttachMsg::Loaded(result)));
            });
        }
        AttachEffect::CheckPaste { text, home } => {
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let paths = crate::attach::pasted_paths(&text, home.as_deref());
                let _ = tx.send(Action::Attach(AttachMsg::Pasted { text, paths }));
            });
        }
        AttachEffect::Complete { input, home } => {
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                if let Some(completed) = crate::attach::complete_path(&input, home.as_deref()) {
                    let _ = tx.send(Action::Attach(AttachMsg::Completed { input, completed }));
                }
            });
        }
    }
}
