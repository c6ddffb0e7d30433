//! The test harness: an app and a `TestBackend` terminal driven through `update` like a user,
//! with a fixed clock and fixed message times, plus screen-reading helpers.

use std::time::{Duration, Instant};

use chrono::{DateTime, Local, NaiveDate, TimeZone};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::{Position, Rect};

use ecochat::api::ApiError;
use ecochat::api::client::ReplyEnd;
use ecochat::api::{StreamEvent, Usage};
use ecochat::app::{Action, App, Effect, StreamMsg, update};
use ecochat::config::{ModelSpec, Provider};
use ecochat::providers::Target;
use ecochat::ui;
use ecochat::view::theme::Theme;

/// No modifier keys.
pub const NONE: KeyModifiers = KeyModifiers::NONE;
/// The Ctrl modifier.
pub const CTRL: KeyModifiers = KeyModifiers::CONTROL;

/// 09:41 local time on a fixed day, so the `· HH:MM` of every header is stable in any timezone.
pub fn fixed_time(minute_offset: u32) -> DateTime<Local> {
    let naive = NaiveDate::from_ymd_opt(2025, 3, 14)
        .and_then(|d| d.and_hms_opt(9 + (41 + minute_offset) / 60, (41 + minute_offset) % 60, 0))
        .expect("valid date");
    Local
        .from_local_datetime(&naive)
        .single()
        .expect("09:41 exists in every timezone on that day")
}

/// A relay provider serving `model`; nothing is sent anywhere, the replies are fed by hand.
pub fn target(model: &str) -> Target {
    Target {
        provider: Provider::new("ecovai", Some("https://api.ecovai.cn/v1".into())),
        model: ModelSpec::new(model),
    }
}

/// An app and a test terminal of the same size, with a clock that only moves when told.
pub struct Harness {
    pub app: App,
    pub terminal: Terminal<TestBackend>,
    start: Instant,
    now: Instant,
    /// The reply id of the last `StartReply` effect.
    reply: Option<u64>,
    /// The buffer of the last frame drawn.
    pub frame: Buffer,
}

impl Harness {
    /// A fresh app on a `width` x `height` test terminal, its clock at the start.
    pub fn new(model: &str, width: u16, height: u16) -> Self {
        let start = Instant::now();
        let app = App::new(
            target(model),
            Theme::default(),
            Rect::new(0, 0, width, height),
            start,
        );
        let terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        Self {
            app,
            terminal,
            start,
            now: start,
            reply: None,
            frame: Buffer::empty(Rect::new(0, 0, width, height)),
        }
    }

    /// Moves the clock to `ms` milliseconds after the start.
    pub fn at(&mut self, ms: u64) -> &mut Self {
        self.now = self.start + Duration::from_millis(ms);
        self
    }

    /// Moves the clock and lets the animation timer fire, as the runtime does while a reply is in flight.
    pub fn tick(&mut self, ms: u64) -> &mut Self {
        self.at(ms);
        self.act(Action::Tick);
        self
    }

    /// Applies one action at the current clock, remembering any reply it starts.
    pub fn act(&mut self, action: Action) -> Vec<Effect> {
        let effects = update(&mut self.app, action, self.now);
        for e in &effects {
            if let Effect::StartReply { reply_id, .. } = e {
                self.reply = Some(*reply_id);
            }
        }
        self.pin_times();
        effects
    }

    /// Gives every message a fixed creation time (one minute apart); the only state poked directly.
    pub fn pin_times(&mut self) {
        let msgs = self.app.conv.messages();
        let changed = msgs
            .iter()
            .enumerate()
            .any(|(i, m)| m.created != fixed_time(i as u32 % 600));
        if changed {
            // Loaded again, as another session would be: every message gets a new revision,
            // so the headers holding the times are laid out again.
            let mut pinned: Vec<ecochat::chat::Message> = msgs
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let mut f = (**m).clone();
                    f.created = fixed_time(i as u32 % 600);
                    f.into()
                })
                .collect();
            // Alternatives off the shown branch are kept, and the same branch shown.
            pinned.extend(self.app.conv.hidden().iter().map(|m| {
                let mut f = (**m).clone();
                f.created = fixed_time(m.id as u32 % 600);
                ecochat::chat::Message::from(f)
            }));
            let shown = msgs.last().map(|m| m.id);
            self.app.conv.load_showing(pinned, shown);
            // The layout memo refreshes itself from the revisions on the next read.
            let _ = self.app.layout().total_lines();
        }
    }

    /// Presses one key.
    pub fn key(&mut self, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
        self.act(Action::Key(KeyEvent::new(code, mods)))
    }

    /// Types `text` one key at a time.
    pub fn type_str(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.key(KeyCode::Char(c), NONE);
        }
        self
    }

    /// Types `text` and presses Enter; the reply it starts is `self.reply`.
    pub fn send(&mut self, text: &str) -> &mut Self {
        self.type_str(text);
        let effects = self.key(KeyCode::Enter, NONE);
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::StartReply { .. })),
            "Enter should start a reply"
        );
        self
    }

    /// Pastes `text` (bracketed paste) and presses Enter; quicker than typing a long prompt.
    pub fn paste_send(&mut self, text: &str) -> &mut Self {
        self.act(Action::Paste(text.into()));
        self.send("")
    }

    /// The message id of the reply started last.
    pub fn reply_id(&self) -> u64 {
        self.reply.expect("a reply was started")
    }

    /// Delivers one stream event of the current reply, as the reply task does.
    pub fn event(&mut self, event: StreamEvent) -> &mut Self {
        let id = self.reply_id();
        self.act(Action::Stream {
            id,
            msg: StreamMsg::Event(event),
        });
        self
    }

    /// Delivers a piece of answer text.
    pub fn content(&mut self, text: &str) -> &mut Self {
        self.event(StreamEvent::Content(text.into()))
    }

    /// Delivers a piece of reasoning text.
    pub fn reasoning(&mut self, text: &str) -> &mut Self {
        self.event(StreamEvent::Reasoning(text.into()))
    }

    /// Ends the current reply with `end`.
    pub fn end(&mut self, end: Result<ReplyEnd, ApiError>) -> &mut Self {
        let id = self.reply_id();
        self.act(Action::Stream {
            id,
            msg: StreamMsg::End(end),
        });
        self
    }

    /// Ends the current reply normally (`finish_reason: stop`).
    pub fn finish(&mut self, usage: Option<Usage>) -> &mut Self {
        self.end(Ok(ReplyEnd {
            finish_reason: Some("stop".into()),
            usage,
            possibly_truncated: false,
            cancelled: false,
            over_limit: false,
        }))
    }

    /// Resizes the terminal, as the runtime does on a resize event.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.act(Action::Resize { width, height });
        self.terminal.backend_mut().resize(width, height);
    }

    /// Draws a frame and returns the backend; the frame is kept in `self.frame`.
    pub fn draw(&mut self) -> &TestBackend {
        let app = &self.app;
        let frame = self
            .terminal
            .draw(|f| ui::render(app, f))
            .expect("draw never fails on a test backend");
        // The backend only receives changed cells and skips those a wide char covers, so a cell
        // overwritten under a wide char's right half shows only in the frame itself.
        self.frame = frame.buffer.clone();
        self.terminal.backend()
    }

    /// Draws and returns the terminal cursor, which must be shown.
    pub fn cursor(&mut self) -> Position {
        self.draw();
        assert!(
            self.terminal.backend().cursor_visible(),
            "the terminal cursor should be shown in the input box"
        );
        self.terminal.get_cursor_position().expect("cursor")
    }
}

/// Usage with these prompt and completion counts.
pub fn usage(prompt: u64, completion: u64) -> Usage {
    Usage {
        cached_tokens: None,
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        reasoning_tokens: None,
    }
}

/// The `i`-th exchange of a long chat: alternating Chinese and English, some replies several lines.
pub fn exchange(i: usize) -> (String, String) {
    if i.is_multiple_of(2) {
        let q = format!("第 {i} 个问题：{i} 的平方是多少？");
        let mut a = format!("{i} 的平方是 {}。", i * i);
        if i.is_multiple_of(3) {
            a.push_str(
                "计算方法很简单：把这个数乘以它自己。例如 12 × 12 = 144，而 25 × 25 = 625。",
            );
        }
        (q, a)
    } else {
        let q = format!("Question {i}: is {i} a prime number?");
        let prime = (2..i)
            .take_while(|d| d * d <= i)
            .all(|d| !i.is_multiple_of(d))
            && i > 1;
        let mut a = format!("{i} is {}a prime number.", if prime { "" } else { "not " });
        if i.is_multiple_of(5) {
            a.push_str("\n\nA prime has exactly two divisors: 1 and itself. 素数只有两个因数。");
        }
        (q, a)
    }
}

/// A conversation of `exchanges * 2` messages, every reply streamed in two pieces and finished.
pub fn long_chat(h: &mut Harness, exchanges: usize) {
    for i in 0..exchanges {
        let (q, a) = exchange(i);
        let t = 1000 * i as u64;
        h.at(t).paste_send(&q);
        let mid = a
            .char_indices()
            .nth(a.chars().count() / 2)
            .map_or(0, |(b, _)| b);
        h.at(t + 200).content(&a[..mid]);
        h.at(t + 300).content(&a[mid..]);
        h.finish(Some(usage(20 + i as u64, 12)));
    }
}

/// Top-left cell of the input box's text area.
pub fn input_origin(h: &Harness) -> Position {
    let input = h.app.panes().expect("big enough").input;
    // A border and one column of padding on the left.
    Position::new(input.x + 2, input.y + 1)
}

/// The text of screen row `y` from `x0` to `x1`, wide chars once (their hidden cell skipped).
pub fn row_text(buf: &Buffer, y: u16, x0: u16, x1: u16) -> String {
    let mut out = String::new();
    let mut x = x0;
    while x < x1 {
        let sym = buf[(x, y)].symbol();
        out.push_str(sym);
        x += sym.cell_width().max(1);
    }
    out
}

/// Panics unless every wide char has its hidden cell blank beside it, inside the screen, and,
/// in the conversation pane, ends left of the scrollbar column.
pub fn assert_wide_chars_whole(h: &Harness, context: &str) {
    let buf = &h.frame;
    let area = buf.area;
    let text_right = h
        .app
        .panes()
        .map(|p| (p.conversation, p.conversation.right().saturating_sub(1)));
    for y in 0..area.height {
        for x in 0..area.width {
            let sym = buf[(x, y)].symbol();
            if sym.cell_width() < 2 {
                continue;
            }
            assert!(
                x + 1 < area.width,
                "{context}: wide {sym:?} at the last column, row {y}"
            );
            assert_eq!(
                buf[(x + 1, y)].symbol(),
                " ",
                "{context}: the right half of {sym:?} at ({x}, {y}) is overwritten"
            );
            if let Some((pane, bar_x)) = text_right
                && pane.contains(Position::new(x, y))
            {
                assert!(
                    x + 1 < bar_x,
                    "{context}: {sym:?} at ({x}, {y}) runs into the scrollbar column"
                );
            }
        }
    }
}
