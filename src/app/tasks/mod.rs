//! Generation tasks in the TUI: Enter with a task model (`api = "midjourney" | "suno" |
//! "video"`) submits the prompt as a task; a poller at the edge reports back; the reply is a
//! task card. `/mj NAME` presses a button of the latest Midjourney card.

pub mod card;
#[cfg(test)]
#[path = "flag_tests.rs"]
mod flag_tests;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;

use super::{App, Effect, Notice};
use crate::chat::Role;
use crate::providers::Target;
use crate::tasks::{Snapshot, TaskApi, mj};

/// One task shown in the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Unique in this run: message ids restart with every conversation, and a poller of a
    /// conversation left behind must not write into the next one.
    pub key: u64,
    /// The assistant message that shows it.
    pub message_id: u64,
    /// That message's creation time, checked with the id before every write.
    pub created: chrono::DateTime<chrono::Local>,
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
    next_key: u64,
    /// The card `b` chose: the next `/mj` presses its button rather than the latest card's.
    pub pressing: Option<u64>,
    /// `task_bell`: the terminal bell rings when a task ends.
    pub bell: bool,
    /// Bells asked for so far; the edge rings when this passes the count it rang.
    pub bells: u64,
}

impl TaskBoard {
    /// Tasks submitted and not yet finished (for the status bar).
    pub fn running(&self) -> usize {
        self.cards.iter().filter(|c| !c.done).count()
    }

    fn card_mut(&mut self, key: u64) -> Option<&mut Card> {
        self.cards.iter_mut().find(|c| c.key == key)
    }

    fn next_key(&mut self) -> u64 {
        self.next_key += 1;
        self.next_key
    }
}

/// What the edge does for tasks.
#[derive(Debug, Clone)]
pub enum TaskEffect {
    /// Submit `body` and poll until done, reporting with `TaskMsg`s for `card`.
    Submit {
        card: u64,
        target: Box<Target>,
        api: TaskApi,
        body: Value,
        prompt: String,
        /// The session database, to record the task in (`None` with `--no-save`).
        db: Option<PathBuf>,
    },
    /// Poll a task submitted before (a reopened session): no submit, the store row is kept.
    Resume {
        card: u64,
        target: Box<Target>,
        api: TaskApi,
        remote_id: String,
        /// When the card was created (Unix ms): the timeout counts from it.
        created_ms: i64,
        last: Snapshot,
        db: Option<PathBuf>,
    },
    /// Press a Midjourney button of task `parent` and poll the new task.
    Press {
        card: u64,
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
    Submitted { card: u64, remote_id: String },
    /// A poll answered.
    Update { card: u64, snapshot: Snapshot },
    /// Start polling the unfinished cards of the conversation (sent once at start-up).
    ResumeAll,
    /// Done (the final snapshot) or stopped (why).
    Finished {
        card: u64,
        result: Result<Snapshot, String>,
    },
}

/// Enter with an `api = "images"` model: the prompt goes to `/images/generations`, as
/// `/image PROMPT --model ID` would send it. `None` for other models.
pub fn enter_images(app: &mut App) -> Option<Vec<Effect>> {
    if app.target.model.api != crate::config::ModelApi::Images {
        return None;
    }
    let req = crate::api::images::ImageRequest {
        prompt: app.prompt.text(),
        model: Some(app.target.model.id.clone()),
        size: None,
        n: None,
    };
    Some(super::media::start_generation(app, req, app.now))
}

/// Enter with a task model: the prompt becomes a task and its reply a card.
pub fn submit(
    app: &mut App,
    text: String,
    attachments: Vec<crate::attach::Attachment>,
) -> Vec<Effect> {
    let Some(api) = app.target.model.task_api() else {
        return Vec::new();
    };
    let images = crate::attach::image_refs(&attachments);
    let body = crate::tasks::submit_body(api, &app.target.model.id, &text, &images);
    let now = (app.wall_clock)();
    let prompt_id = app.conv.push(Role::User, text.clone(), now);
    if let Some(m) = app.conv.get_mut(prompt_id) {
        m.attach(attachments);
    }
    let card = new_card(app, api, text.clone(), None);
    vec![Effect::Task(TaskEffect::Submit {
        card,
        target: Box::new(app.target.clone()),
        api,
        body,
        prompt: text,
        db: app.sessions.db_path.clone(),
    })]
}

/// Adds the card's message; returns the card's key.
fn new_card(app: &mut App, api: TaskApi, prompt: String, parent: Option<u64>) -> u64 {
    let created = (app.wall_clock)();
    let message_id = app.conv.push_reply(app.target.label(), created);
    if let Some(m) = app.conv.get_mut(message_id) {
        // A card: links and a job's state, never sent back as chat history.
        m.mark_task();
    }
    let key = app.tasks.next_key();
    let card = Card {
        key,
        message_id,
        created,
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
        show(msg, card::text(&card, std::time::Duration::ZERO), false);
    }
    app.tasks.cards.push(card);
    app.last_error = None;
    app.notice = None;
    app.scroll.follow = true;
    key
}

/// Puts a card's text in its message. Never a live status: the media panel scans a live
/// reply as text that only grows, and a card is rewritten whole at every poll.
/// A failed card keeps its text (the prompt and the reason) and is marked failed, not
/// interrupted: nothing of it was cut off. The card already says why, so the status line under
/// it does not say it twice.
fn show(msg: &mut crate::chat::Message, text: String, failed: bool) {
    msg.complete(text);
    if failed {
        msg.fail_whole("the task ended without a result".into());
    }
}

/// A finished Midjourney card with buttons, shown in this conversation.
fn pressable(c: &Card) -> bool {
    c.api == TaskApi::Midjourney
        && c.done
        && c.stopped.is_none()
        && c.remote_id.is_some()
        && !c.snapshot.buttons.is_empty()
}

/// `b` on the conversation: the selected card (else the latest) gets the next `/mj`, which is
/// put in the prompt with the focus, and its buttons are listed. `None` when there is none.
pub fn pick_button(app: &mut App) -> Option<Vec<Effect>> {
    let selected = app.selected;
    let card = app
        .tasks
        .cards
        .iter()
        .rev()
        .filter(|c| pressable(c))
        .find(|c| selected.is_none_or(|s| s == c.message_id))
        .or_else(|| app.tasks.cards.iter().rev().find(|c| pressable(c)))?;
    let names: Vec<String> = card.snapshot.buttons.iter().map(mj::button_name).collect();
    let text = format!("buttons: {} (Enter sends)", names.join(" "));
    app.tasks.pressing = Some(card.key);
    app.prompt.set_text("/mj ", &app.theme);
    app.focus = super::Focus::Input;
    app.notice = Some(Notice {
        text: crate::sanitize::sanitize(&text).into_owned(),
        is_error: false,
    });
    app.notice_since = Some(app.now);
    Some(Vec::new())
}

/// `/mj NAME`: presses button NAME (`U1`, `V3`, `reroll`…) of the card `b` chose, else of the
/// latest finished Midjourney card that has it.
pub fn press(app: &mut App, name: &str) -> Vec<Effect> {
    let chosen = app.tasks.pressing.take();
    let found = app
        .tasks
        .cards
        .iter()
        .rev()
        .filter(|c| chosen.is_none_or(|k| k == c.key))
        .find_map(|c| {
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
    let now = (app.wall_clock)();
    app.conv.push(Role::User, typed, now);
    let card = new_card(app, TaskApi::Midjourney, prompt.clone(), Some(parent_msg));
    vec![Effect::Task(TaskEffect::Press {
        card,
        target: Box::new(app.target.clone()),
        custom_id,
        parent,
        prompt,
        db: app.sessions.db_path.clone(),
    })]
}

/// A report from the edge.
pub fn on_msg(app: &mut App, msg: TaskMsg, now: Instant) -> Vec<Effect> {
    let key = match &msg {
        TaskMsg::Submitted { card, .. }
        | TaskMsg::Update { card, .. }
        | TaskMsg::Finished { card, .. } => *card,
        TaskMsg::ResumeAll => {
            // At start-up: cards `restore` made before the loop ran had their effects dropped.
            app.tasks.cards.retain(|c| c.done);
            return resume_cards(app);
        }
    };
    let Some(card) = app.tasks.card_mut(key) else {
        return Vec::new();
    };
    let (id, created) = (card.message_id, card.created);
    let shown = app
        .conv
        .messages()
        .iter()
        .any(|m| m.id == id && m.created == created && m.is_task_card());
    if !shown {
        // Its conversation was left: the remote task goes on, this run stops showing it.
        app.tasks.cards.retain(|c| c.key != key);
        return Vec::new();
    }
    let Some(card) = app.tasks.card_mut(key) else {
        return Vec::new();
    };
    let mut finished = None;
    match msg {
        TaskMsg::Submitted { remote_id, .. } => card.remote_id = Some(remote_id),
        TaskMsg::ResumeAll => {}
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
        show(m, text, matches!(finished, Some(Err(_))));
    }
    if finished.is_some() && app.tasks.bell {
        app.tasks.bells += 1;
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

/// What a card's first line says: `**Midjourney** task `ID` · running · 0:12`.
fn parse_card_head(content: &str) -> Option<(TaskApi, String, crate::tasks::TaskStatus)> {
    let head = content.lines().next()?;
    let rest = head.strip_prefix("**")?;
    let (name, rest) = rest.split_once("** task `")?;
    let api = match name {
        "Midjourney" => TaskApi::Midjourney,
        "Suno" => TaskApi::Suno,
        "Video" => TaskApi::Video,
        _ => return None,
    };
    let (id, rest) = rest.split_once('`')?;
    let status = rest.trim_start_matches(" · ").split(" · ").next()?;
    Some((
        api,
        id.to_string(),
        crate::tasks::TaskStatus::from_stored(status),
    ))
}

/// Cards of a reopened conversation whose task had not finished: polling goes on (results
/// already shown are not fetched again).
pub fn resume_cards(app: &mut App) -> Vec<Effect> {
    let mut effects = Vec::new();
    type Marked = (u64, String, String, chrono::DateTime<chrono::Local>);
    let marked: Vec<Marked> = app
        .conv
        .messages()
        .iter()
        .filter(|m| m.is_task_card())
        .filter(|m| {
            !app.tasks
                .cards
                .iter()
                .any(|c| c.message_id == m.id && c.created == m.created)
        })
        .map(|m| {
            (
                m.id,
                m.content.clone(),
                m.model.clone().unwrap_or_default(),
                m.created,
            )
        })
        .collect();
    for (message_id, content, model, created) in marked {
        let Some((api, remote_id, status)) = parse_card_head(&content) else {
            continue;
        };
        if status.is_terminal() || content.contains("\n✖ ") {
            continue;
        }
        let label = model
            .strip_suffix(crate::chat::IMAGES_MARK)
            .unwrap_or(&model)
            .to_string();
        let Some(target) = target_of(app, &label) else {
            continue;
        };
        let prompt = content
            .lines()
            .find_map(|l| l.strip_prefix("> "))
            .unwrap_or_default()
            .to_string();
        let last = Snapshot {
            status: Some(status),
            ..Snapshot::default()
        };
        // The card's clock goes on from its submit, not from the restart.
        let age = ((app.wall_clock)() - created).to_std().unwrap_or_default();
        let started = app.now.checked_sub(age).unwrap_or(app.now);
        let key = app.tasks.next_key();
        app.tasks.cards.push(Card {
            key,
            message_id,
            created,
            api,
            prompt,
            remote_id: Some(remote_id.clone()),
            started,
            snapshot: last.clone(),
            stopped: None,
            done: false,
            parent: None,
        });
        effects.push(Effect::Task(TaskEffect::Resume {
            card: key,
            target: Box::new(target),
            api,
            remote_id,
            created_ms: created.timestamp_millis(),
            last,
            db: app.sessions.db_path.clone(),
        }));
    }
    effects
}

/// The configured provider and model of `provider:model`, with the model's `api` as written.
fn target_of(app: &App, label: &str) -> Option<Target> {
    let (provider, model) = label.split_once(':')?;
    let provider = app.providers.iter().find(|p| p.name == provider)?;
    let spec = provider.model(model)?.clone();
    spec.task_api()?;
    Some(Target {
        provider: provider.clone(),
        model: spec,
    })
}
