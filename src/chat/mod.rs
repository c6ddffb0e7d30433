//! The conversation: messages, their roles, status and what the server reported about them.

use chrono::{DateTime, Local};

use crate::api::client::WireMessage;
use crate::api::{Citation, Usage};

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

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
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
    pub finish_reason: Option<String>,
    pub citations: Vec<Citation>,
    /// The body ended with text but with neither `[DONE]` nor a `finish_reason`.
    pub truncated: bool,
    /// Bumped on every change, so cached layouts know when to re-wrap.
    pub revision: u64,
    /// Files and images sent with a prompt.
    pub attachments: Vec<crate::attach::Attachment>,
}

impl Message {
    /// A new message with the given role and text, created now.
    pub fn new(id: u64, role: Role, content: impl Into<String>) -> Self {
        Self {
            id,
            role,
            content: content.into(),
            reasoning: String::new(),
            model: None,
            created: Local::now(),
            status: Status::Done,
            usage: None,
            finish_reason: None,
            citations: Vec::new(),
            truncated: false,
            revision: 0,
            attachments: Vec::new(),
        }
    }

    /// True for the reply of an `/image` request: links to generated images.
    pub fn is_image_generation(&self) -> bool {
        self.role == Role::Assistant
            && self
                .model
                .as_deref()
                .is_some_and(|m| m.ends_with(IMAGES_MARK))
    }

    /// False for a reply that is not sent with later requests, and so neither is its
    /// prompt: failed, empty, still arriving, or a set of generated images.
    pub fn in_context(&self) -> bool {
        !matches!(
            self.status,
            Status::Failed(_) | Status::Waiting | Status::Streaming
        ) && !self.content.trim().is_empty()
            && !self.is_image_generation()
    }

    /// Everything but the text: what describes a message whose text is written elsewhere.
    pub fn without_text(&self) -> Self {
        Self {
            content: String::new(),
            reasoning: String::new(),
            model: self.model.clone(),
            status: self.status.clone(),
            finish_reason: self.finish_reason.clone(),
            citations: self.citations.clone(),
            attachments: self.attachments.clone(),
            ..*self
        }
    }
}

/// An ordered list of messages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    pub messages: Vec<Message>,
    next_id: u64,
}

impl Conversation {
    /// Appends a message and returns its id.
    pub fn push(&mut self, role: Role, content: impl Into<String>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.messages.push(Message::new(id, role, content));
        id
    }

    /// A conversation holding `messages` (e.g. loaded from the store); new ids continue after
    /// the highest one, so they never collide with a stored message.
    pub fn from_messages(mut messages: Vec<Message>) -> Self {
        let next_id = messages.iter().map(|m| m.id + 1).max().unwrap_or(0);
        // A system prompt set mid-conversation is stored after the messages before it, but
        // belongs first.
        messages.sort_by_key(|m| m.role != Role::System);
        Self { messages, next_id }
    }

    /// The system prompt, when there is one (it is always the first message).
    pub fn system_prompt(&self) -> Option<&str> {
        self.messages
            .first()
            .filter(|m| m.role == Role::System)
            .map(|m| m.content.as_str())
    }

    /// Sets the system prompt (`None` removes it), kept as the first message so it is shown at
    /// the top and sent first.
    pub fn set_system(&mut self, text: Option<String>) {
        let has = self.system_prompt().is_some();
        match (text, has) {
            (Some(text), true) => {
                let m = &mut self.messages[0];
                m.content = text;
                m.revision += 1;
            }
            (Some(text), false) => {
                let mut m = Message::new(self.next_id, Role::System, text);
                self.next_id += 1;
                if let Some(first) = self.messages.first() {
                    // The conversation still started when its first message was written.
                    m.created = first.created;
                }
                self.messages.insert(0, m);
            }
            (None, true) => {
                self.messages.remove(0);
            }
            (None, false) => {}
        }
    }

    /// The message with `id`.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut Message> {
        // Replies are nearly always the last message, so search from the end.
        self.messages.iter_mut().rev().find(|m| m.id == id)
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
            .map(|m| crate::attach::wire_message(m.role.as_str(), &m.content, &m.attachments))
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
mod tests {
    use super::*;

    #[test]
    fn wire_history_skips_reasoning_failures_and_live_replies() {
        let mut c = Conversation::default();
        c.push(Role::User, "q1");
        let a = c.push(Role::Assistant, "a1");
        c.get_mut(a).unwrap().reasoning = "secret thoughts".into();
        c.push(Role::User, "q2");
        let f = c.push(Role::Assistant, "");
        c.get_mut(f).unwrap().status = Status::Failed("401".into());
        c.push(Role::User, "q3");
        let live = c.push(Role::Assistant, "partial");
        c.get_mut(live).unwrap().status = Status::Streaming;
        let wire = c.wire_history();
        let texts: Vec<_> = wire
            .iter()
            .map(|m| (m.role.as_str(), m.content.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                ("user", "q1"),
                ("assistant", "a1"),
                // q2 failed: it is left out with its reply, not sent twice in a row with q3.
                ("user", "q3")
            ]
        );
        assert!(!wire.iter().any(|m| m.content.contains("secret")));
    }

    #[test]
    fn the_system_prompt_is_first_on_the_wire_and_can_be_replaced_or_removed() {
        let mut c = Conversation::default();
        c.push(Role::User, "q1");
        c.push(Role::Assistant, "a1");
        c.set_system(Some("你是翻译".into()));
        let wire = c.wire_history();
        assert_eq!(
            (wire[0].role.as_str(), wire[0].content.as_str()),
            ("system", "你是翻译")
        );
        assert_eq!(wire.len(), 3);
        let id = c.messages[0].id;
        assert!(id > c.messages[2].id, "a fresh id, never a reused one");
        c.set_system(Some("terse".into()));
        assert_eq!(c.system_prompt(), Some("terse"));
        assert_eq!((c.messages[0].id, c.messages[0].revision), (id, 1));
        c.set_system(None);
        assert_eq!(c.system_prompt(), None);
        assert_eq!(c.messages.len(), 2);
    }

    #[test]
    fn a_stored_system_prompt_comes_back_first() {
        let mut c = Conversation::default();
        c.push(Role::User, "q1");
        c.set_system(Some("s".into()));
        // The store returns messages by id: the system prompt last.
        let mut stored = c.messages.clone();
        stored.sort_by_key(|m| m.id);
        let back = Conversation::from_messages(stored);
        assert_eq!(back.system_prompt(), Some("s"));
        assert_eq!(back.messages, c.messages);
    }

    #[test]
    fn cancelled_partial_replies_are_kept_in_history() {
        let mut c = Conversation::default();
        c.push(Role::User, "q");
        let a = c.push(Role::Assistant, "half an answer");
        c.get_mut(a).unwrap().status = Status::Cancelled;
        assert_eq!(c.wire_history().len(), 2);
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod wire_tests;
