//! The store's write policy as a pure function: from the conversation and what the store
//! already has of it, the rows to write. No I/O; the store thread executes the plan.
//!
//! - A finished message is written whole as soon as it changes.
//! - A live reply is written at a checkpoint (the caller says when one is due), never as an
//!   empty placeholder.
//! - A reply past `LONG_BYTES` is written as its start plus parts appended as it grows, each
//!   ending at a line end (search looks inside parts, and a word is never cut in two); its
//!   links (the `media` JSON) are written once, when it is done.
//! - A message the store has that the conversation no longer has is deleted.

use std::collections::{HashMap, HashSet};

use crate::chat::Message;
use crate::store::links;
use crate::text::floor_char_boundary;

/// A reply longer than this (content and reasoning bytes) is written as its start plus parts
/// appended as it grows, instead of as one row rewritten every checkpoint.
pub const LONG_BYTES: usize = 256 * 1024;
/// A long reply is written whenever this much of it is unsaved, not only at checkpoints.
pub const CHECKPOINT_BYTES: usize = 1024 * 1024;

/// What the store has of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The message's revision when it was last handed to the store.
    pub revision: u64,
    /// Content and reasoning bytes the store has of a long reply still being written in parts.
    pub parted: Option<(usize, usize)>,
}

/// What the store has of the conversation's messages, by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreHas {
    written: HashMap<u64, Written>,
}

impl StoreHas {
    /// Every message of `messages` as written (a session just loaded from the store).
    pub fn all<'m>(messages: impl Iterator<Item = &'m Message>) -> Self {
        let written = messages
            .map(|m| {
                let w = Written {
                    revision: m.revision(),
                    parted: None,
                };
                (m.id, w)
            })
            .collect();
        Self { written }
    }

    /// What the store has of message `id`.
    pub fn get(&self, id: u64) -> Option<Written> {
        self.written.get(&id).copied()
    }

    /// Forgets everything: the next plan writes every message whole.
    pub fn clear(&mut self) {
        self.written.clear();
    }

    /// Records that `plan` was handed to the store.
    pub fn record(&mut self, plan: &Plan) {
        for (id, w) in &plan.written {
            self.written.insert(*id, *w);
        }
        for id in &plan.deleted {
            self.written.remove(id);
        }
    }
}

/// Text of a long message past what the store has, and its final state once it is done.
#[derive(Debug, Clone, PartialEq)]
pub struct Append {
    pub seq: u64,
    pub content: String,
    pub reasoning: String,
    /// The finished message without its text, and its links as the `media` JSON.
    pub finish: Option<Box<(Message, String)>>,
}

/// The writes that bring the store in step with the conversation, in the order to run them:
/// deletes, then rows, then appends (an append needs its message's row).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Ids (seqs) of messages to delete, ascending.
    pub deleted: Vec<u64>,
    /// Whole rows to write: finished or short messages, and the start of a long reply.
    pub rows: Vec<Message>,
    /// Parts to append to long replies.
    pub appends: Vec<Append>,
    /// A live reply is written: its checkpoint clock starts again.
    pub checkpoint: bool,
    /// Live replies with text left for a later checkpoint (the store is behind on them).
    pub waiting: Vec<u64>,
    /// What the store has of each message written, once the plan has run.
    written: Vec<(u64, Written)>,
}

impl Plan {
    /// True when there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.deleted.is_empty() && self.rows.is_empty() && self.appends.is_empty()
    }
}

/// When to plan and what to look at.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope {
    /// Only this message can have changed (nothing was added or removed).
    pub only: Option<u64>,
    /// A checkpoint is due: live replies are written too.
    pub due: bool,
}

/// The writes for the messages (`shown`, the conversation's shown path, and `hidden`, its
/// alternatives) given what the store `has`. `scanned`: the media panel's links of a message's
/// text when they are current (so a long text is not scanned twice).
pub fn plan<'s>(
    shown: &[Message],
    hidden: &[Message],
    has: &StoreHas,
    scope: Scope,
    scanned: impl Fn(&Message) -> Option<&'s [crate::media::MediaLink]>,
) -> Plan {
    let mut plan = Plan::default();
    // With 5,000 messages loaded, a reply piece must cost its own message, not the history.
    let only = scope
        .only
        .and_then(|id| one_of(shown, id).or_else(|| one_of(hidden, id)));
    let checked: Box<dyn Iterator<Item = &Message>> = match only {
        Some(one) => Box::new(one.iter()),
        None => Box::new(shown.iter().chain(hidden)),
    };
    let mut known = 0;
    for m in checked {
        let had = has.get(m.id);
        if let Some(w) = had {
            known += 1;
            if w.revision == m.revision() {
                continue;
            }
        }
        let stored = had.and_then(|w| w.parted);
        if m.status.is_live() {
            // An empty placeholder is not worth a row; a growing reply waits for its turn,
            // unless a long one has a lot unsaved (so that no write copies much of it).
            let size = m.content.len() + m.reasoning.len();
            let behind = match stored {
                Some((c, r)) => size.saturating_sub(c + r),
                // Passing the long mark: start writing in parts now, with little to append.
                None if size > LONG_BYTES => usize::MAX,
                None => 0,
            };
            if !m.has_text() {
                continue;
            }
            if !(scope.due || behind >= CHECKPOINT_BYTES) {
                plan.waiting.push(m.id);
                continue;
            }
            plan.checkpoint = true;
        }
        let revision = m.revision();
        match parted_write(m, stored, scanned(m)) {
            Some((head, append, written)) => {
                plan.rows.extend(head);
                let parted = m.status.is_live().then_some(written);
                plan.written.push((m.id, Written { revision, parted }));
                plan.appends.push(append);
            }
            None => {
                plan.written.push((
                    m.id,
                    Written {
                        revision,
                        parted: None,
                    },
                ));
                plan.rows.push(m.clone());
            }
        }
    }
    if only.is_none() && known < has.written.len() {
        let ids: HashSet<u64> = shown.iter().chain(hidden).map(|m| m.id).collect();
        plan.deleted = has
            .written
            .keys()
            .copied()
            .filter(|id| !ids.contains(id))
            .collect();
        plan.deleted.sort_unstable();
    }
    plan
}

/// Message `id` of `list`, as a slice of one.
fn one_of(list: &[Message], id: u64) -> Option<&[Message]> {
    list.iter().rposition(|m| m.id == id).map(|i| &list[i..=i])
}

/// How a long message is written: `None` for a whole-row write (short, or no longer growing
/// from what was stored); otherwise the row to write first (when not yet parted), the text to
/// append and the bytes the store then has. `stored`: bytes of content and reasoning the store
/// already has in parts. `scanned`: the media panel's links of the text, when current.
fn parted_write(
    m: &Message,
    stored: Option<(usize, usize)>,
    scanned: Option<&[crate::media::MediaLink]>,
) -> Option<(Option<Message>, Append, (usize, usize))> {
    let grows_from =
        |(c, r): (usize, usize)| m.content.is_char_boundary(c) && m.reasoning.is_char_boundary(r);
    let (head, (c, r)) = match stored {
        Some(at) if grows_from(at) => (None, at),
        Some(_) => return None,
        // Only a reply that is still streaming starts being written in parts.
        None if m.status.is_live() && m.content.len() + m.reasoning.len() > LONG_BYTES => {
            let c = line_end(&m.content, 0, floor_char_boundary(&m.content, LONG_BYTES));
            let r = line_end(
                &m.reasoning,
                0,
                floor_char_boundary(&m.reasoning, LONG_BYTES),
            );
            let row = m.with_text(m.content[..c].to_string(), m.reasoning[..r].to_string());
            (Some(row), (c, r))
        }
        None => return None,
    };
    let finish =
        (!m.status.is_live()).then(|| Box::new((m.without_text(), media_json(m, scanned))));
    // A live reply's parts end at line ends; the rest of the line waits for the next write.
    let (c_end, r_end) = if m.status.is_live() {
        (
            line_end(&m.content, c, m.content.len()),
            line_end(&m.reasoning, r, m.reasoning.len()),
        )
    } else {
        (m.content.len(), m.reasoning.len())
    };
    Some((
        head,
        Append {
            seq: m.id,
            content: m.content[c..c_end].to_string(),
            reasoning: m.reasoning[r..r_end].to_string(),
            finish,
        },
        (c_end, r_end),
    ))
}

/// The `media` column of `m`: its links as JSON. Links only matter once the text is final, so
/// a live reply's checkpoint skips the scan (`[]`). `scanned`: the media panel's links of the
/// finished text, when current: a long text is not scanned a second time on the store thread.
pub fn media_json(m: &Message, scanned: Option<&[crate::media::MediaLink]>) -> String {
    if m.status.is_live() {
        return "[]".into();
    }
    let links = match scanned {
        Some(found) => links::from_extracted(found),
        None => links::extract(&m.content),
    };
    serde_json::to_string(&links).unwrap_or_else(|_| "[]".into())
}

/// The end of the last complete line of `s[from..to]` (`to` when there is none: one very long
/// line is still written).
fn line_end(s: &str, from: usize, to: usize) -> usize {
    s[from..to].rfind('\n').map_or(to, |i| from + i + 1)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
