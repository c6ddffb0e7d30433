//! Pipe mode for task models (`ecochat -m ecovai:mj_imagine -p "a red fox"`): submit, report
//! status and progress on stderr, print each result link on stdout; and `ecochat tasks`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::api::task_poll::{PollStart, poll_until_done};
use crate::api::tasks;
use crate::providers::{self, Target};
use crate::signals::{Signal, Signals};
use crate::store::Store;
use crate::store::commands::CommandError;
use crate::store::gen_tasks::{NewTask, TaskRecord, TaskRowId};
use crate::tasks::poll::Stopped;
use crate::tasks::{Snapshot, TaskStatus};

/// One status line: `running 46% · 12s`.
pub fn status_line(snap: &Snapshot, elapsed: Duration) -> String {
    let progress = snap.progress.map(|p| format!(" {p}%")).unwrap_or_default();
    format!(
        "{}{progress} · {}s",
        snap.status().as_str(),
        elapsed.as_secs()
    )
}

/// The links to print, one per line: parsed (so nothing but a URL reaches the terminal) and
/// in the order the relay gave them; lyrics (Suno) or a describe text follow as text.
pub fn result_lines(snap: &Snapshot) -> Vec<String> {
    let mut out: Vec<String> = snap
        .results
        .iter()
        .filter_map(|r| reqwest::Url::parse(&r.url).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.to_string())
        .collect();
    if let Some(text) = &snap.text {
        out.push(crate::sanitize::sanitize(text).into_owned());
    }
    out
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The store, when saving; a store that cannot be opened only costs the record.
struct Record {
    store: Option<Store>,
    id: Option<TaskRowId>,
}

impl Record {
    fn open(path: Option<&Path>) -> Record {
        let store = path.and_then(|p| match Store::open(p) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("ecochat: warning: this task will not be saved: {e}");
                None
            }
        });
        Record { store, id: None }
    }

    fn insert(&mut self, t: &NewTask) {
        if let Some(store) = &mut self.store {
            match store.insert_task(t) {
                Ok(id) => self.id = Some(id),
                Err(e) => eprintln!("ecochat: warning: this task will not be saved: {e}"),
            }
        }
    }

    fn update(&mut self, snap: &Snapshot, status: TaskStatus, reason: Option<&str>, done: bool) {
        if let (Some(store), Some(id)) = (&mut self.store, self.id)
            && let Err(e) = store.update_task(id, snap, status, reason, now_ms(), done)
        {
            tracing::warn!(%e, "task update not saved");
        }
    }
}

/// Runs a task model's prompt; returns the process exit code (0 done, 1 failed, 130 Ctrl+C).
pub async fn run(
    target: &Target,
    prompt: &str,
    images: &[String],
    save_to: Option<PathBuf>,
) -> i32 {
    let Some(api) = target.model.task_api() else {
        eprintln!("ecochat: {} is not a task model", target.label());
        return 2;
    };
    let provider = target.provider.clone();
    // A key command may block (a passphrase prompt): off the async threads.
    let ep = tokio::task::spawn_blocking(move || provider.endpoint(&providers::process_env)).await;
    let ep = match ep {
        Ok(Ok(ep)) => ep,
        Ok(Err(e)) => {
            eprintln!("ecochat: {e}");
            return 1;
        }
        Err(_) => {
            eprintln!("ecochat: reading the API key failed");
            return 1;
        }
    };
    if target.provider.is_demo() {
        eprintln!("ecochat: the offline demo cannot run generation tasks");
        return 2;
    }
    let http = match tasks::http_client(&ep, &Default::default()) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("ecochat: {e}");
            return 1;
        }
    };
    let mut signals = Signals::new().ok();
    let body = crate::tasks::submit_body(api, &target.model.id, prompt, images);
    let submitted = tokio::select! {
        r = tasks::submit(&http, &ep, api, &body) => r,
        s = next_signal(&mut signals) => {
            eprintln!("ecochat: stopped before the relay answered");
            return s.exit_code();
        }
    };
    let submitted = match submitted {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ecochat: {}", crate::sanitize::sanitize(&e.to_string()));
            return 1;
        }
    };
    let mut record = Record::open(save_to.as_deref());
    record.insert(&NewTask {
        provider: target.provider.name.clone(),
        model: target.model.id.clone(),
        api,
        remote_id: submitted.id.clone(),
        prompt: prompt.to_string(),
        parent: None,
        session_id: None,
        submitted: now_ms(),
    });
    let tty = std::io::stderr().is_terminal();
    let note = if submitted.description.is_empty() {
        String::new()
    } else {
        format!(": {}", submitted.description)
    };
    eprintln!("ecochat: task {} submitted{note}", submitted.id);
    let started = std::time::Instant::now();
    let mut shown = String::new();
    let mut latest = Snapshot::default();
    let mut on_update = |snap: &Snapshot| {
        record.update(snap, snap.status(), None, false);
        latest = snap.clone();
        let line = status_line(snap, started.elapsed());
        // On a terminal one line is rewritten; into a file a line is added when it changes.
        let key = line.split(" · ").next().unwrap_or_default().to_string();
        if tty {
            eprint!("\r\x1b[2K{line}");
            let _ = std::io::stderr().flush();
        } else if key != shown {
            eprintln!("{line}");
        }
        shown = key;
    };
    let start = PollStart {
        plan: target.model.poll_plan(),
        elapsed: Duration::ZERO,
        last: Snapshot::default(),
    };
    let outcome = tokio::select! {
        r = poll_until_done(&http, &ep, (api, &submitted.id), start, &mut on_update) => Ok(r),
        s = next_signal(&mut signals) => Err(s),
    };
    if tty && !shown.is_empty() {
        eprintln!();
    }
    match outcome {
        Err(signal) => {
            eprintln!(
                "ecochat: stopped waiting; task {} goes on on the relay (`ecochat tasks` lists it)",
                submitted.id
            );
            signal.exit_code()
        }
        Ok(Ok(done)) => {
            record.update(&done, TaskStatus::Succeeded, None, true);
            let mut out = std::io::stdout().lock();
            for line in result_lines(&done) {
                if writeln!(out, "{line}").is_err() {
                    break;
                }
            }
            let _ = out.flush();
            0
        }
        Ok(Err(why)) => {
            let status = latest.status();
            let status = if status.is_terminal() {
                status
            } else {
                TaskStatus::Failed
            };
            let reason = why.reason();
            // A timed-out task may still finish: it stays unfinished for a later resume.
            let done = why != Stopped::TimedOut;
            let status = if done { status } else { latest.status() };
            record.update(&latest, status, Some(&reason), done);
            eprintln!(
                "ecochat: task {} {}: {}",
                submitted.id,
                if done { "failed" } else { "not finished" },
                crate::sanitize::sanitize(&reason)
            );
            1
        }
    }
}

async fn next_signal(signals: &mut Option<Signals>) -> Signal {
    match signals {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

/// Pipe mode for an `api = "images"` model: `/images/generations`, each image link on stdout.
/// An image sent as base64 is not written to the terminal; stderr says so.
pub async fn run_images(target: &Target, prompt: &str) -> i32 {
    use crate::api::images::{self, GeneratedImage, ImageRequest};
    let provider = target.provider.clone();
    let ep = match tokio::task::spawn_blocking(move || provider.endpoint(&providers::process_env))
        .await
    {
        Ok(Ok(ep)) => ep,
        Ok(Err(e)) => {
            eprintln!("ecochat: {e}");
            return 1;
        }
        Err(_) => {
            eprintln!("ecochat: reading the API key failed");
            return 1;
        }
    };
    let http = match tasks::http_client(&ep, &Default::default()) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("ecochat: {e}");
            return 1;
        }
    };
    let req = ImageRequest {
        prompt: prompt.to_string(),
        model: Some(target.model.id.clone()),
        size: None,
        n: None,
    };
    let body = req.body(&target.model.id);
    let mut signals = Signals::new().ok();
    let answer = tokio::select! {
        r = images::generate(&http, &ep, &body) => r,
        s = next_signal(&mut signals) => return s.exit_code(),
    };
    let images = match answer {
        Ok(images) => images,
        Err(e) => {
            eprintln!("ecochat: {}", crate::sanitize::sanitize(&e.to_string()));
            return 1;
        }
    };
    let mut out = std::io::stdout().lock();
    let mut printed = 0;
    for image in images {
        match image {
            GeneratedImage::Url(url) => match reqwest::Url::parse(&url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {
                    if writeln!(out, "{u}").is_err() {
                        break;
                    }
                    printed += 1;
                }
                _ => eprintln!("ecochat: skipped an image link that is not http(s)"),
            },
            GeneratedImage::Base64(_) => {
                eprintln!("ecochat: an image came back as base64; /image in the TUI shows it")
            }
        }
    }
    let _ = out.flush();
    if printed == 0 { 1 } else { 0 }
}

/// `ecochat tasks`: newest first, one per line (or a JSON array with `--json`).
pub fn list(db: &Path, as_json: bool, out: &mut dyn Write) -> Result<usize, CommandError> {
    let tasks = if db.exists() {
        Store::open_existing(db)?.tasks(1000)?
    } else {
        Vec::new()
    };
    if as_json {
        let text = serde_json::to_string_pretty(&tasks).map_err(std::io::Error::other)?;
        writeln!(out, "{text}")?;
        return Ok(tasks.len());
    }
    for t in &tasks {
        writeln!(out, "{}", list_line(t))?;
    }
    Ok(tasks.len())
}

/// One line of `ecochat tasks`: id, model, status, progress, then the result links.
pub fn list_line(t: &TaskRecord) -> String {
    let progress = t.progress.map(|p| format!(" {p}%")).unwrap_or_default();
    let mut line = format!(
        "{}\t{}\t{}{progress}\t{}",
        t.id,
        crate::sanitize::sanitize(&t.label()),
        t.status.as_str(),
        crate::sanitize::sanitize(&t.remote_id),
    );
    for r in &t.results {
        if let Ok(u) = reqwest::Url::parse(&r.url) {
            line.push('\t');
            line.push_str(u.as_str());
        }
    }
    if t.results.is_empty()
        && let Some(reason) = &t.fail_reason
    {
        line.push('\t');
        line.push_str(&crate::tasks::clean(reason));
    }
    line
}
