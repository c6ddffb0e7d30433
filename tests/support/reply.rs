//! What the mock sends back: a status, headers and a body plan of writes, sleeps, closes and hangs.

use std::time::Duration;

/// The request id new-api puts in `X-Oneapi-Request-Id` and in every error message (§3.2).
pub const REQUEST_ID: &str = "20250411233132123456789aBcDeFgH";

/// One step of a reply plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send these bytes (one HTTP chunk when the reply is chunked).
    Write(Vec<u8>),
    /// Wait; `Duration::ZERO` only yields to the runtime.
    Sleep(Duration),
    /// Drop the socket at once, without finishing the body.
    Close,
    /// Send nothing more but keep the socket open until the client goes away.
    Hang,
    /// Send these bytes again and again, as fast as the client takes them, until it goes away.
    Forever(Vec<u8>),
}

/// How the body's writes are cut into TCP writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// One write per planned write (for SSE: one per event, as new-api flushes them).
    Whole,
    /// Consecutive writes joined, then cut into 1, 7, 13, ... 61-byte pieces, with a pause after each.
    Odd,
    /// Every byte its own write.
    OneByte,
    /// Each planned write cut after the second byte of every 3- or 4-byte UTF-8 character.
    SplitUtf8,
    /// Consecutive writes joined into one, so several events arrive in one read.
    Coalesced,
}

impl WriteMode {
    /// The modes a streamed scenario should survive unchanged.
    pub const ALL: [WriteMode; 5] = [
        WriteMode::Whole,
        WriteMode::Odd,
        WriteMode::OneByte,
        WriteMode::SplitUtf8,
        WriteMode::Coalesced,
    ];
}

/// How the body is delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Transfer-Encoding: chunked`, as new-api sends SSE.
    Chunked,
    /// `Content-Length` computed from every `Step::Write` of the body.
    ContentLength,
}

/// Pause after each piece in `Odd` mode: long enough that pieces arrive as separate reads.
const ODD_PAUSE: Duration = Duration::from_millis(2);
/// Pause between the halves of a split character.
const SPLIT_PAUSE: Duration = Duration::from_millis(3);

/// One scripted HTTP response.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Headers in order, as written (framing headers are added when missing).
    pub headers: Vec<(String, String)>,
    /// How the body is delimited.
    pub framing: Framing,
    /// Steps run before the status line (`Sleep`: slow first byte, `Hang`: never answer, `Close`).
    pub before_head: Vec<Step>,
    /// The body plan.
    pub body: Vec<Step>,
    /// How body writes are cut into TCP writes.
    pub mode: WriteMode,
    /// Sleep inserted before every body write but the first (per event for SSE replies).
    pub event_delay: Option<Duration>,
}

impl Reply {
    /// An empty reply with this status and a Content-Length body.
    pub fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            framing: Framing::ContentLength,
            before_head: Vec::new(),
            body: Vec::new(),
            mode: WriteMode::Whole,
            event_delay: None,
        }
    }

    /// A 200 SSE reply with new-api's headers, one write per event of `payload`.
    pub fn sse(payload: &[u8]) -> Self {
        let mut reply = Self::new(200)
            .header("Content-Type", "text/event-stream")
            .header("Cache-Control", "no-cache")
            .header("Connection", "keep-alive")
            .header("Transfer-Encoding", "chunked")
            .header("X-Accel-Buffering", "no")
            .header("X-Oneapi-Request-Id", REQUEST_ID);
        reply.framing = Framing::Chunked;
        for event in split_events(payload) {
            reply.body.push(Step::Write(event));
        }
        reply
    }

    /// A JSON reply as gin renders it, with the request-id header.
    pub fn json(status: u16, body: &[u8]) -> Self {
        Self::new(status)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("X-Oneapi-Request-Id", REQUEST_ID)
            .write(body)
    }

    /// An HTML page with the given content type.
    pub fn html(status: u16, content_type: &str, body: &[u8]) -> Self {
        Self::new(status)
            .header("Content-Type", content_type)
            .write(body)
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Switches to chunked framing.
    pub fn chunked(mut self) -> Self {
        self.framing = Framing::Chunked;
        self
    }

    /// Appends a body write.
    pub fn write(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.body.push(Step::Write(bytes.as_ref().to_vec()));
        self
    }

    /// Appends a pause in the body.
    pub fn sleep(mut self, d: Duration) -> Self {
        self.body.push(Step::Sleep(d));
        self
    }

    /// Ends the body by dropping the socket abruptly.
    pub fn close(mut self) -> Self {
        self.body.push(Step::Close);
        self
    }

    /// Ends the body by going silent with the socket left open.
    pub fn hang(mut self) -> Self {
        self.body.push(Step::Hang);
        self
    }

    /// Waits before sending the status line (slow first byte, e.g. a 524 after 100 s).
    pub fn delay_head(mut self, d: Duration) -> Self {
        self.before_head.push(Step::Sleep(d));
        self
    }

    /// Reads the request and then never sends a byte.
    pub fn hang_before_head(mut self) -> Self {
        self.before_head.push(Step::Hang);
        self
    }

    /// Reads the request and then drops the connection without a response.
    pub fn close_before_head(mut self) -> Self {
        self.before_head.push(Step::Close);
        self
    }

    /// Sets the write mode.
    pub fn mode(mut self, mode: WriteMode) -> Self {
        self.mode = mode;
        self
    }

    /// Odd-sized writes (1, 7, 13, ... bytes) that cross event boundaries.
    pub fn odd_writes(self) -> Self {
        self.mode(WriteMode::Odd)
    }

    /// One byte per write.
    pub fn one_byte_writes(self) -> Self {
        self.mode(WriteMode::OneByte)
    }

    /// A write boundary inside every 3-byte (CJK) character.
    pub fn split_utf8(self) -> Self {
        self.mode(WriteMode::SplitUtf8)
    }

    /// All consecutive writes in one.
    pub fn coalesced(self) -> Self {
        self.mode(WriteMode::Coalesced)
    }

    /// Ends the body with `bytes` sent over and over until the client leaves.
    pub fn forever(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.body.push(Step::Forever(bytes.as_ref().to_vec()));
        self
    }

    /// Sleeps `d` between events.
    pub fn slow(mut self, d: Duration) -> Self {
        self.event_delay = Some(d);
        self
    }

    /// The full body as the client will see it if nothing breaks.
    pub fn body_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for step in &self.body {
            if let Step::Write(bytes) = step {
                out.extend_from_slice(bytes);
            }
        }
        out
    }

    /// Looks up a header (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as actually written: delays and write mode applied. Each `Write` is one TCP write.
    pub fn wire_plan(&self) -> Vec<Step> {
        let mut delayed = Vec::new();
        let mut seen_write = false;
        for step in &self.body {
            if let (Step::Write(_), Some(d)) = (step, self.event_delay) {
                if seen_write {
                    delayed.push(Step::Sleep(d));
                }
                seen_write = true;
            }
            delayed.push(step.clone());
        }
        match self.mode {
            WriteMode::Whole => delayed,
            WriteMode::Coalesced => join_runs(delayed),
            WriteMode::Odd => cut_runs(delayed, odd_sizes(), ODD_PAUSE),
            WriteMode::OneByte => cut_runs(delayed, std::iter::repeat(1), Duration::ZERO),
            WriteMode::SplitUtf8 => delayed.into_iter().flat_map(split_inside_chars).collect(),
        }
    }
}

/// 1, 7, 13, ..., 61, 1, 7, ...
fn odd_sizes() -> impl Iterator<Item = usize> {
    (0..).map(|k: usize| 1 + 6 * (k % 11))
}

/// Joins each run of consecutive writes into one.
fn join_runs(steps: Vec<Step>) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    for step in steps {
        match (out.last_mut(), step) {
            (Some(Step::Write(acc)), Step::Write(bytes)) => acc.extend_from_slice(&bytes),
            (_, step) => out.push(step),
        }
    }
    out
}

/// Joins runs of writes, then cuts each run into pieces of the given sizes with `pause` after each.
fn cut_runs(
    steps: Vec<Step>,
    mut sizes: impl Iterator<Item = usize>,
    pause: Duration,
) -> Vec<Step> {
    let mut out = Vec::new();
    for step in join_runs(steps) {
        let Step::Write(bytes) = step else {
            out.push(step);
            continue;
        };
        let mut rest = bytes.as_slice();
        while !rest.is_empty() {
            let n = sizes.next().unwrap_or(1).min(rest.len());
            out.push(Step::Write(rest[..n].to_vec()));
            out.push(Step::Sleep(pause));
            rest = &rest[n..];
        }
    }
    out
}

/// Cuts one write after the second byte of every 3- or 4-byte UTF-8 sequence in it.
fn split_inside_chars(step: Step) -> Vec<Step> {
    let Step::Write(bytes) = step else {
        return vec![step];
    };
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // Continuation bytes are 0x80..=0xBF, so this only matches lead bytes of long sequences.
        let cut = i + 2;
        if (0xE0..=0xF4).contains(&b) && cut > start && cut < bytes.len() {
            out.push(Step::Write(bytes[start..cut].to_vec()));
            out.push(Step::Sleep(SPLIT_PAUSE));
            start = cut;
        }
    }
    out.push(Step::Write(bytes[start..].to_vec()));
    out
}

/// Splits an SSE payload into events: a new event starts at every line beginning `data:`, `:` or
/// `event:`, so each event keeps its own terminator and trailing blank lines, whatever the line ends.
pub fn split_events(payload: &[u8]) -> Vec<Vec<u8>> {
    let mut events = Vec::new();
    let mut start = 0;
    let mut line_start = 0;
    let mut i = 0;
    while i < payload.len() {
        if line_start == i && i > start {
            let line = &payload[i..];
            if line.starts_with(b"data:") || line.starts_with(b":") || line.starts_with(b"event:") {
                events.push(payload[start..i].to_vec());
                start = i;
            }
        }
        match payload[i] {
            b'\n' => line_start = i + 1,
            b'\r' if payload.get(i + 1) != Some(&b'\n') => line_start = i + 1,
            _ => {}
        }
        i += 1;
    }
    if start < payload.len() {
        events.push(payload[start..].to_vec());
    }
    events
}

/// The reason phrase for a status line.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        524 => "A Timeout Occurred",
        _ => "Unknown",
    }
}
