//! The status bar: model, reply state, token usage, key hints.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::App;
use crate::text::{display_width, truncate_to_width};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The bottom line of the screen.
pub struct StatusBar<'a> {
    pub app: &'a App,
}

impl StatusBar<'_> {
    /// The state part: idle, waiting, streaming with a rate, or the last error.
    fn state(&self) -> Span<'static> {
        let app = self.app;
        let t = &app.theme;
        if let Some(f) = &app.in_flight {
            let elapsed = app.now.saturating_duration_since(f.started);
            let frame = SPINNER[(elapsed.as_millis() / 100) as usize % SPINNER.len()];
            return match f.first_token {
                None => Span::styled(
                    format!(
                        " {frame} waiting {:.1}s{} ",
                        elapsed.as_secs_f32(),
                        crate::ui::attach_chips::sending_size(&app.conv)
                    ),
                    t.status_busy,
                ),
                Some(first) => {
                    let secs = app.now.saturating_duration_since(first).as_secs_f64();
                    let rate = if secs > 0.2 {
                        f.pieces as f64 / secs
                    } else {
                        0.0
                    };
                    Span::styled(
                        format!(" {frame} streaming {rate:.0} tok/s "),
                        t.status_busy,
                    )
                }
            };
        }
        if let Some(turn) = app
            .compare
            .turn
            .as_ref()
            .filter(|_| app.compare.streaming())
        {
            let started = turn.columns.iter().map(|c| c.flight.started).min();
            let elapsed =
                started.map_or_else(Default::default, |s| app.now.saturating_duration_since(s));
            let frame = SPINNER[(elapsed.as_millis() / 100) as usize % SPINNER.len()];
            let live = turn.columns.iter().filter(|c| c.live()).count();
            return Span::styled(
                format!(
                    " {frame} comparing: {live} of {} writing ",
                    turn.columns.len()
                ),
                t.status_busy,
            );
        }
        if app.pending_ctrl_x {
            // The first key of a sequence is waiting for the second, as bash shows it.
            return Span::styled(" Ctrl+X- ", t.status_busy);
        }
        if let Some(n) = &app.notice {
            let style = if n.is_error {
                t.status_error
            } else {
                t.status_bar
            };
            return Span::styled(format!(" {} ", n.text), style);
        }
        if app.last_error.is_some() {
            return Span::styled(" ✖ error ", t.status_error);
        }
        if let Some(w) = &app.sessions.warning {
            return Span::styled(format!(" ⚠ {w} "), t.status_error);
        }
        Span::styled(" idle ", t.status_bar)
    }
}

/// A notice too long for the status bar, shown in full: wrapped on lines drawn over the bottom
/// of the conversation, just above the input box (`input`), so the prompt stays in sight; at
/// most a third of the screen, for as long as the notice lasts.
pub fn render_overflow(app: &App, status: Rect, input: Rect, buf: &mut Buffer) {
    let Some(notice) = &app.notice else { return };
    if app.replying() || app.pending_ctrl_x {
        return;
    }
    let model = display_width(&app.target.label()) + 2;
    let width = usize::from(status.width);
    if model + display_width(&notice.text) + 2 <= width {
        return;
    }
    let t = &app.theme;
    let style = if notice.is_error {
        t.status_error
    } else {
        t.status_bar
    };
    let lines = crate::text::wrap_text(&notice.text, width.saturating_sub(2).max(1), style);
    let room = usize::from(input.y.min(app.area.height / 3));
    let height = lines.len().min(room);
    if height == 0 {
        return;
    }
    let h = u16::try_from(height).unwrap_or(u16::MAX);
    let area = Rect {
        y: input.y - h,
        height: h,
        ..status
    };
    ratatui::widgets::Clear.render(area, buf);
    buf.set_style(area, style);
    for (i, line) in lines.into_iter().take(height).enumerate() {
        let row = Rect {
            x: area.x + 1,
            y: area.y + i as u16,
            width: area.width.saturating_sub(2),
            height: 1,
        };
        line.render(row, buf);
    }
}

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let t = &app.theme;
        buf.set_style(area, t.status_bar);
        let width = usize::from(area.width);
        let model = format!(" {} ", app.target.label());
        let mut spans = vec![Span::styled(model, t.status_model)];
        if app.compare.is_on() {
            // Prompts go to these, not to the model on the left.
            let set = format!("compare: {} ", app.compare.summary());
            spans.push(Span::styled(set, t.status_model));
        }
        spans.push(self.state());
        let running = app.tasks.running();
        if running > 0 {
            spans.push(Span::styled(
                format!(" ⧗ {running} task(s) "),
                t.status_busy,
            ));
        }
        // Usage belongs to the reply that reported it: the last message, once it is a reply.
        let usage = app
            .conv
            .messages()
            .last()
            .filter(|m| m.role == crate::chat::Role::Assistant)
            .and_then(|m| m.usage);
        if let Some(u) = usage.filter(|u| !u.is_placeholder()) {
            spans.push(Span::styled(
                format!(" ↑{} ↓{} tok ", u.prompt_tokens, u.completion_tokens),
                t.status_bar,
            ));
        }
        let spent = crate::app::cost::session_totals(app);
        if !spent.is_empty() {
            let text = crate::cost::book::totals_text(&spent);
            spans.push(Span::styled(format!(" session {text} "), t.status_bar));
        }
        if let Some((left, low)) = crate::app::cost::status_balance(app) {
            let style = if low { t.status_error } else { t.status_bar };
            spans.push(Span::styled(format!(" balance {left} "), style));
        }
        let used: usize = spans.iter().map(|s| display_width(&s.content)).sum();
        // The full hint when it fits, else the one key that leads to all the others.
        let hints: [&str; 2] = if app.focus == crate::app::Focus::Conversation && app.comparing() {
            // The columns take the pane: their keys, not the conversation's.
            [
                "1-4 pick · ←→ column · ↑↓ scroll · y copy · Tab input ",
                "Tab input ",
            ]
        } else if app.focus == crate::app::Focus::Conversation {
            [
                "[ ] select · y copy · e edit · < > alternatives · j/k scroll · Tab input ",
                "Tab input ",
            ]
        } else if app.focus == crate::app::Focus::Media {
            [
                "↑↓ select · Enter full · o open · y copy · s save · Tab input ",
                "Tab input ",
            ]
        } else if app.replying() {
            ["Esc cancel · F1 help ", "F1 help "]
        } else {
            [
                "Enter send · Ctrl+J newline · F1 help · Ctrl+Q quit ",
                "F1 help ",
            ]
        };
        if let Some(hint) = hints.into_iter().find(|h| used + display_width(h) < width) {
            let pad = width - used - display_width(hint);
            spans.push(Span::styled(" ".repeat(pad), t.status_bar));
            spans.push(Span::styled(hint, t.key_hint));
        }
        // On narrow terminals the left part is cut rather than wrapped.
        let line = Line::from(spans);
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        if display_width(&text) > width {
            let cut = truncate_to_width(&text, width);
            buf.set_stringn(area.x, area.y, cut, width, t.status_model);
        } else {
            line.render(area, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyModifiers};
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::widgets::Widget;

    use super::StatusBar;
    use crate::api::Usage;
    use crate::api::client::ReplyEnd;
    use crate::app::test_harness::Harness;

    fn status(h: &Harness) -> String {
        let area = Rect::new(0, 0, 100, 1);
        let mut buf = Buffer::empty(area);
        StatusBar { app: &h.app }.render(area, &mut buf);
        (0..area.width).map(|x| buf[(x, 0)].symbol()).collect()
    }

    fn reply(h: &mut Harness, usage: Option<Usage>) {
        h.type_text("q");
        let fx = h.enter();
        let end = ReplyEnd {
            usage,
            ..ReplyEnd::default()
        };
        h.answer_ending(&fx, "a", end);
    }

    #[test]
    fn usage_shows_only_for_the_reply_that_reported_it() {
        let mut h = Harness::new();
        let u = Usage {
            prompt_tokens: 12,
            completion_tokens: 34,
            ..Usage::default()
        };
        reply(&mut h, Some(u));
        assert!(status(&h).contains("↑12 ↓34 tok"), "{}", status(&h));
        reply(&mut h, None);
        assert!(!status(&h).contains("tok "), "{}", status(&h));
        reply(&mut h, Some(u));
        h.key(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert!(!status(&h).contains("↑12"), "{}", status(&h));
    }

    #[test]
    fn a_long_notice_is_shown_in_full_above_the_bar() {
        use crate::app::Notice;
        let mut h = Harness::sized(60, 20);
        h.type_text("my draft stays");
        let text = "cannot write the transcript to /home/someone/Documents/ecochat/transcripts/2026-12-04 \
                    长颈鹿.md: permission denied (os error 13); the conversation is kept in memory";
        h.app.notice = Some(Notice {
            text: text.into(),
            is_error: true,
        });
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(60, 20))
            .expect("a test terminal");
        terminal
            .draw(|f| crate::ui::render(&h.app, f))
            .expect("drawn");
        let buf = terminal.backend().buffer();
        let screen: String = (0..20)
            .map(|y| (0..60).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
            .collect();
        let squashed: String = screen.split_whitespace().collect();
        let wanted: String = text.split_whitespace().collect();
        assert!(squashed.contains(&wanted), "{screen}");
        assert!(screen.contains("my draft stays"), "{screen}");
    }

    #[test]
    fn a_pending_ctrl_x_is_shown() {
        let mut h = Harness::new();
        h.key(KeyCode::Char('x'), KeyModifiers::CONTROL);
        assert!(status(&h).contains("Ctrl+X-"), "{}", status(&h));
    }
}
