//! The conversation: messages, their roles, status and what the server reported about them.

mod message;
mod tree;

pub use message::{Message, MessageFields};
pub use tree::Fork;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Local};

use crate::api::client::WireMessage;

/// Ends the model label of an `/image` reply (`mock:dall-e-3 (images)`); it marks the
/// exchange as one that is not sent to the chat model.
pub const IMAGES_MARK: &str = " (images)";

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// The messages of a conversation: a tree (each message follows its `parent`) of which one
/// path is shown and sent; the other branches are kept as alternatives. Changed only through
/// its methods and those of `Message`.
///
/// Three caches follow it by message id and revision: the conversation layout (on read, see
/// `App::layout`), the media panel's link scan and the store sync (both after every update, see
/// `app::update`). Ids restart with each new conversation, so `clear` and `load` start new
/// messages at revisions no earlier message reached: an old cache entry never matches a new one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    /// The shown path, oldest first (the system prompt, when there is one, first).
    messages: Vec<Message>,
    /// Messages off the shown path (other replies of a turn, earlier branches), in no order.
    hidden: Vec<Message>,
    next_id: u64,
    /// Higher than the revision of any message removed: new messages start here.
    floor: u64,
    changes: Changes,
}

impl Conversation {
    /// The shown path, oldest first (the system prompt, when there is one, first).
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// The alternatives off the shown path, in no particular order.
    pub fn hidden(&self) -> &[Message] {
        &self.hidden
    }

    /// Every message: the shown path, then the alternatives.
    pub fn all(&self) -> impl Iterator<Item = &Message> {
        self.messages.iter().chain(&self.hidden)
    }

    /// Appends a finished message written at `created` to the shown path and returns its id.
    pub fn push(
        &mut self,
        role: Role,
        content: impl Into<String>,
        created: DateTime<Local>,
    ) -> u64 {
        let mut fields = MessageFields::new(self.next_id, role, content, created);
        if role != Role::System {
            fields.parent = self.tail_id();
        }
        self.add(fields, true)
    }

    /// Appends an empty assistant reply by `model`, waiting for its first byte; returns its id.
    pub fn push_reply(&mut self, model: String, created: DateTime<Local>) -> u64 {
        let parent = self.tail_id();
        self.add(waiting_reply(self.next_id, parent, model, created), true)
    }

    /// Adds a waiting reply by `model` to prompt `prompt` beside the one shown (another model's
    /// answer to the same prompt); returns its id.
    pub fn push_alternative_reply(
        &mut self,
        prompt: u64,
        model: String,
        created: DateTime<Local>,
    ) -> u64 {
        self.add(
            waiting_reply(self.next_id, Some(prompt), model, created),
            false,
        )
    }

    fn add(&mut self, fields: MessageFields, shown: bool) -> u64 {
        let id = fields.id;
        self.next_id = self.next_id.max(id + 1);
        let (parent, role) = (fields.parent, fields.role);
        let mut m = Message::from(fields);
        m.set_revision(self.floor);
        if shown {
            self.messages.push(m);
        } else {
            self.hidden.push(m);
        }
        self.changes = Changes::Many;
        if role != Role::System {
            self.relabel(parent, role);
        }
        id
    }

    /// The last message of the shown path that a new one follows.
    fn tail_id(&self) -> Option<u64> {
        self.messages
            .iter()
            .rev()
            .find(|m| tree::in_tree(m))
            .map(|m| m.id)
    }

    /// Numbers the alternatives among the children of `parent` with `role` again.
    fn relabel(&mut self, parent: Option<u64>, role: Role) {
        let ids: Vec<u64> = self
            .all()
            .filter(|m| tree::in_tree(m) && m.parent == parent && m.role == role)
            .map(|m| m.id)
            .collect();
        let count = ids.len();
        let mut sorted = ids;
        sorted.sort_unstable();
        for (i, id) in sorted.into_iter().enumerate() {
            let fork = (count > 1).then_some(Fork {
                index: i + 1,
                count,
            });
            if let Some(m) = self.find_mut(id) {
                m.set_fork(fork);
            }
        }
    }

    /// Numbers every message's alternatives again.
    fn relabel_all(&mut self) {
        let forks = tree::forks(self.all());
        for m in self.messages.iter_mut().chain(self.hidden.iter_mut()) {
            m.set_fork(forks.get(&m.id).copied());
        }
    }

    /// A conversation holding `messages` (e.g. loaded from the store); new ids continue after
    /// the highest one, so they never collide with a stored message.
    pub fn from_messages(messages: Vec<Message>) -> Self {
        let mut c = Self::default();
        c.load(messages);
        c
    }

    /// Replaces the messages with `messages` (another session), showing the branch last
    /// written to; see `clear` for revisions.
    pub fn load(&mut self, messages: Vec<Message>) {
        self.load_showing(messages, None);
    }

    /// Replaces the messages with `messages`, showing the branch through message `focus` (a
    /// search hit) when it is one of them.
    pub fn load_showing(&mut self, mut messages: Vec<Message>, focus: Option<u64>) {
        self.clear();
        self.next_id = messages.iter().map(|m| m.id + 1).max().unwrap_or(0);
        chain_if_flat(&mut messages);
        for m in &mut messages {
            m.set_revision(self.floor);
        }
        self.hidden = messages;
        self.arrange(focus);
    }

    /// Shows the path through message `id`; below it, the branch last written to.
    pub fn show(&mut self, id: u64) {
        if self.get(id).is_some() {
            self.arrange(Some(id));
        }
    }

    /// Shows the alternative `step` places from message `id` among its siblings (-1: the one
    /// before); returns the id now shown, or `None` past either end.
    pub fn switch(&mut self, id: u64, step: isize) -> Option<u64> {
        let m = self.get(id)?;
        let siblings = tree::siblings(self.all(), m);
        let at = siblings.iter().position(|s| *s == id)?;
        let to = *siblings.get(at.checked_add_signed(step)?)?;
        self.arrange(Some(to));
        Some(to)
    }

    /// Rebuilds the shown path through `focus` from every message.
    fn arrange(&mut self, focus: Option<u64>) {
        let mut all = std::mem::take(&mut self.messages);
        all.append(&mut self.hidden);
        let path = {
            let refs: Vec<&Message> = all.iter().collect();
            tree::path_through(&refs, focus)
        };
        let place: HashMap<u64, usize> = path.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let (mut shown, hidden): (Vec<Message>, Vec<Message>) = all
            .into_iter()
            .partition(|m| !tree::in_tree(m) || place.contains_key(&m.id));
        // A system prompt set mid-conversation is stored after the messages before it, but
        // belongs first.
        shown.sort_by_key(|m| (tree::in_tree(m), place.get(&m.id).copied().unwrap_or(0)));
        self.messages = shown;
        self.hidden = hidden;
        self.relabel_all();
        self.changes = Changes::Many;
    }

    /// Removes every message: a new conversation, whose ids start again at 0 and whose
    /// revisions start above any this one reached (so no cache mistakes a new message 0 for
    /// the old one).
    pub fn clear(&mut self) {
        let mut gone = std::mem::take(&mut self.messages);
        gone.append(&mut self.hidden);
        for m in gone {
            self.retire(&m);
        }
        self.next_id = 0;
        self.changes = Changes::Many;
    }

    /// Removes the messages whose ids are in `ids` (an exchange), with the alternatives that
    /// hang off them; what followed them on the shown path follows their parent. True when
    /// any went.
    pub fn remove(&mut self, ids: &[u64]) -> bool {
        let mut gone: HashSet<u64> = ids
            .iter()
            .copied()
            .filter(|id| self.get(*id).is_some())
            .collect();
        if gone.is_empty() {
            return false;
        }
        // An alternative under a removed message goes too, unless a message that stays on the
        // shown path is its sibling (then it is that message's alternative, and stays).
        loop {
            let shown = &self.messages;
            let more: Vec<u64> = self
                .hidden
                .iter()
                .filter(|m| !gone.contains(&m.id))
                .filter(|m| {
                    m.parent.is_some_and(|p| gone.contains(&p))
                        && !shown.iter().any(|s| {
                            !gone.contains(&s.id) && s.parent == m.parent && s.role == m.role
                        })
                })
                .map(|m| m.id)
                .collect();
            if more.is_empty() {
                break;
            }
            gone.extend(more);
        }
        let parent_of: HashMap<u64, Option<u64>> = self
            .all()
            .filter(|m| gone.contains(&m.id))
            .map(|m| (m.id, m.parent))
            .collect();
        let lift = |mut p: Option<u64>| {
            while let Some(up) = p.and_then(|id| parent_of.get(&id)) {
                p = *up;
            }
            p
        };
        for list in [&mut self.messages, &mut self.hidden] {
            let (out, kept): (Vec<Message>, Vec<Message>) = std::mem::take(list)
                .into_iter()
                .partition(|m| gone.contains(&m.id));
            *list = kept;
            for m in &out {
                self.floor = self.floor.max(m.revision() + 1);
            }
        }
        for m in self.messages.iter_mut().chain(self.hidden.iter_mut()) {
            if m.parent.is_some_and(|p| gone.contains(&p)) {
                m.set_parent(lift(m.parent));
            }
        }
        self.relabel_all();
        self.changes = Changes::Many;
        true
    }

    /// Keeps new revisions above those of a message going away (see `clear`).
    fn retire(&mut self, m: &Message) {
        self.floor = self.floor.max(m.revision() + 1);
        self.changes = Changes::Many;
    }

    /// Takes the replies at the end off the shown path, for a new reply to the same prompt:
    /// those with text stay as its alternatives, empty and failed ones go.
    pub fn set_aside_replies(&mut self) {
        while self
            .messages
            .last()
            .is_some_and(|m| m.role == Role::Assistant)
        {
            if let Some(m) = self.messages.pop() {
                if m.has_text() && !matches!(m.status, Status::Failed(_)) {
                    self.hidden.push(m);
                    self.changes = Changes::Many;
                } else {
                    self.retire(&m);
                }
            }
        }
        self.relabel_all();
    }

    /// Takes message `id` and what follows it off the shown path (an edited prompt is sent as
    /// a new branch): they stay as alternatives, and the next message pushed takes its place.
    /// False when `id` is not on the shown path.
    pub fn branch_before(&mut self, id: u64) -> bool {
        let Some(at) = self.messages.iter().position(|m| m.id == id) else {
            return false;
        };
        let rest = self.messages.split_off(at);
        self.hidden.extend(rest);
        self.changes = Changes::Many;
        true
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

    /// The message with `id`, shown or not.
    pub fn get(&self, id: u64) -> Option<&Message> {
        // Replies are nearly always the last message, so search from the end.
        self.messages
            .iter()
            .rev()
            .chain(&self.hidden)
            .find(|m| m.id == id)
    }

    /// The message with `id`, to change through its methods (recorded as touched).
    pub fn get_mut(&mut self, id: u64) -> Option<&mut Message> {
        let m = self
            .messages
            .iter_mut()
            .rev()
            .chain(self.hidden.iter_mut())
            .find(|m| m.id == id)?;
        self.changes.touch(id);
        Some(m)
    }

    /// The message with `id`, without recording a touch (the caller records what it does).
    fn find_mut(&mut self, id: u64) -> Option<&mut Message> {
        self.messages
            .iter_mut()
            .rev()
            .chain(self.hidden.iter_mut())
            .find(|m| m.id == id)
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

    /// True when there are no messages, shown or not.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.hidden.is_empty()
    }
}

/// An empty reply by `model` to `parent`, waiting for its first byte.
fn waiting_reply(
    id: u64,
    parent: Option<u64>,
    model: String,
    created: DateTime<Local>,
) -> MessageFields {
    let mut fields = MessageFields::new(id, Role::Assistant, "", created);
    fields.model = Some(model);
    fields.status = Status::Waiting;
    fields.parent = parent;
    fields
}

/// Messages written before conversations were trees (or made without parents) are one
/// straight path, in id order.
fn chain_if_flat(messages: &mut [Message]) {
    if messages
        .iter()
        .any(|m| tree::in_tree(m) && m.parent.is_some())
    {
        return;
    }
    let mut order: Vec<usize> = (0..messages.len())
        .filter(|i| tree::in_tree(&messages[*i]))
        .collect();
    order.sort_by_key(|i| messages[*i].id);
    let mut previous = None;
    for i in order {
        messages[i].set_parent(previous);
        previous = Some(messages[i].id);
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tree_tests;
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
