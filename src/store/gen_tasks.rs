//! The `tasks` table: generation tasks as submitted, polled and finished.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Store, StoreError};
use crate::tasks::{Button, Clip, ResultUrl, Snapshot, TaskApi, TaskStatus};

/// A task's row id in the store.
pub type TaskRowId = i64;

/// What a new task starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    pub provider: String,
    pub model: String,
    pub api: TaskApi,
    /// The relay's id, polled at `…/{remote_id}`.
    pub remote_id: String,
    pub prompt: String,
    /// The task whose button made this one (Midjourney U1…).
    pub parent: Option<TaskRowId>,
    pub session_id: Option<i64>,
    /// Unix milliseconds.
    pub submitted: i64,
}

/// One stored task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRecord {
    pub id: TaskRowId,
    pub provider: String,
    pub model: String,
    pub api: TaskApi,
    pub remote_id: String,
    pub prompt: String,
    pub status: TaskStatus,
    pub progress: Option<u8>,
    pub fail_reason: Option<String>,
    pub results: Vec<ResultUrl>,
    pub buttons: Vec<Button>,
    pub clips: Vec<Clip>,
    pub text: Option<String>,
    pub parent: Option<TaskRowId>,
    pub session_id: Option<i64>,
    pub submitted: i64,
    pub updated: i64,
    pub finished: Option<i64>,
}

impl TaskRecord {
    /// What was known at the last poll, to show before the next one.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            status: Some(self.status),
            progress: self.progress,
            fail_reason: self.fail_reason.clone(),
            results: self.results.clone(),
            preview: None,
            buttons: self.buttons.clone(),
            clips: self.clips.clone(),
            text: self.text.clone(),
        }
    }

    /// `provider:model`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.provider, self.model)
    }
}

const COLUMNS: &str = "id, provider, model, api, remote_id, prompt, status, progress, fail_reason, \
     results, buttons, clips, text, parent, session_id, submitted, updated, finished";

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn from_json<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    // A row another version wrote differently shows without its lists rather than failing.
    serde_json::from_str(text).unwrap_or_default()
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TaskRecord> {
    let api: String = r.get(3)?;
    let status: String = r.get(6)?;
    let progress: Option<i64> = r.get(7)?;
    Ok(TaskRecord {
        id: r.get(0)?,
        provider: r.get(1)?,
        model: r.get(2)?,
        // Only this code writes the column; an unknown value is read as Midjourney's sibling
        // rather than dropping the row.
        api: TaskApi::from_name(&api).unwrap_or(TaskApi::Video),
        remote_id: r.get(4)?,
        prompt: r.get(5)?,
        status: TaskStatus::from_stored(&status),
        progress: progress.map(|p| p.clamp(0, 100) as u8),
        fail_reason: r.get(8)?,
        results: from_json(&r.get::<_, String>(9)?),
        buttons: from_json(&r.get::<_, String>(10)?),
        clips: from_json(&r.get::<_, String>(11)?),
        text: r.get(12)?,
        parent: r.get(13)?,
        session_id: r.get(14)?,
        submitted: r.get(15)?,
        updated: r.get(16)?,
        finished: r.get(17)?,
    })
}

impl Store {
    /// Records a submitted task; its status starts as queued.
    pub fn insert_task(&mut self, t: &NewTask) -> Result<TaskRowId, StoreError> {
        self.conn.execute(
            "INSERT INTO tasks (provider, model, api, remote_id, prompt, status, parent, \
             session_id, submitted, updated) VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7, ?8, ?8)",
            params![
                t.provider,
                t.model,
                t.api.as_str(),
                t.remote_id,
                t.prompt,
                t.parent,
                t.session_id,
                t.submitted
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Writes what a poll learnt; `finished` (Unix ms) once the task stopped. `status`
    /// overrides the snapshot's (a timeout or a lost task is decided here, not upstream).
    pub fn update_task(
        &mut self,
        id: TaskRowId,
        snap: &Snapshot,
        status: TaskStatus,
        fail_reason: Option<&str>,
        now: i64,
        finished: bool,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE tasks SET status = ?2, progress = ?3, fail_reason = ?4, results = ?5, \
             buttons = ?6, clips = ?7, text = ?8, updated = ?9, \
             finished = CASE WHEN ?10 THEN ?9 ELSE finished END WHERE id = ?1",
            params![
                id,
                status.as_str(),
                snap.progress.map(i64::from),
                fail_reason.or(snap.fail_reason.as_deref()),
                json(&snap.results),
                json(&snap.buttons),
                json(&snap.clips),
                snap.text,
                now,
                finished
            ],
        )?;
        Ok(())
    }

    /// The newest tasks first.
    pub fn tasks(&self, limit: usize) -> Result<Vec<TaskRecord>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM tasks ORDER BY submitted DESC, id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit as i64], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Tasks still to be polled (not finished), oldest first: what a restart resumes.
    pub fn unfinished_tasks(&self) -> Result<Vec<TaskRecord>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM tasks WHERE finished IS NULL ORDER BY submitted, id"
        ))?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest task with this route and relay id (what a reopened card resumes).
    pub fn task_by_remote(
        &self,
        api: TaskApi,
        remote_id: &str,
    ) -> Result<Option<TaskRecord>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM tasks WHERE api = ?1 AND remote_id = ?2 \
                     ORDER BY id DESC LIMIT 1"
                ),
                params![api.as_str(), remote_id],
                row,
            )
            .optional()?)
    }

    /// One task by row id.
    pub fn task(&self, id: TaskRowId) -> Result<Option<TaskRecord>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM tasks WHERE id = ?1"),
                [id],
                row,
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::ResultKind;

    fn new_task(remote: &str, submitted: i64) -> NewTask {
        NewTask {
            provider: "ecovai".into(),
            model: "mj_imagine".into(),
            api: TaskApi::Midjourney,
            remote_id: remote.into(),
            prompt: "一只在雪地里的红狐狸 --ar 16:9".into(),
            parent: None,
            session_id: None,
            submitted,
        }
    }

    #[test]
    fn a_task_is_recorded_updated_and_listed_newest_first() {
        let mut store = Store::open_in_memory().unwrap();
        let a = store
            .insert_task(&new_task("1730621826053455", 1000))
            .unwrap();
        let b = store
            .insert_task(&NewTask {
                parent: Some(a),
                ..new_task("1730621826053456", 2000)
            })
            .unwrap();
        let unfinished: Vec<i64> = store
            .unfinished_tasks()
            .unwrap()
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(unfinished, [a, b]);
        let done = Snapshot {
            status: Some(TaskStatus::Succeeded),
            progress: Some(100),
            results: vec![ResultUrl {
                kind: ResultKind::Image,
                url: "https://api.ecovai.cn/mj/image/1730621826053455".into(),
            }],
            buttons: vec![Button {
                custom_id: "MJ::JOB::upsample::1::h".into(),
                label: "U1".into(),
                emoji: String::new(),
            }],
            ..Snapshot::default()
        };
        store
            .update_task(a, &done, TaskStatus::Succeeded, None, 3000, true)
            .unwrap();
        let listed = store.tasks(10).unwrap();
        assert_eq!(listed.iter().map(|t| t.id).collect::<Vec<_>>(), [b, a]);
        let got = store.task(a).unwrap().unwrap();
        assert_eq!(got.status, TaskStatus::Succeeded);
        assert_eq!(got.results, done.results);
        assert_eq!(got.buttons, done.buttons);
        assert_eq!(got.finished, Some(3000));
        assert_eq!(got.prompt, "一只在雪地里的红狐狸 --ar 16:9");
        assert_eq!(got.snapshot().results, done.results);
        assert_eq!(store.task(b).unwrap().unwrap().parent, Some(a));
        let by_remote = store
            .task_by_remote(TaskApi::Midjourney, "1730621826053456")
            .unwrap();
        assert_eq!(by_remote.map(|t| t.id), Some(b));
        assert!(
            store
                .task_by_remote(TaskApi::Suno, "1730621826053456")
                .unwrap()
                .is_none()
        );
        // Finished results are not fetched again: only b is left to resume.
        let left: Vec<i64> = store
            .unfinished_tasks()
            .unwrap()
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(left, [b]);
    }

    #[test]
    fn a_progress_update_keeps_the_task_unfinished() {
        let mut store = Store::open_in_memory().unwrap();
        let a = store.insert_task(&new_task("1", 1000)).unwrap();
        let running = Snapshot {
            status: Some(TaskStatus::Running),
            progress: Some(46),
            ..Snapshot::default()
        };
        store
            .update_task(a, &running, TaskStatus::Running, None, 1500, false)
            .unwrap();
        let t = store.task(a).unwrap().unwrap();
        assert_eq!(
            (t.status, t.progress, t.finished),
            (TaskStatus::Running, Some(46), None)
        );
        assert_eq!(store.unfinished_tasks().unwrap().len(), 1);
        store
            .update_task(
                a,
                &running,
                TaskStatus::Failed,
                Some("gave up waiting"),
                9000,
                true,
            )
            .unwrap();
        let t = store.task(a).unwrap().unwrap();
        assert_eq!(t.fail_reason.as_deref(), Some("gave up waiting"));
        assert!(store.unfinished_tasks().unwrap().is_empty());
    }
}
