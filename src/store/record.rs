//! Pipe mode's exchange as a session, written as it happens: the prompt before the request,
//! the reply checkpointed while it streams, its end state last. Scripts' chats are searchable
//! like any other, and a killed run keeps what arrived up to the last checkpoint.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::SessionId;
use super::slug::title_from_prompt;
use super::task::{SessionMeta, SessionRef, StoreCmd, StoreEvent, StoreHandle};
use crate::api::client::ReplyEnd;
use crate::api::{ApiError, StreamEvent};
use crate::chat::{Message, MessageFields, Role, Status};

/// The reply is written at least this often while it streams.
const CHECKPOINT: Duration = Duration::from_secs(1);

/// Records one prompt and its reply.
pub struct Recorder {
    handle: StoreHandle,
    session: SessionRef,
    meta: SessionMeta,
    reply: Message,
    last_checkpoint: Option<Instant>,
    problem: Arc<Mutex<Option<String>>>,
    /// What the reply is priced at when it ends.
    price: Option<crate::cost::Price>,
    /// The message the prompt follows in a resumed session.
    after: Option<u64>,
}

/// Where a resumed session's new exchange goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Continuation {
    /// The sequence number the prompt gets (one past the session's last message).
    pub first_seq: u64,
    /// The message the prompt follows: the end of the branch shown.
    pub after: Option<u64>,
}

impl Recorder {
    /// Starts the store thread on `db` and writes the prompt as a new session.
    pub fn start(db: PathBuf, prompt: &str, model: &str) -> Recorder {
        let at = Continuation {
            first_seq: 0,
            after: None,
        };
        Self::begin(db, SessionRef::New(0), at, prompt, model)
    }

    /// Like [`Recorder::start`], but the exchange is appended to session `id` (`--resume`)
    /// where `at` says.
    pub fn continue_session(
        db: PathBuf,
        id: SessionId,
        at: Continuation,
        prompt: &str,
        model: &str,
    ) -> Recorder {
        Self::begin(db, SessionRef::Id(id), at, prompt, model)
    }

    fn begin(
        db: PathBuf,
        session: SessionRef,
        at: Continuation,
        prompt: &str,
        model: &str,
    ) -> Recorder {
        let seq = at.first_seq;
        let problem = Arc::new(Mutex::new(None));
        let seen = problem.clone();
        let handle = StoreHandle::spawn(Some(db), move |ev| {
            let why = match ev {
                StoreEvent::Unavailable(why) | StoreEvent::WriteFailed(why) => why,
                _ => return,
            };
            if let Ok(mut slot) = seen.lock() {
                slot.get_or_insert(why);
            }
        });
        // Pipe mode is an edge: the clock is read here, once.
        let created = chrono::Local::now();
        let mut user = MessageFields::new(seq, Role::User, prompt, created);
        user.parent = at.after;
        let user = Message::from(user);
        let meta = SessionMeta {
            title: title_from_prompt(prompt),
            model: model.to_string(),
            created,
        };
        let mut reply = MessageFields::new(seq + 1, Role::Assistant, "", created);
        reply.model = Some(model.to_string());
        reply.status = Status::Waiting;
        reply.parent = Some(seq);
        let reply = Message::from(reply);
        let recorder = Recorder {
            handle,
            session,
            meta,
            reply,
            last_checkpoint: None,
            problem,
            price: None,
            after: at.after,
        };
        recorder.save(user);
        recorder
    }

    /// Prices the reply with `price` when it ends (stored with it).
    pub fn priced(mut self, price: Option<crate::cost::Price>) -> Recorder {
        self.price = price;
        self
    }

    fn save(&self, message: Message) {
        self.handle.send(StoreCmd::Save {
            session: self.session,
            meta: self.meta.clone(),
            messages: vec![message],
        });
    }

    /// Stores the files sent with the prompt (`-a`), so `--resume` sends them again.
    pub fn attachments(&self, prompt: &str, attachments: &[crate::attach::Attachment]) {
        if attachments.is_empty() {
            return;
        }
        let mut user = MessageFields::new(
            self.reply.id.saturating_sub(1),
            Role::User,
            prompt,
            self.meta.created,
        );
        user.parent = self.after;
        let mut user = Message::from(user);
        user.attach(attachments.to_vec());
        self.save(user);
    }

    /// Takes in one piece of the reply.
    pub fn event(&mut self, ev: &StreamEvent) {
        let r = &mut self.reply;
        r.receive(ev);
        if !r.has_text() {
            return;
        }
        r.start_streaming();
        let now = Instant::now();
        if self
            .last_checkpoint
            .is_none_or(|t| now.duration_since(t) >= CHECKPOINT)
        {
            self.last_checkpoint = Some(now);
            self.save(self.reply.clone());
        }
    }

    /// Writes how the reply ended and waits for the store to finish; returns why the exchange
    /// could not be saved, if it could not.
    pub fn finish(mut self, result: &Result<ReplyEnd, ApiError>) -> Option<String> {
        let r = &mut self.reply;
        match result {
            Ok(end) => r.finish(end),
            Err(e) => r.fail(e.to_string()),
        };
        // A request that failed before any reply is not charged.
        let failed = matches!(r.status, Status::Failed(_));
        r.set_cost(
            self.price
                .filter(|_| !failed)
                .and_then(|p| p.cost(r.usage.as_ref())),
        );
        self.save(self.reply.clone());
        self.handle.shutdown();
        self.problem.lock().ok().and_then(|mut p| p.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn an_exchange_becomes_a_searchable_session() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ecochat.db");
        let mut rec = Recorder::start(db.clone(), "用一句话介绍量子计算", "mock:gpt-4o");
        rec.event(&StreamEvent::Reasoning("想".into()));
        rec.event(&StreamEvent::Content("量子计算利用叠加态。".into()));
        let problem = rec.finish(&Ok(ReplyEnd {
            finish_reason: Some("stop".into()),
            ..ReplyEnd::default()
        }));
        assert_eq!(problem, None);
        let store = Store::open(&db).unwrap();
        let hits = store.search("叠加态", 10).unwrap();
        assert_eq!(hits.len(), 1);
        let s = store.load(hits[0].session.id).unwrap();
        assert_eq!(s.summary.title, "用一句话介绍量子计算");
        assert_eq!(s.messages.len(), 2);
        assert_eq!(s.messages[1].status, Status::Done);
        assert_eq!(s.messages[1].reasoning, "想");
        assert_eq!(s.messages[1].model.as_deref(), Some("mock:gpt-4o"));
    }

    #[test]
    fn a_reply_cut_at_the_size_cap_is_recorded_as_such_as_in_the_tui() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ecochat.db");
        let mut rec = Recorder::start(db.clone(), "写一本书", "mock:gpt-4o");
        rec.event(&StreamEvent::Content("第一章".into()));
        let problem = rec.finish(&Ok(ReplyEnd {
            over_limit: true,
            ..ReplyEnd::default()
        }));
        assert_eq!(problem, None);
        let store = Store::open(&db).unwrap();
        let id = store.search("第一章", 10).unwrap()[0].session.id;
        let reply = &store.load(id).unwrap().messages[1];
        assert_eq!(
            reply.finish_reason.as_deref(),
            Some(crate::chat::OVER_SIZE_LIMIT)
        );
    }

    #[test]
    fn an_unwritable_store_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("data");
        std::fs::write(&blocker, "").unwrap();
        let rec = Recorder::start(blocker.join("ecochat.db"), "q", "m");
        let problem = rec.finish(&Err(ApiError::MissingKey {
            provider: "p".into(),
            hint: "h".into(),
        }));
        assert!(problem.is_some());
    }
}
