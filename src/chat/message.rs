//! One message and the only ways it changes. Every change that alters what the message shows
//! bumps its revision, which the layout, the media scan and the store sync compare against
//! what they last saw; nothing else writes a message.

use std::ops::Deref;

use chrono::{DateTime, Local};

use super::{IMAGES_MARK, OVER_SIZE_LIMIT, Role, Status};
use crate::api::client::ReplyEnd;
use crate::api::{Citation, StreamEvent, Usage};

/// What a message holds. Read through `Message` (which derefs to it); build one to make a
/// message from stored columns or for a test. A new field goes here and in `new` (the compiler
/// then points at `Message::with_text` and the store's columns); it changes through a method
/// of `Message` that calls `change`, so its revision rule is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageFields {
    /// Unique within the conversation; also keys the render cache.
    pub id: u64,
    pub role: Role,
    pub content: String,
    /// Chain-of-thought text; shown dimmed, never sent back to the server.
    pub reasoning: String,
    /// `provider:model` that wrote an assistant message.
    pub model: Option<String>,
    pub created: DateTime<Local>,
    pub status: Status,
    pub usage: Option<Usage>,
    /// What the reply cost, priced when it ended (stored, so later price changes keep it).
    pub cost: Option<crate::cost::Money>,
    pub finish_reason: Option<String>,
    pub citations: Vec<Citation>,
    /// The body ended with text but with neither `[DONE]` nor a `finish_reason`.
    pub truncated: bool,
    /// Files and images sent with a prompt.
    pub attachments: Vec<crate::attach::Attachment>,
    /// The message this one follows (`None`: the first prompt, or a system prompt).
    pub parent: Option<u64>,
    /// Where it stands among the alternatives of its turn, when it has any (kept by the
    /// conversation).
    pub fork: Option<super::Fork>,
    /// A generation task's card (Midjourney, Suno, video): it describes a job, and is never
    /// sent back as chat history. Cards stored before this flag carry `IMAGES_MARK` instead.
    pub task: bool,
}

impl MessageFields {
    /// A finished message with the given role and text, written at `created`.
    pub fn new(id: u64, role: Role, content: impl Into<String>, created: DateTime<Local>) -> Self {
        Self {
            id,
            role,
            content: content.into(),
            reasoning: String::new(),
            model: None,
            created,
            status: Status::Done,
            usage: None,
            cost: None,
            finish_reason: None,
            citations: Vec::new(),
            truncated: false,
            attachments: Vec::new(),
            parent: None,
            fork: None,
            task: false,
        }
    }
}

/// One message of a conversation. Its fields read as `msg.content` (through `Deref`) but are
/// changed only by the methods below, each of which keeps the revision and status rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    fields: MessageFields,
    revision: u64,
}

impl Deref for Message {
    type Target = MessageFields;

    fn deref(&self) -> &MessageFields {
        &self.fields
    }
}

impl From<MessageFields> for Message {
    fn from(fields: MessageFields) -> Self {
        Self {
            fields,
            revision: 0,
        }
    }
}

impl Message {
    /// A finished message with the given role and text, written at `created`.
    pub fn new(id: u64, role: Role, content: impl Into<String>, created: DateTime<Local>) -> Self {
        MessageFields::new(id, role, content, created).into()
    }

    /// Changes whenever what the message shows changes, so caches know when to look again.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Sets the revision a message starts from (see `Conversation::clear`).
    pub(super) fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }

    /// Applies `change` to the fields and bumps the revision when it reports a change.
    fn change(&mut self, change: impl FnOnce(&mut MessageFields) -> bool) -> bool {
        let changed = change(&mut self.fields);
        if changed {
            self.revision += 1;
        }
        changed
    }

    /// Changes any field, as a test sets up a message (bumps the revision).
    #[cfg(test)]
    pub(crate) fn edit(&mut self, edit: impl FnOnce(&mut MessageFields)) {
        edit(&mut self.fields);
        self.revision += 1;
    }

    /// True when some reply text (content or reasoning) has arrived.
    pub fn has_text(&self) -> bool {
        !self.content.is_empty() || !self.reasoning.is_empty()
    }

    /// True for the reply of an `/image` request: links to generated images.
    pub fn is_image_generation(&self) -> bool {
        self.role == Role::Assistant
            && self
                .model
                .as_deref()
                .is_some_and(|m| m.ends_with(IMAGES_MARK))
    }

    /// True for a generation task's card, flagged or (stored before the flag) marked like
    /// an `/image` answer.
    pub fn is_task_card(&self) -> bool {
        self.role == Role::Assistant && (self.task || self.is_image_generation())
    }

    /// Makes this reply a generation task's card.
    pub fn mark_task(&mut self) -> bool {
        self.change(|f| replace(&mut f.task, true))
    }

    /// False for a reply that is not sent with later requests, and so neither is its
    /// prompt: failed, empty, still arriving, a set of generated images or a task's card.
    pub fn in_context(&self) -> bool {
        !matches!(
            self.status,
            Status::Failed(_) | Status::Waiting | Status::Streaming
        ) && !self.content.trim().is_empty()
            && !self.is_image_generation()
            && !self.task
    }

    /// Everything but the text: what describes a message whose text is written elsewhere.
    pub fn without_text(&self) -> Self {
        self.with_text(String::new(), String::new())
    }

    /// This message with other text (the start of a long reply, written before its parts).
    pub fn with_text(&self, content: String, reasoning: String) -> Self {
        let f = &self.fields;
        // The text is not cloned (a long reply is never copied whole): a new field that is not
        // `Copy` is cloned here too.
        Self {
            fields: MessageFields {
                content,
                reasoning,
                model: f.model.clone(),
                status: f.status.clone(),
                finish_reason: f.finish_reason.clone(),
                citations: f.citations.clone(),
                attachments: f.attachments.clone(),
                ..*f
            },
            revision: self.revision,
        }
    }

    /// Sets the files and images sent with a prompt.
    pub fn attach(&mut self, attachments: Vec<crate::attach::Attachment>) -> bool {
        self.change(|f| replace(&mut f.attachments, attachments))
    }

    /// Sets the message this one follows (a message before it was deleted).
    pub(super) fn set_parent(&mut self, parent: Option<u64>) -> bool {
        self.change(|f| replace(&mut f.parent, parent))
    }

    /// Sets where it stands among its alternatives (shown in its header).
    pub(super) fn set_fork(&mut self, fork: Option<super::Fork>) -> bool {
        self.change(|f| replace(&mut f.fork, fork))
    }

    /// Replaces the whole text (an edited system prompt).
    pub(super) fn set_content(&mut self, text: String) -> bool {
        self.change(|f| replace(&mut f.content, text))
    }

    /// Appends a piece of the reply's text.
    pub fn append(&mut self, text: &str) -> bool {
        self.change(|f| {
            f.content.push_str(text);
            !text.is_empty()
        })
    }

    /// Appends a piece of the reply's reasoning.
    pub fn append_reasoning(&mut self, text: &str) -> bool {
        self.change(|f| {
            f.reasoning.push_str(text);
            !text.is_empty()
        })
    }

    /// Records the token counts the server reported.
    pub fn set_usage(&mut self, usage: Usage) -> bool {
        self.change(|f| replace(&mut f.usage, Some(usage)))
    }

    /// Records what the reply cost (`None`: not known).
    pub fn set_cost(&mut self, cost: Option<crate::cost::Money>) -> bool {
        self.change(|f| replace(&mut f.cost, cost))
    }

    /// Records why the server says the reply ended.
    pub fn set_finish_reason(&mut self, reason: String) -> bool {
        self.change(|f| replace(&mut f.finish_reason, Some(reason)))
    }

    /// Adds search references (Metaso `citations`).
    pub fn add_citations(&mut self, citations: impl IntoIterator<Item = Citation>) -> bool {
        self.change(|f| {
            let before = f.citations.len();
            f.citations.extend(citations);
            f.citations.len() != before
        })
    }

    /// Takes in one piece of a reply; an error piece is the caller's to end the reply with
    /// (`fail` or `interrupt`) and changes nothing here.
    pub fn receive(&mut self, event: &StreamEvent) -> bool {
        match event {
            StreamEvent::Content(t) => self.append(t),
            StreamEvent::Reasoning(t) => self.append_reasoning(t),
            StreamEvent::Usage(u) => self.set_usage(*u),
            StreamEvent::Finish(reason) => self.set_finish_reason(reason.clone()),
            StreamEvent::Citations(cs) => self.add_citations(cs.iter().cloned()),
            StreamEvent::Error(_) => false,
        }
    }

    /// A waiting reply starts streaming; true when it was waiting.
    pub fn start_streaming(&mut self) -> bool {
        self.change(|f| {
            let waiting = f.status == Status::Waiting;
            if waiting {
                f.status = Status::Streaming;
            }
            waiting
        })
    }

    /// The reply ended without an error: done, or cancelled when the user stopped it. A reply
    /// cut at the size cap records `OVER_SIZE_LIMIT` as its finish reason; otherwise a reason
    /// sent in the stream wins over the one read at its end.
    pub fn finish(&mut self, end: &ReplyEnd) -> bool {
        self.change(|f| {
            let status = if end.cancelled {
                Status::Cancelled
            } else {
                Status::Done
            };
            let mut changed = replace(&mut f.status, status);
            changed |= replace(&mut f.truncated, end.possibly_truncated);
            if let Some(u) = end.usage {
                changed |= replace(&mut f.usage, Some(u));
            }
            if end.over_limit {
                changed |= replace(&mut f.finish_reason, Some(OVER_SIZE_LIMIT.into()));
            } else if f.finish_reason.is_none() {
                changed |= replace(&mut f.finish_reason, end.finish_reason.clone());
            }
            changed
        })
    }

    /// The reply ended with an error: `Failed` when no text had arrived (nothing of it is
    /// kept or sent again), `Interrupted` when some had (the partial text stays).
    pub fn fail(&mut self, why: String) -> bool {
        let status = if self.has_text() {
            Status::Interrupted(why)
        } else {
            Status::Failed(why)
        };
        self.change(|f| replace(&mut f.status, status))
    }

    /// Failed whatever text it holds: a message whose text describes its own request (a
    /// generation task's card), not a partial reply.
    pub fn fail_whole(&mut self, why: String) -> bool {
        self.change(|f| replace(&mut f.status, Status::Failed(why)))
    }

    /// The reply broke off mid-stream, whatever had arrived.
    pub fn interrupt(&mut self, why: String) -> bool {
        self.change(|f| replace(&mut f.status, Status::Interrupted(why)))
    }

    /// The user stopped the reply; its text stays.
    pub fn cancel(&mut self) -> bool {
        self.change(|f| replace(&mut f.status, Status::Cancelled))
    }

    /// The reply arrived whole (the links of generated images): its text, and done.
    pub fn complete(&mut self, text: String) -> bool {
        self.change(|f| replace(&mut f.content, text) | replace(&mut f.status, Status::Done))
    }
}

/// Sets `slot` to `value`; true when that changed it.
fn replace<T: PartialEq>(slot: &mut T, value: T) -> bool {
    if *slot == value {
        return false;
    }
    *slot = value;
    true
}
