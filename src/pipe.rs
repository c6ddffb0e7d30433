//! Pipe mode: one prompt in, the reply streamed to stdout, errors to stderr.

use std::io::{IsTerminal, Write};

use tokio_util::sync::CancellationToken;

use crate::api::StreamEvent;
use crate::api::client::{Client, ReplyEnd, WireMessage};
use crate::backend::{self, Target};
use crate::sanitize::StreamSanitizer;
use crate::signals::{Signal, Signals};
use crate::store::record::Recorder;

/// What the pipe run should do.
#[derive(Debug, Clone)]
pub struct PipeOptions {
    pub prompt: String,
    pub no_stream: bool,
    pub show_reasoning: bool,
    /// The session database to record the exchange in; `None` with `--no-save`.
    pub save_to: Option<std::path::PathBuf>,
    /// `max_reply_mb` in bytes.
    pub max_reply_bytes: usize,
}

/// Writes text to a stream, neutralising escape sequences when it is a terminal.
struct Out<W: Write> {
    w: W,
    sanitizer: Option<StreamSanitizer>,
    ends_with_newline: bool,
    wrote: bool,
}

impl<W: Write> Out<W> {
    fn new(w: W, is_terminal: bool) -> Self {
        Self {
            w,
            sanitizer: is_terminal.then(StreamSanitizer::new),
            ends_with_newline: true,
            wrote: false,
        }
    }

    fn write(&mut self, text: &str) {
        let clean = match &mut self.sanitizer {
            Some(s) => s.push(text),
            None => text.to_string(),
        };
        self.emit(&clean);
    }

    fn emit(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        // A closed pipe (`ecochat -p … | head`) is not an error worth reporting.
        let _ = self
            .w
            .write_all(text.as_bytes())
            .and_then(|()| self.w.flush());
        self.ends_with_newline = text.ends_with('\n');
        self.wrote = true;
    }

    fn finish_line(&mut self) {
        if let Some(s) = &mut self.sanitizer {
            let rest = s.finish();
            self.emit(&rest);
        }
        if self.wrote && !self.ends_with_newline {
            self.emit("\n");
        }
    }
}

/// Runs pipe mode; returns the process exit code.
pub async fn run(target: &Target, opts: &PipeOptions) -> i32 {
    let client = match Client::new() {
        Ok(c) => c.with_reply_cap(opts.max_reply_bytes),
        Err(e) => {
            eprintln!("ecochat: {e}");
            return 1;
        }
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let out_tty = stdout.is_terminal();
    let mut out = Out::new(stdout, out_tty);
    let err_tty = stderr.is_terminal();
    let mut thoughts = Out::new(stderr, err_tty);
    let show_reasoning = opts.show_reasoning;
    let mut reasoning_on_stdout = false;
    let mut on_piece = |ev: StreamEvent| match ev {
        StreamEvent::Content(t) => {
            if std::mem::take(&mut reasoning_on_stdout) {
                // keep the answer apart from the reasoning printed before it
                out.write("\n\n");
            }
            out.write(&t);
        }
        StreamEvent::Reasoning(t) if show_reasoning => {
            reasoning_on_stdout = true;
            out.write(&t);
        }
        StreamEvent::Reasoning(t) => thoughts.write(&t),
        StreamEvent::Citations(cs) => {
            for (i, c) in cs.iter().enumerate() {
                thoughts.write(&format!("[{}] {} {}\n", i + 1, c.title, c.url));
            }
        }
        _ => {}
    };
    let mut recorder = opts
        .save_to
        .clone()
        .map(|db| Recorder::start(db, &opts.prompt, &target.label()));
    let mut on_event = |ev: StreamEvent| {
        if let Some(r) = recorder.as_mut() {
            r.event(&ev);
        }
        on_piece(ev)
    };
    let cancel = CancellationToken::new();
    let history = [WireMessage::new("user", opts.prompt.clone())];
    // SIGTERM and SIGHUP are handled like Ctrl+C, so the partial reply is written as cancelled
    // instead of dying with it unsaved since the last checkpoint.
    let mut signals = Signals::new().ok();
    let mut stopped_by = None;
    let result = tokio::select! {
        r = backend::chat(&client, target, &history, opts.no_stream, &mut on_event, &cancel) => r,
        s = next_signal(&mut signals) => {
            cancel.cancel();
            stopped_by = Some(s);
            Ok(ReplyEnd { cancelled: true, ..ReplyEnd::default() })
        }
    };
    thoughts.finish_line();
    out.finish_line();
    if let Some(problem) = recorder.and_then(|r| r.finish(&result)) {
        eprintln!("ecochat: warning: this chat was not saved: {problem}");
    }
    match result {
        Ok(end) => {
            let note = match stopped_by {
                Some(s) if s != Signal::Interrupt => Some(format!("stopped by {}", s.name())),
                _ => end_note(&end),
            };
            if let Some(note) = note {
                eprintln!("ecochat: {note}");
            }
            match stopped_by {
                Some(s) => s.exit_code(),
                None if end.cancelled => 130,
                None => 0,
            }
        }
        Err(e) => {
            // Errors quote servers; whatever slipped through must not drive the terminal.
            eprintln!("ecochat: {}", crate::sanitize::sanitize(&e.to_string()));
            1
        }
    }
}

/// The next terminating signal; never, when the handlers could not be installed.
async fn next_signal(signals: &mut Option<Signals>) -> Signal {
    match signals {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

/// A line for stderr when the reply ended in a way the user should know about.
pub fn end_note(end: &ReplyEnd) -> Option<String> {
    if end.cancelled {
        return Some("cancelled".into());
    }
    match end.finish_reason.as_deref() {
        Some("length") => Some("the reply hit the max_tokens limit".into()),
        Some(r @ ("content_filter" | "sensitive")) => Some(format!(
            "the reply was stopped by the provider's content filter ({r})"
        )),
        Some(_) => None,
        None if end.possibly_truncated => {
            Some("the stream ended without a finish reason: the reply may be truncated".into())
        }
        None => None,
    }
}
