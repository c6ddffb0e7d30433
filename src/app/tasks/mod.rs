//! Generation tasks in the TUI: Enter with a task model (`api = "midjourney" | "suno" |
//! "video"`) submits the prompt as a task; a poller at the edge reports back; the reply is a
//! task card. `/mj NAME` presses a button of the latest Midjourney card.

pub mod card;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;

use super::{App, Effect, Notice};
use crate::chat::{Role, Status};
use crate::providers::Target;
use crate::tasks::{Snapshot, TaskApi, mj};

/// One task shown in the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// The assistant message that shows it.
    pub message_id: u64,
    pub api: TaskApi,
    pub prompt: String,
    /// The relay's id, once the submit was answered.
    pub remote_id: Option<String>,
    pub started: Instant,
    pub snapshot: Snapshot,
    /// Why it stopped without a result.
    pub stopped: Option<String>,
    pub done: bool,
    /// The card whose button made this one.
    pub parent: Option<u64>,
}

/// Every task of this run.
#[derive(Debug, Default)]
pub struct TaskBoard {
    pub cards: Vec<Card>,
}

impl TaskBoard {
    /// Tasks submitted and not yet finished (for the status bar).
    pub fn running(&self) -> usize {
        self.cards.iter().filter(|c| !c.done).count()
    }

    fn card_mut(&mut self, message_id: u64) -> Option<&mut Card> {
        self.cards.iter_mut().find(|c| c.message_id == message_id)
    }
}

/// What the edge does for tasks.
#[derive(Debug, Clone)]
pub enum TaskEffect {
    /// Submit `body` and poll until done, reporting with `TaskMsg`s for `message_id`.
    Submit {
        message_id: u64,
        target: Box<Target>,
        api: TaskApi,
        body: Value,
        prompt: String,
        /// The session database, to record the task in (`None` with `--no-save`).
        db: Option<PathBuf>,
    },
    /// Press a Midjourney button of task `parent` and poll the new task.
    Press {
        message_id: u64,
        target: Box<Target>,
        custom_id: String,
        parent: String,
        prompt: String,
        db: Option<PathBuf>,
    },
}

/// What the edge reports.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskMsg {
    /// The relay took the task.
    Submitted { message_id: u64, remote_id: String },
    /// A poll answered.
    Update { message_id: u64, snapshot: Snapshot },
    /// Done (the final snapshot) or stopped (why).
    Finished {
        message_id: u64,
        result: Result<Snapshot, String>,
    },
}

/// Enter with a task model: the prompt becomes a task and its reply a card.
pub fn submit(app: &mut App, text: String) -> Vec<Effect> {
    let Some(api) = app.target.model.task_api() else {
        return Vec::new();
    };
    let body = crate::task_pipe::submit_body(api, &app.target.model.id, &text);
    app.conv.push(Role::User, text.clone());
    let message_id = new_card(app, api, text.clone(), None);
    vec![Effect::Task(TaskEffect::Submit {
        message_id,
        target: Box::new(app.target.clone()),
        api,
        body,
        prompt: text,
        db: app.sessions.db_path.clone(),
    })]
}

fn new_card(app: &mut App, api: TaskApi, prompt: String, parent: Option<u64>) -> u64 {
    let message_id = app.conv.push(Role::Assistant, "");
    let card = Card {
        message_id,
        api,
        prompt,
        remote_id: None,
        started: app.now,
        snapshot: Snapshot::default(),
        stopped: None,
        done: false,
        parent,
    };
    if let Some(msg) = app.conv.get_mut(message_id) {
        // Never a live status: the media panel scans a live reply as text that only grows,
        // and a card is rewritten whole at every poll.
        msg.status = Status::Done;
        // Marked like `/image` answers: links, never sent back as chat history.
        msg.model = Some(format!(
            "{}{}",
            app.target.label(),
            crate::chat::IMAGES_MARK
        ));
        msg.content = card::text(&card, std::time::Duration::ZERO);
    }
    app.tasks.cards.push(card);
    app.last_error = None;
    app.notice = None;
    app.scroll.follow = true;
    message_id
}

/// `/mj NAME`: presses button NAME (`U1`, `V3`, `reroll`…) of the latest finished Midjourney
/// card that has it.
pub fn press(app: &mut App, name: &str) -> Vec<Effect> {
    let found = app.tasks.cards.iter().rev().find_map(|c| {
        let remote = c.remote_id.clone()?;
        let b = (c.api == TaskApi::Midjourney && c.done && c.stopped.is_none())
            .then(|| mj::find_button(&c.snapshot.buttons, name))??;
        Some((c.message_id, remote, b.custom_id.clone(), c.prompt.clone()))
    });
    let Some((parent_msg, parent, custom_id, prompt)) = found else {
        let any = app
            .tasks
            .cards
            .iter()
            .any(|c| c.api == TaskApi::Midjourney && c.done);
        let text = if any {
            format!("no Midjourney card here has a button {name:?}")
        } else {
            "no finished Midjourney task yet: /mj presses its buttons".to_string()
        };
        app.notice = Some(Notice {
            text,
            is_error: true,
        });
        return Vec::new();
    };
    let typed = app.prompt.take(&app.theme);
    app.conv.push(Role::User, typed);
    let message_id = new_card(app, TaskApi::Midjourney, prompt.clone(), Some(parent_msg));
    vec![Effect::Task(TaskEffect::Press {
        message_id,
        target: Box::new(app.target.clone()),
        custom_id,
        parent,
        prompt,
        db: app.sessions.db_path.clone(),
    })]
}

/// A report from the edge.
pub fn on_msg(app: &mut App, msg: TaskMsg, now: Instant) -> Vec<Effect> {
    let id = match &msg {
        TaskMsg::Submitted { message_id, .. }
        | TaskMsg::Update { message_id, .. }
        | TaskMsg::Finished { message_id, .. } => *message_id,
    };
    let Some(card) = app.tasks.card_mut(id) else {
        return Vec::new();
    };
    let mut finished = None;
    match msg {
        TaskMsg::Submitted { remote_id, .. } => card.remote_id = Some(remote_id),
        TaskMsg::Update { snapshot, .. } => card.snapshot = snapshot,
        TaskMsg::Finished { result, .. } => {
            card.done = true;
            match result {
                Ok(snapshot) => {
                    card.snapshot = snapshot;
                    finished = Some(Ok(()));
                }
                Err(why) => {
                    card.stopped = Some(why.clone());
                    finished = Some(Err(why));
                }
            }
        }
    }
    let text = card::text(card, now.saturating_duration_since(card.started));
    if let Some(m) = app.conv.get_mut(id) {
        m.content = text;
        m.revision += 1;
        m.status = match &finished {
            Some(Err(why)) => Status::Failed(why.clone()),
            _ => Status::Done,
        };
    }
    match finished {
        Some(Ok(())) => {
            app.notice = Some(Notice {
                text: "task finished".into(),
                is_error: false,
            });
            app.notice_since = Some(now);
        }
        Some(Err(why)) => app.last_error = Some(why),
        None => {}
    }
    Vec::new()
}
