//! The text of a PDF, for models that read no `file` parts. PDF parsers are large and a PDF
//! can be hostile (a compression bomb, a form that draws itself, a parser panic), so the
//! ecochat binary reads it in a child process of its own (`ecochat __pdf-text`) with a memory
//! limit and a deadline: whatever the file does, the child dies, not ecochat. Other binaries
//! (the test harnesses) read it in-process behind a panic guard.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A PDF larger than this is not read for its text (it can still go as a `file` part).
pub const MAX_PDF_TEXT_INPUT: usize = 32 * 1024 * 1024;
/// The argument that makes the binary a PDF reader (hidden: not for people).
pub const WORKER_ARG: &str = "__pdf-text";
/// The most memory the reading child may map: a bomb fails its allocation instead.
const WORKER_MEMORY: u64 = 1024 * 1024 * 1024;
/// A PDF whose text takes longer than this to read is given up.
const DEADLINE: Duration = Duration::from_secs(20);

/// Why a PDF's text cannot be sent; the caller names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfTextError {
    #[error("has no text ecochat can read (a scan?)")]
    NoText,
    #[error("is {size}, more than the {limit} whose text ecochat reads")]
    TooLarge { size: String, limit: String },
    #[error("has more than {limit} of text, more than a prompt may inline")]
    TooMuchText { limit: String },
    #[error("cannot be read: {0}")]
    Unreadable(String),
}

/// The text of the PDF in `bytes`, read in a child process when this is the ecochat binary.
/// Blocking: run it off the async threads.
pub fn read_text(bytes: &[u8], max_text: usize) -> Result<String, PdfTextError> {
    if bytes.len() > MAX_PDF_TEXT_INPUT {
        return Err(PdfTextError::TooLarge {
            size: super::human_size(bytes.len()),
            limit: super::human_size(MAX_PDF_TEXT_INPUT),
        });
    }
    match worker_exe() {
        Some(exe) => read_in_child(&exe, bytes, max_text),
        None => extract(bytes, max_text),
    }
}

/// The ecochat binary, when it is the one running (a test harness is another binary and
/// cannot serve `WORKER_ARG`).
fn worker_exe() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    (exe.file_stem()? == env!("CARGO_PKG_NAME")).then_some(exe)
}

/// Extracts in this process, behind a panic guard (pdf-extract unwraps on odd input). The
/// text stops at `max_text` bytes: past it the PDF is refused, so reading stops there.
pub fn extract(bytes: &[u8], max_text: usize) -> Result<String, PdfTextError> {
    let run = std::panic::AssertUnwindSafe(|| {
        let doc = pdf_extract::Document::load_mem(bytes)
            .map_err(|e| PdfTextError::Unreadable(e.to_string()))?;
        let mut out = Capped {
            buf: Vec::new(),
            cap: max_text,
        };
        let mut sink: &mut dyn Write = &mut out;
        let result = {
            let mut dev = pdf_extract::PlainTextOutput::new(&mut sink as &mut dyn Write);
            pdf_extract::output_doc(&doc, &mut dev)
        };
        if out.buf.len() > max_text {
            return Err(PdfTextError::TooMuchText {
                limit: super::human_size(max_text),
            });
        }
        result.map_err(|e| PdfTextError::Unreadable(e.to_string()))?;
        Ok(String::from_utf8_lossy(&out.buf).into_owned())
    });
    let text = std::panic::catch_unwind(run)
        .map_err(|_| PdfTextError::Unreadable("the PDF reader gave up on it".into()))??;
    // pdf-extract starts pages with blank lines.
    let text = text.trim();
    if text.is_empty() {
        return Err(PdfTextError::NoText);
    }
    Ok(text.to_string())
}

/// A writer that refuses bytes past `cap` (plus one, so going over is seen).
struct Capped {
    buf: Vec<u8>,
    cap: usize,
}

impl Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > self.cap + 1 {
            self.buf.push(b' ');
            return Err(std::io::Error::other("text cap"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `exe WORKER_ARG max_text` with the PDF on its stdin; its stdout is `T` and the text,
/// or `E` and the error. A child that runs out of memory, crashes or overstays is an
/// unreadable PDF.
fn read_in_child(exe: &Path, bytes: &[u8], max_text: usize) -> Result<String, PdfTextError> {
    let failed = |why: &str| PdfTextError::Unreadable(why.to_string());
    let mut child = Command::new(exe)
        .arg(WORKER_ARG)
        .arg(max_text.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| failed(&format!("cannot start the PDF reader: {e}")))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(failed("cannot talk to the PDF reader"));
    };
    let input = bytes.to_vec();
    // Writing and reading on their own threads: a child that stops reading cannot block us
    // past the deadline.
    std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        // Tag byte, text up to the cap, and one more byte to see it was over.
        let read = stdout
            .take(max_text as u64 + 2)
            .read_to_end(&mut out)
            .map(|_| out);
        let _ = tx.send(read);
    });
    let answer = rx.recv_timeout(DEADLINE);
    if answer.is_err() {
        let _ = child.kill();
    }
    let status = child.wait();
    let out = match answer {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => return Err(failed(&e.to_string())),
        Err(_) => return Err(failed("reading it took too long")),
    };
    if !status.is_ok_and(|s| s.success()) {
        return Err(failed("the PDF reader gave up on it"));
    }
    decode_answer(&out, max_text)
}

fn decode_answer(out: &[u8], max_text: usize) -> Result<String, PdfTextError> {
    match out.split_first() {
        Some((b'T', text)) if text.len() > max_text => Err(PdfTextError::TooMuchText {
            limit: super::human_size(max_text),
        }),
        Some((b'T', text)) => Ok(String::from_utf8_lossy(text).into_owned()),
        Some((b'N', _)) => Err(PdfTextError::NoText),
        Some((b'M', _)) => Err(PdfTextError::TooMuchText {
            limit: super::human_size(max_text),
        }),
        Some((b'E', why)) => Err(PdfTextError::Unreadable(
            String::from_utf8_lossy(why).into_owned(),
        )),
        _ => Err(PdfTextError::Unreadable(
            "the PDF reader gave up on it".into(),
        )),
    }
}

/// The child's side (`ecochat __pdf-text MAX`): limits its own memory, reads the PDF from
/// stdin, answers on stdout. Returns the exit code.
pub fn worker_main(max_text: Option<&str>) -> u8 {
    #[cfg(unix)]
    {
        let limit = rustix::process::Rlimit {
            current: Some(WORKER_MEMORY),
            maximum: Some(WORKER_MEMORY),
        };
        // Without the limit a bomb could take the machine's memory: refuse to read at all.
        if rustix::process::setrlimit(rustix::process::Resource::As, limit).is_err() {
            return 1;
        }
    }
    #[cfg(not(unix))]
    let _ = WORKER_MEMORY;
    let max_text = max_text
        .and_then(|m| m.parse().ok())
        .unwrap_or(super::DEFAULT_MAX_TEXT_BYTES);
    let mut input = Vec::new();
    if std::io::stdin()
        .take(MAX_PDF_TEXT_INPUT as u64 + 1)
        .read_to_end(&mut input)
        .is_err()
    {
        return 1;
    }
    let answer = match extract(&input, max_text) {
        Ok(text) => [b"T".as_slice(), text.as_bytes()].concat(),
        Err(PdfTextError::NoText) => b"N".to_vec(),
        Err(PdfTextError::TooMuchText { .. }) => b"M".to_vec(),
        Err(PdfTextError::Unreadable(why)) => [b"E".as_slice(), why.as_bytes()].concat(),
        Err(e) => [b"E".as_slice(), e.to_string().as_bytes()].concat(),
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(&answer).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

#[cfg(test)]
#[path = "pdf_tests.rs"]
mod tests;
