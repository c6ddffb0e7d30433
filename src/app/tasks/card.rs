//! The text of a task card: what the conversation shows for a generation task. Markdown, so
//! the result links join the media panel like any other reply's.

use std::time::Duration;

use super::Card;
use crate::tasks::{Clip, ResultKind, TaskApi, TaskStatus, mj};

/// Cells of the progress bar.
const BAR: usize = 20;

/// Text from the relay may not open markdown constructs: no links, code or emphasis of its own.
fn inert(s: &str) -> String {
    crate::tasks::clean(s)
        .chars()
        .map(|c| match c {
            '[' | ']' | '(' | ')' | '`' | '*' | '_' | '<' | '>' | '!' | '#' | '|' => ' ',
            c => c,
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn api_name(api: TaskApi) -> &'static str {
    match api {
        TaskApi::Midjourney => "Midjourney",
        TaskApi::Suno => "Suno",
        TaskApi::Video => "Video",
    }
}

/// `[█████████░░░░░░░░░░░]`.
pub fn progress_bar(percent: u8) -> String {
    let filled = usize::from(percent.min(100)) * BAR / 100;
    format!("[{}{}]", "█".repeat(filled), "░".repeat(BAR - filled))
}

fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

fn clip_line(i: usize, c: &Clip) -> String {
    let mut line = format!("{}. **{}**", i + 1, inert(&c.title));
    if !c.tags.is_empty() {
        line.push_str(&format!(" · {}", inert(&c.tags)));
    }
    if let Some(d) = c.duration.filter(|d| d.is_finite() && *d >= 0.0) {
        line.push_str(&format!(" · {}", clock(Duration::from_secs_f64(d))));
    }
    let links = [("audio", &c.audio_url), ("video", &c.video_url)];
    for (name, url) in links {
        if let Some(url) = url {
            line.push_str(&format!(" [{name}]({url})"));
        }
    }
    if let Some(url) = &c.image_url {
        line.push_str(&format!(" ![cover]({url})"));
    }
    line
}

/// The card's text at `elapsed` since the submit.
pub fn text(card: &Card, elapsed: Duration) -> String {
    let snap = &card.snapshot;
    let status = match (&card.stopped, card.remote_id.as_deref()) {
        (Some(_), _) => "failed".to_string(),
        (None, None) => "submitting".to_string(),
        (None, Some(_)) => snap.status().as_str().to_string(),
    };
    let id = card
        .remote_id
        .as_deref()
        .map(|id| format!(" `{id}`"))
        .unwrap_or_default();
    let mut out = vec![format!(
        "**{}** task{id} · {status} · {}",
        api_name(card.api),
        clock(elapsed)
    )];
    let percent = if snap.status() == TaskStatus::Succeeded {
        Some(100)
    } else {
        snap.progress
    };
    if card.stopped.is_none() {
        out.push(format!(
            "`{} {}`",
            progress_bar(percent.unwrap_or(0)),
            percent.map_or_else(|| "…".to_string(), |p| format!("{p}%"))
        ));
    }
    out.push(String::new());
    out.push(format!("> {}", inert(&card.prompt)));
    if let Some(reason) = &card.stopped {
        out.push(String::new());
        out.push(format!("✖ {}", inert(reason)));
    }
    if let Some(preview) = snap.preview.as_ref().filter(|_| snap.results.is_empty()) {
        out.push(String::new());
        out.push(format!("![preview]({preview})"));
    }
    if !snap.clips.is_empty() {
        out.push(String::new());
        out.extend(snap.clips.iter().enumerate().map(|(i, c)| clip_line(i, c)));
    } else {
        let images = snap.results.iter().filter(|r| r.kind == ResultKind::Image);
        let others = snap.results.iter().filter(|r| r.kind != ResultKind::Image);
        let mut links: Vec<String> = images
            .enumerate()
            .map(|(i, r)| format!("![image {}]({})", i + 1, r.url))
            .collect();
        links.extend(
            others
                .enumerate()
                .map(|(i, r)| format!("[video {}]({})", i + 1, r.url)),
        );
        if !links.is_empty() {
            out.push(String::new());
            out.extend(links);
        }
    }
    if let Some(t) = &snap.text {
        out.push(String::new());
        out.push("```text".into());
        out.extend(t.lines().map(|l| l.replace("```", "'''")));
        out.push("```".into());
    }
    if card.api == TaskApi::Midjourney && !snap.buttons.is_empty() {
        let names: Vec<String> = snap
            .buttons
            .iter()
            .map(|b| format!("`{}`", inert(&mj::button_name(b))))
            .collect();
        out.push(String::new());
        out.push(format!("{}  (/mj NAME)", names.join(" ")));
    }
    out.join("\n")
}
