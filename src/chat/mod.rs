//! The conversation: messages, their roles, status and what the server reported about them.

use chrono::{DateTime, Local};

use crate::api::client::WireMessage;
use crate::api::{Citation, Usage};

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
    /// The stream ended with text but without a `finish_reason`.
    pub truncated: bool,
    /// Bumped on every change, so cached layouts know when to re-wrap.
    pub revision: u64,
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
        }
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

    /// What to send for the next reply: user and assistant text, without reasoning,
    /// failed replies, or the placeholder of the reply being requested.
    pub fn wire_history(&self) -> Vec<WireMessage> {
        self.messages
            .iter()
            .filter(|m| match (&m.role, &m.status) {
                (_, Status::Failed(_) | Status::Waiting | Status::Streaming) => false,
                (Role::Assistant, _) => !m.content.trim().is_empty(),
                _ => true,
            })
            .map(|m| WireMessage::new(m.role.as_str(), m.content.clone()))
            .collect()
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
                ("user", "q2"),
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
