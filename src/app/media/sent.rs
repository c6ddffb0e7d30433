//! Images the user sent join the panel, labelled as sent, as `data:` links: they draw, open
//! and save like any built-in image, and nothing is downloaded for them.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::attach::Body;
use crate::chat::{Conversation, Message, Role};
use crate::media::{MediaKind, MediaLink};

/// The links of the images sent with user messages, by message id, with the identity of the
/// bytes they were made from (ids restart after a new chat; the bytes do not repeat).
#[derive(Debug, Default)]
pub(super) struct Sent {
    links: HashMap<u64, (usize, Vec<MediaLink>)>,
}

/// Which bytes a message's first image is: its address, shared by every clone of it.
fn identity(msg: &Message) -> Option<usize> {
    msg.attachments.iter().find_map(|a| match &a.body {
        Body::Image { bytes, .. } => Some(bytes.as_ptr() as usize),
        _ => None,
    })
}

fn links_of(msg: &Message) -> Vec<MediaLink> {
    msg.attachments
        .iter()
        .filter_map(|a| match &a.body {
            Body::Image { mime, bytes, .. } => Some(MediaLink {
                url: format!("data:{mime};base64,{}", STANDARD.encode(bytes)),
                download: None,
                kind: MediaKind::Image,
                label: Some(format!("sent: {}", a.name)),
                complete: true,
            }),
            _ => None,
        })
        .collect()
}

impl Sent {
    /// Brings the links up to date with the prompts of `conv`; true when they changed. Only a
    /// new prompt with images costs an encoding (a downscaled picture: well under a megabyte).
    pub(super) fn sync(&mut self, conv: &Conversation) -> bool {
        let mut changed = false;
        let mut seen = 0;
        for msg in conv.messages().iter().filter(|m| m.role == Role::User) {
            let Some(id) = identity(msg) else {
                continue;
            };
            seen += 1;
            if self.links.get(&msg.id).is_some_and(|(i, _)| *i == id) {
                continue;
            }
            self.links.insert(msg.id, (id, links_of(msg)));
            changed = true;
        }
        if self.links.len() != seen {
            let keep: HashMap<u64, usize> = conv
                .messages()
                .iter()
                .filter_map(|m| Some((m.id, identity(m)?)))
                .collect();
            self.links
                .retain(|id, (i, _)| keep.get(id).is_some_and(|k| k == i));
            changed = true;
        }
        changed
    }

    /// The sent links of message `id`.
    pub(super) fn get(&self, id: u64) -> Option<&[MediaLink]> {
        self.links.get(&id).map(|(_, l)| l.as_slice())
    }
}
