//! The conversation: messages, their roles, status and what the server reported about them.

mod message;

pub use message::{Message, MessageFields};

use chrono::{DateTime, Local};

use crate::api::client::WireMessage;

/// Ends the model label of an `/image` reply (`mock:dall-e-3 (images)`); it marks the
/// exchange as one that is not sent to the chat model.
pub const IMAGES_MARK: &str = " (images)";

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
    System,
}

impl Role {
    /// The role's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::System => "system",
        }
    }
}

/// The finish reason recorded for a reply cut off at `max_reply_mb` (no provider sends it).
pub const OVER_SIZE_LIMIT: &str = "ecochat:over_size_limit";

/// Where a message is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Sent by the user, or a reply that finished normally.
    Done,
    /// Waiting for the first byte of a reply.
    Waiting,
    /// A reply still arriving.
    Streaming,
    /// The user stopped the reply; the partial text stays.
    Cancelled,
    /// The reply broke off (dropped connection, timeout, error mid-stream); the partial text stays.
    Interrupted(String),
    /// The request failed before any text arrived.
    Failed(String),
}

impl Status {
    /// True while a reply is still expected to change.
    pub fn is_live(&self) -> bool {
        matches!(self, Status::Waiting | Status::Streaming)
    }
}

/// Which messages may have changed since the caches last looked (`Conversation::take_changes`).
/// Revisions say whether a message did change; this says where to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Changes {
    /// Nothing was touched: every message is as it was (a cache may still be behind).
    #[default]
    None,
    /// Only this message was touched, in place (a piece of a reply).
    One(u64),
    /// Messages were added, removed or several touched.
    Many,
}

impl Changes {
    /// The one message touched, when only one was (and none added or removed).
    pub fn only(self) -> Option<u64> {
        match self {
            Changes::One(id) => Some(id),
            _ => None,
        }
    }

    fn touch(&mut self, id: u64) {
        *self = match *self {
            Changes::None => Changes::One(id),
            Changes::One(same) if same == id => Changes::One(id),
            _ => Changes::Many,
        };
    }
}

/// An ordered list of messages, changed only through its methods and those of `Message`.
///
/// Three caches follow it by message id and revision: the conversation layout (on read, see
/// `App::layout`), the media panel's link scan and the store sync (both after every update, see
/// `app::update`). Ids restart with each new conversation, so `clear` and `load` start new
/// messages at revisions no earlier message reached: an old cache entry never matches a new one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    messages: Vec<Message>,
    next_id: u64,
    /// Higher than the revision of any message removed: new messages start here.
    floor: u64,
    changes: Changes,
}

impl Conversation {
    /// The messages, oldest first (the system prompt, when there is one, first).
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// Appends a finished message written at `created` and returns its id.
    pub fn push(
        &mut self,
        role: Role,
        content: impl Into<String>,
        created: DateTime<Local>,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut m = Message::new(id, role, content, created);
        m.set_revision(self.floor);
        self.messages.push(m);
        self.changes = Changes::Many;
        id
    }

    /// Appends an empty assistant reply by `model`, waiting for its first byte; returns its id.
    pub fn push_reply(&mut self, model: String, created: DateTime<Local>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut fields = MessageFields::new(id, Role::Assistant, "", created);
        fields.model = Some(model);
        fields.status = Status::Waiting;
        let mut m = Message::from(fields);
        m.set_revision(self.floor);
        self.messages.push(m);
        self.changes = Changes::Many;
        id
    }

    /// A conversation holding `messages` (e.g. loaded from the store); new ids continue after
    /// the highest one, so they never collide with a stored message.
    pub fn from_messages(messages: Vec<Message>) -> Self {
        let mut c = Self::default();
        c.load(messages);
        c
    }

    /// Replaces the messages with `messages` (another session); see `clear` for revisions.
    pub fn load(&mut self, mut messages: Vec<Message>) {
        self.clear();
        self.next_id = messages.iter().map(|m| m.id + 1).max().unwrap_or(0);
        // A system prompt set mid-conversation is stored after the messages before it, but
        // belongs first.
        messages.sort_by_key(|m| m.role != Role::System);
        for m in &mut messages {
            m.set_revision(self.floor);
        }
        self.messages = messages;
    }

    /// Removes every message: a new conversation, whose ids start again at 0 and whose
    /// revisions start above any this one reached (so no cache mistakes a new message 0 for
    /// the old one).
    pub fn clear(&mut self) {
        for m in std::mem::take(&mut self.messages) {
            self.retire(&m);
        }
        self.next_id = 0;
        self.changes = Changes::Many;
    }

    /// Removes the messages whose ids are in `ids`; true when any went.
    pub fn remove(&mut self, ids: &[u64]) -> bool {
        let (gone, kept) = std::mem::take(&mut self.messages)
            .into_iter()
            .partition(|m| ids.contains(&m.id));
        self.messages = kept;
        let gone: Vec<Message> = gone;
        for m in &gone {
            self.retire(m);
        }
        !gone.is_empty()
    }

    /// Keeps new revisions above those of a message going away (see `clear`).
    fn retire(&mut self, m: &Message) {
        self.floor = self.floor.max(m.revision() + 1);
        self.changes = Changes::Many;
    }

    /// Removes the assistant messages at the end (the replies a regenerate replaces).
    pub fn pop_replies(&mut self) {
        while self
            .messages
            .last()
            .is_some_and(|m| m.role == Role::Assistant)
        {
            if let Some(m) = self.messages.pop() {
                self.retire(&m);
            }
        }
    }

    /// What may have changed since the last call (see `Changes`).
    pub fn take_changes(&mut self) -> Changes {
        std::mem::take(&mut self.changes)
    }

    /// The system prompt, when there is one (it is always the first message).
    pub fn system_prompt(&self) -> Option<&str> {
        self.messages
            .first()
            .filter(|m| m.role == Role::System)
            .map(|m| m.content.as_str())
    }

    /// Sets the system prompt (`None` removes it), kept as the first message so it is shown at
    /// the top and sent first. `now`: when a new system prompt of an empty conversation was
    /// written (in a conversation with messages it dates from the first of them).
    pub fn set_system(&mut self, text: Option<String>, now: DateTime<Local>) {
        let has = self.system_prompt().is_some();
        match (text, has) {
            (Some(text), true) => {
                let id = self.messages[0].id;
                self.changes.touch(id);
                self.messages[0].set_content(text);
            }
            (Some(text), false) => {
                // The conversation still started when its first message was written.
                let created = self.messages.first().map_or(now, |m| m.created);
                let mut m = Message::new(self.next_id, Role::System, text, created);
                m.set_revision(self.floor);
                self.next_id += 1;
                self.messages.insert(0, m);
                self.changes = Changes::Many;
            }
            (None, true) => {
                let m = self.messages.remove(0);
                self.retire(&m);
            }
            (None, false) => {}
        }
    }

    /// The message with `id`.
    pub fn get(&self, id: u64) -> Option<&Message> {
        // Replies are nearly always the last message, so search from the end.
        self.messages.iter().rev().find(|m| m.id == id)
    }

    /// The message with `id`, to change through its methods (recorded as touched).
    pub fn get_mut(&mut self, id: u64) -> Option<&mut Message> {
        let m = self.messages.iter_mut().rev().find(|m| m.id == id)?;
        self.changes.touch(id);
        Some(m)
    }

    /// What to send for the next reply: user and assistant text, without reasoning, the
    /// placeholder of the reply being requested, or the turns left out of the context.
    /// Strict APIs refuse two user messages in a row, so a prompt whose reply is not sent
    /// (failed, empty) is not sent either: the wire never has two user messages in a row.
    pub fn wire_history(&self) -> Vec<WireMessage> {
        let msgs = &self.messages;
        let mut kept: Vec<&Message> = Vec::with_capacity(msgs.len());
        for (i, m) in msgs.iter().enumerate() {
            let keep = match m.role {
                Role::System => true,
                Role::User => !self.left_out_at(i),
                Role::Assistant => m.in_context(),
            };
            if !keep {
                continue;
            }
            if m.role == Role::User && kept.last().is_some_and(|p| p.role == Role::User) {
                // The earlier prompt got no reply that is sent: this one stands in for it.
                kept.pop();
            }
            kept.push(m);
        }
        kept.into_iter()
            .map(|m| WireMessage::new(m.role.as_str(), m.content.clone()))
            .collect()
    }

    /// True when message `id` (a prompt or its reply) is left out of the requests that follow
    /// it, because its reply failed or is empty or is generated images.
    pub fn left_out(&self, id: u64) -> bool {
        self.messages
            .iter()
            .position(|m| m.id == id)
            .is_some_and(|i| self.left_out_at(i))
    }

    fn left_out_at(&self, i: usize) -> bool {
        let m = &self.messages[i];
        match m.role {
            Role::System => false,
            Role::Assistant => !m.status.is_live() && !m.in_context(),
            Role::User => match self.messages.get(i + 1) {
                // The prompt being sent.
                None => false,
                Some(r) if r.role == Role::Assistant => !r.status.is_live() && !r.in_context(),
                // A prompt whose reply was never written (ecochat stopped while waiting).
                Some(_) => true,
            },
        }
    }

    /// True when there are no messages.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
#[path = "wire_tests.rs"]
mod wire_tests;

/// A fixed time for tests' messages, so nothing in them depends on the clock.
#[cfg(test)]
pub(crate) fn test_time() -> DateTime<Local> {
    use chrono::TimeZone;
    Local
        .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .single()
        .unwrap_or_default()
}
