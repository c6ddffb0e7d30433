//! Asking the terminal what it is, once, at start-up: XTVERSION (name and version) and the
//! primary device attributes (4: sixel). Runs in raw mode before the key reader starts, reads
//! stdin itself, and hands back whatever the user typed meanwhile as key actions.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::Action;
use crate::media::protocol::TerminalReport;

/// XTVERSION, then DA1. Every terminal answers DA1 and answers in order, so once the DA1
/// reply is in, any XTVERSION reply came before it: nothing arrives late for the key reader
/// to take as typing.
const QUERY: &[u8] = b"\x1b[>0q\x1b[c";
/// Long enough for a terminal over a slow SSH link; only one that never answers DA1 waits it.
pub(super) const TIMEOUT: Duration = Duration::from_millis(500);

/// The report (empty when nothing answered) and the keys typed while waiting.
pub(super) fn ask(timeout: Duration) -> (TerminalReport, Vec<Action>) {
    match exchange(timeout) {
        Ok(bytes) => parse(&bytes),
        Err(e) => {
            tracing::info!(%e, "terminal query failed");
            (TerminalReport::default(), Vec::new())
        }
    }
}

#[cfg(unix)]
fn exchange(timeout: Duration) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    use std::os::fd::AsFd;

    use rustix::event::{PollFd, PollFlags, Timespec};

    let mut out = std::io::stdout();
    out.write_all(QUERY)?;
    out.flush()?;
    let stdin = std::io::stdin();
    let fd = stdin.as_fd();
    let deadline = Instant::now() + timeout;
    let mut bytes = Vec::new();
    let mut buf = [0u8; 1024];
    while !has_attributes(&bytes) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        let wait = Timespec::try_from(left).unwrap_or(Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        });
        match rustix::event::poll(&mut fds, Some(&wait)) {
            Ok(0) => break,
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
        // The fd itself, not `Stdin`'s buffer: what is left must stay readable by crossterm.
        match rustix::io::read(fd, &mut buf) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(rustix::io::Errno::INTR | rustix::io::Errno::AGAIN) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(bytes)
}

#[cfg(not(unix))]
fn exchange(_timeout: Duration) -> std::io::Result<Vec<u8>> {
    Ok(Vec::new())
}

/// True once a complete DA1 reply (`ESC [ ? … c`) is in `bytes`.
fn has_attributes(bytes: &[u8]) -> bool {
    find_da1(bytes).is_some()
}

/// The span of the DA1 reply and its parameters.
fn find_da1(bytes: &[u8]) -> Option<(usize, usize, String)> {
    let mut from = 0;
    while let Some(i) = find(&bytes[from..], b"\x1b[?").map(|i| i + from) {
        let params = &bytes[i + 3..];
        let len = params
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b';'))?;
        if params[len] == b'c' {
            let text = String::from_utf8_lossy(&params[..len]).into_owned();
            return Some((i, i + 3 + len + 1, text));
        }
        from = i + 1;
    }
    None
}

/// The span of the XTVERSION reply (`ESC P > | text ESC \`) and its text.
fn find_version(bytes: &[u8]) -> Option<(usize, usize, String)> {
    let start = find(bytes, b"\x1bP>|")?;
    let body = start + 4;
    let len = find(&bytes[body..], b"\x1b\\")?;
    let text = String::from_utf8_lossy(&bytes[body..body + len]).into_owned();
    Some((start, body + len + 2, text))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Splits what came back into the report and the keys typed around it.
fn parse(bytes: &[u8]) -> (TerminalReport, Vec<Action>) {
    let mut rest = bytes.to_vec();
    let mut report = TerminalReport::default();
    if let Some((a, b, text)) = find_version(&rest) {
        report.version = Some(text.trim().to_string());
        rest.drain(a..b);
    }
    if let Some((a, b, text)) = find_da1(&rest) {
        report.attributes = Some(text);
        rest.drain(a..b);
    }
    (report, typed(&rest))
}

/// Keys for bytes typed during the query: text, Enter, Tab, Backspace and Ctrl+letter.
/// Escape sequences (arrows, function keys) in that instant are dropped.
fn typed(bytes: &[u8]) -> Vec<Action> {
    let text = String::from_utf8_lossy(bytes);
    let mut keys = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let key = match c {
            '\x1b' => {
                // Skip the sequence: ESC, an optional introducer, then up to its final byte.
                if chars.next_if(|c| *c == '[' || *c == 'O').is_some() {
                    while chars.next_if(|c| !('@'..='~').contains(c)).is_some() {}
                    chars.next();
                }
                continue;
            }
            '\r' | '\n' => KeyEvent::from(KeyCode::Enter),
            '\t' => KeyEvent::from(KeyCode::Tab),
            '\x7f' | '\x08' => KeyEvent::from(KeyCode::Backspace),
            c @ '\x01'..='\x1a' => {
                let letter = char::from(b'a' + (c as u8 - 1));
                KeyEvent::new(KeyCode::Char(letter), KeyModifiers::CONTROL)
            }
            c if c.is_control() => continue,
            c => KeyEvent::from(KeyCode::Char(c)),
        };
        keys.push(Action::Key(key));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(actions: &[Action]) -> Vec<String> {
        actions
            .iter()
            .map(|a| match a {
                Action::Key(k) if k.modifiers.is_empty() => format!("{:?}", k.code),
                Action::Key(k) => format!("Ctrl+{:?}", k.code),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn kitty_answers_both() {
        let (report, typed) = parse(b"\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;c");
        assert_eq!(report.version.as_deref(), Some("kitty(0.26.5)"));
        assert_eq!(report.attributes.as_deref(), Some("62;"));
        assert!(typed.is_empty());
    }

    #[test]
    fn xterm_vt340_answers_with_sixel() {
        let (report, _) = parse(b"\x1bP>|XTerm(379)\x1b\\\x1b[?63;1;2;4;6;9;15;16;22;28c");
        assert_eq!(report.version.as_deref(), Some("XTerm(379)"));
        assert!(report.attributes.unwrap().split(';').any(|p| p == "4"));
    }

    #[test]
    fn a_terminal_without_xtversion_answers_da1_only() {
        let (report, typed) = parse(b"\x1b[?1;2c");
        assert_eq!(report.version, None);
        assert_eq!(report.attributes.as_deref(), Some("1;2"));
        assert!(typed.is_empty());
    }

    #[test]
    fn keys_typed_around_the_replies_are_kept() {
        let (report, typed) = parse("你b\x1bP>|tmux 3.4\x1b\\a\x1b[?1;2c\x1b[A\r\x03".as_bytes());
        assert_eq!(report.version.as_deref(), Some("tmux 3.4"));
        assert_eq!(
            keys(&typed),
            [
                "Char('你')",
                "Char('b')",
                "Char('a')",
                "Enter",
                "Ctrl+Char('c')"
            ]
        );
    }

    #[test]
    fn no_answer_is_an_empty_report() {
        let (report, typed) = parse(b"");
        assert_eq!(report, TerminalReport::default());
        assert!(typed.is_empty());
    }
}
