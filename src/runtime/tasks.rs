//! The edge of generation tasks: submit, then poll on timers (no CPU while waiting), reporting
//! each step to the loop and recording it in the store. Polling ends with the runtime at quit;
//! the remote task goes on.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::api::task_poll::{PollStart, poll_until_done};
use crate::api::tasks::{self, TaskCallError};
use crate::api::tls::SharedTls;
use crate::app::Action;
use crate::app::tasks::{TaskEffect, TaskMsg};
use crate::providers;
use crate::store::Store;
use crate::store::gen_tasks::{NewTask, TaskRowId};
use crate::tasks::{Snapshot, TaskApi, TaskStatus};

/// One write for the task's store row, applied in order by a blocking writer.
enum Write {
    Insert(NewTask),
    /// Keep writing to the row an earlier run made for this task.
    Attach(TaskApi, String),
    Update {
        snap: Snapshot,
        status: TaskStatus,
        reason: Option<String>,
        done: bool,
    },
}

/// Applies writes in order on a blocking thread; a store that fails only costs the record.
fn writer(db: Option<PathBuf>) -> Option<std::sync::mpsc::Sender<Write>> {
    let db = db?;
    let (tx, rx) = std::sync::mpsc::channel::<Write>();
    tokio::task::spawn_blocking(move || {
        let mut store = match Store::open(&db) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(%e, "task not recorded");
                return;
            }
        };
        let mut row: Option<TaskRowId> = None;
        for w in rx {
            let now = chrono::Utc::now().timestamp_millis();
            let r = match (w, row) {
                (Write::Insert(t), _) => store.insert_task(&t).map(|id| row = Some(id)),
                (Write::Attach(api, remote), _) => store
                    .task_by_remote(api, &remote)
                    .map(|t| row = t.map(|t| t.id)),
                (
                    Write::Update {
                        snap,
                        status,
                        reason,
                        done,
                    },
                    Some(id),
                ) => store.update_task(id, &snap, status, reason.as_deref(), now, done),
                (Write::Update { .. }, None) => Ok(()),
            };
            if let Err(e) = r {
                tracing::warn!(%e, "task update not recorded");
            }
        }
    });
    Some(tx)
}

/// Runs a task effect in the background.
pub(super) fn run(effect: TaskEffect, tx: &mpsc::UnboundedSender<Action>, tls: SharedTls) {
    let tx = tx.clone();
    tokio::spawn(async move {
        let card = match &effect {
            TaskEffect::Submit { card, .. }
            | TaskEffect::Press { card, .. }
            | TaskEffect::Resume { card, .. } => *card,
        };
        let send = |msg: TaskMsg| {
            let _ = tx.send(Action::Task(msg));
        };
        let result = drive(effect, &send, &tls).await;
        send(TaskMsg::Finished { card, result });
    });
}

async fn drive(
    effect: TaskEffect,
    send: &(dyn Fn(TaskMsg) + Sync),
    tls: &SharedTls,
) -> Result<Snapshot, String> {
    let (card, target, api, prompt, db) = match &effect {
        TaskEffect::Submit {
            card,
            target,
            api,
            prompt,
            db,
            ..
        } => (*card, target.clone(), *api, prompt.clone(), db.clone()),
        TaskEffect::Press {
            card,
            target,
            prompt,
            db,
            ..
        } => (
            *card,
            target.clone(),
            TaskApi::Midjourney,
            prompt.clone(),
            db.clone(),
        ),
        TaskEffect::Resume {
            card,
            target,
            api,
            db,
            ..
        } => (*card, target.clone(), *api, String::new(), db.clone()),
    };
    let provider = target.provider.clone();
    let ep = tokio::task::spawn_blocking(move || provider.endpoint(&providers::process_env))
        .await
        .map_err(|_| "reading the API key failed".to_string())?
        .map_err(|e| e.to_string())?;
    let http = tasks::http_client(&ep, tls).map_err(|e| e.to_string())?;
    let store = writer(db);
    let write = |w: Write| {
        if let Some(s) = &store {
            let _ = s.send(w);
        }
    };
    let submitted = match &effect {
        TaskEffect::Resume { .. } => None,
        TaskEffect::Press {
            custom_id, parent, ..
        } => Some(tasks::mj_action(&http, &ep, custom_id, parent, &prompt).await),
        TaskEffect::Submit { body, .. } => Some(tasks::submit(&http, &ep, api, body).await),
    };
    let (remote_id, start) = match (submitted, &effect) {
        (
            None,
            TaskEffect::Resume {
                remote_id,
                created_ms,
                last,
                ..
            },
        ) => {
            write(Write::Attach(api, remote_id.clone()));
            let ms = chrono::Utc::now().timestamp_millis() - created_ms;
            let start = PollStart {
                plan: target.model.poll_plan(),
                elapsed: Duration::from_millis(u64::try_from(ms).unwrap_or(0)),
                last: last.clone(),
            };
            (remote_id.clone(), start)
        }
        (Some(submitted), _) => {
            let submitted = submitted.map_err(|e: TaskCallError| {
                crate::sanitize::sanitize(&e.to_string()).into_owned()
            })?;
            send(TaskMsg::Submitted {
                card,
                remote_id: submitted.id.clone(),
            });
            write(Write::Insert(NewTask {
                provider: target.provider.name.clone(),
                model: target.model.id.clone(),
                api,
                remote_id: submitted.id.clone(),
                prompt: prompt.clone(),
                parent: None,
                session_id: None,
                submitted: chrono::Utc::now().timestamp_millis(),
            }));
            let start = PollStart {
                plan: target.model.poll_plan(),
                elapsed: Duration::ZERO,
                last: Snapshot::default(),
            };
            (submitted.id, start)
        }
        (None, _) => return Err("nothing to poll".into()),
    };
    let mut latest = start.last.clone();
    let outcome = poll_until_done(&http, &ep, (api, &remote_id), start, |snap| {
        write(Write::Update {
            snap: snap.clone(),
            status: snap.status(),
            reason: None,
            done: false,
        });
        latest = snap.clone();
        send(TaskMsg::Update {
            card,
            snapshot: snap.clone(),
        });
    })
    .await;
    match outcome {
        Ok(done) => {
            write(Write::Update {
                snap: done.clone(),
                status: TaskStatus::Succeeded,
                reason: None,
                done: true,
            });
            Ok(done)
        }
        Err(why) => {
            let reason = why.reason();
            let timed_out = why == crate::tasks::poll::Stopped::TimedOut;
            let status = if timed_out || latest.status().is_terminal() {
                latest.status()
            } else {
                TaskStatus::Failed
            };
            write(Write::Update {
                snap: latest,
                status,
                reason: Some(reason.clone()),
                done: !timed_out,
            });
            Err(reason)
        }
    }
}
