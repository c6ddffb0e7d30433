//! Pipe mode: one prompt in, the reply streamed to stdout, errors to stderr.

use std::io::{IsTerminal, Write};

use tokio_util::sync::CancellationToken;

use crate::api::StreamEvent;
use crate::api::client::{Client, ReplyEnd, WireMessage};
use crate::chat::Conversation;
use crate::cli::output::is_closed_pipe;
use crate::providers::{self, Target};
use crate::sanitize::StreamSanitizer;
use crate::signals::{Signal, Signals};
use crate::store::StoredSession;
use crate::store::record::{Continuation, Recorder};

/// When pipe mode removes escape sequences from the model's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Sanitize {
    /// Always, also into a pipe or a file (for `| less -R` or `| tee`).
    Always,
    /// Never: the text as the model sent it, even on a terminal.
    Never,
    /// On a terminal only; a pipe or a file gets the text as sent, like curl.
    #[default]
    Auto,
}

impl Sanitize {
    /// Whether output to a stream that is (or is not) a terminal is sanitized.
    pub fn applies(self, is_terminal: bool) -> bool {
        match self {
            Sanitize::Always => true,
            Sanitize::Never => false,
            Sanitize::Auto => is_terminal,
        }
    }
}

/// What the pipe run should do.
#[derive(Debug, Clone)]
pub struct PipeOptions {
    pub prompt: String,
    pub no_stream: bool,
    pub show_reasoning: bool,
    /// The session database to record the exchange in; `None` with `--no-save`.
    pub save_to: Option<std::path::PathBuf>,
    pub sanitize: Sanitize,
    /// The session this exchange continues (`--resume`): its history is sent first and the
    /// exchange is stored in it.
    pub resume: Option<StoredSession>,
    /// `max_reply_mb` in bytes.
    pub max_reply_bytes: usize,
    /// Files and images sent with the prompt (`-a`).
    pub attachments: Vec<crate::attach::Attachment>,
}

/// Writes text to a stream, neutralising escape sequences when asked to.
struct Out<W: Write> {
    w: W,
    sanitizer: Option<StreamSanitizer>,
    ends_with_newline: bool,
    wrote: bool,
    /// The first write that failed; nothing is written after it.
    failed: Option<std::io::Error>,
}

impl<W: Write> Out<W> {
    fn new(w: W, sanitize: bool) -> Self {
        Self {
            w,
            sanitizer: sanitize.then(StreamSanitizer::new),
            ends_with_newline: true,
            wrote: false,
            failed: None,
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
        if text.is_empty() || self.failed.is_some() {
            return;
        }
        let written = self
            .w
            .write_all(text.as_bytes())
            .and_then(|()| self.w.flush());
        match written {
            Ok(()) => {
                self.ends_with_newline = text.ends_with('\n');
                self.wrote = true;
            }
            Err(e) => self.failed = Some(e),
        }
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

/// The prompt to send: the command line's, then text piped on stdin after a blank line (as
/// aichat does), so `ecochat -p "summarise" < notes.txt` sends both.
pub fn combined_prompt(cli: Option<&str>, stdin: &str) -> String {
    match cli {
        Some(p) if stdin.trim().is_empty() => p.to_string(),
        Some(p) => format!("{}\n\n{stdin}", p.trim_end()),
        None => stdin.to_string(),
    }
}

/// The wire history for this run: the resumed session's shown branch, then the prompt; and
/// where the prompt goes in the store.
fn history(opts: &PipeOptions) -> (Vec<WireMessage>, Continuation) {
    let Some(stored) = &opts.resume else {
        let at = Continuation {
            first_seq: 0,
            after: None,
        };
        return (vec![prompt_message(opts)], at);
    };
    // The branch that was on screen when the session was last used.
    let mut conv = Conversation::default();
    conv.load_showing(stored.messages.clone(), stored.shown);
    let at = Continuation {
        // Past every message, the alternatives off the branch included.
        first_seq: conv.all().map(|m| m.id + 1).max().unwrap_or(0),
        after: conv
            .messages()
            .iter()
            .rev()
            .find(|m| m.role != crate::chat::Role::System)
            .map(|m| m.id),
    };
    let mut wire = conv.wire_history();
    wire.push(prompt_message(opts));
    (wire, at)
}

fn prompt_message(opts: &PipeOptions) -> WireMessage {
    crate::attach::wire_message("user", &opts.prompt, &opts.attachments)
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
    let mut out = Out::new(stdout, opts.sanitize.applies(out_tty));
    let err_tty = stderr.is_terminal();
    let mut thoughts = Out::new(stderr, opts.sanitize.applies(err_tty));
    let show_reasoning = opts.show_reasoning;
    let mut reasoning_on_stdout = false;
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let mut on_piece = |ev: StreamEvent| {
        match ev {
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
        }
        // Nobody reads the rest (`| head`, a full disk): stop the reply instead of paying for it.
        if out.failed.is_some() {
            stop.cancel();
        }
    };
    let (history, at) = history(opts);
    let mut recorder = opts.save_to.clone().map(|db| {
        match &opts.resume {
            Some(s) => {
                Recorder::continue_session(db, s.summary.id, at, &opts.prompt, &target.label())
            }
            None => Recorder::start(db, &opts.prompt, &target.label()),
        }
        .priced(crate::cost::book::price_of(
            std::slice::from_ref(&target.provider),
            &Default::default(),
            &target.label(),
        ))
    });
    if let Some(r) = &recorder {
        r.attachments(&opts.prompt, &opts.attachments);
    }
    let mut on_event = |ev: StreamEvent| {
        if let Some(r) = recorder.as_mut() {
            r.event(&ev);
        }
        on_piece(ev)
    };
    // SIGTERM and SIGHUP are handled like Ctrl+C, so the partial reply is written as cancelled
    // instead of dying with it unsaved since the last checkpoint.
    let mut signals = Signals::new().ok();
    let mut stopped_by = None;
    let result = tokio::select! {
        r = providers::chat(&client, target, history, opts.no_stream, &mut on_event, &cancel) => r,
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
    match out.failed {
        Some(e) if is_closed_pipe(&e) => return 0,
        Some(e) => {
            eprintln!("ecochat: cannot write the reply: {e}");
            return 1;
        }
        None => {}
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
        None if end.possibly_truncated => Some(
            "the stream ended without [DONE] or a finish reason: the reply may be truncated".into(),
        ),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_comes_first_then_stdin_after_a_blank_line() {
        assert_eq!(combined_prompt(Some("总结 \n"), "正文\n"), "总结\n\n正文\n");
        assert_eq!(combined_prompt(Some("总结"), " \n"), "总结");
        assert_eq!(combined_prompt(None, "只有输入\n"), "只有输入\n");
    }

    #[test]
    fn auto_sanitizes_only_a_terminal() {
        assert!(Sanitize::Auto.applies(true) && !Sanitize::Auto.applies(false));
        assert!(Sanitize::Always.applies(false));
        assert!(!Sanitize::Never.applies(true));
    }
}
