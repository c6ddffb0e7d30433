//! The hint line above the input while a slash command is typed: the commands that match, or
//! the syntax of the one typed (with the model `/model NAME` would switch to).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::slash::{Hint, SlashSpec, hint, resolve_model};
use crate::app::{App, Focus};

/// The line's spans for the prompt's text; `None` when no command is being typed.
pub fn hint_line(app: &App) -> Option<Line<'static>> {
    if app.overlay.is_some() || app.focus != Focus::Input {
        return None;
    }
    let t = &app.theme;
    let name = |spec: &SlashSpec| Span::styled(spec.name, t.popup_title);
    let args = |spec: &SlashSpec| Span::styled(format!(" {}", spec.args), t.popup);
    let mut spans = vec![Span::styled(" ", t.popup)];
    match hint(&app.prompt.text())? {
        Hint::Commands(list) if list.len() == 1 => {
            spans.extend([name(list[0]), args(list[0])]);
            spans.push(Span::styled(format!(" — {}", list[0].about), t.meta));
            spans.push(Span::styled(" · Tab completes", t.meta));
        }
        Hint::Commands(list) => {
            for (i, spec) in list.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::styled(" · ", t.meta));
                }
                spans.push(name(spec));
                if !spec.args.is_empty() {
                    spans.push(args(spec));
                }
            }
        }
        Hint::Usage { spec, args: typed } => {
            spans.push(name(spec));
            if !spec.args.is_empty() {
                spans.push(args(spec));
            }
            let about = if spec.name == "/model" && !typed.is_empty() {
                match resolve_model(app, &typed) {
                    Some(entry) => format!(" → {} (Enter switches)", entry.label()),
                    None => " → no model matches".to_string(),
                }
            } else {
                format!(" — {}", spec.about)
            };
            spans.push(Span::styled(about, t.meta));
        }
        Hint::Unknown(word) => spans.push(Span::styled(
            format!("unknown command {word} · /model /system /clear /save /image /help"),
            t.warning,
        )),
    }
    Some(Line::from(spans))
}

/// Draws the hint on the line just above the input box, over the conversation's last line.
pub fn render(app: &App, input: Rect, buf: &mut Buffer) {
    let Some(line) = hint_line(app) else { return };
    if input.y == 0 {
        return;
    }
    let area = Rect {
        y: input.y - 1,
        height: 1,
        ..input
    };
    buf.set_style(area, app.theme.popup);
    for x in area.left()..area.right() {
        buf[(x, area.y)].set_symbol(" ");
    }
    line.render(area, buf);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::app::test_harness::Harness;

    /// The whole screen at 80x12 as text, one string per row.
    fn screen(h: &Harness) -> Vec<String> {
        let mut term = Terminal::new(TestBackend::new(80, 12)).unwrap();
        term.draw(|f| crate::ui::render(&h.app, f)).unwrap();
        let buf = term.backend().buffer().clone();
        (0..12)
            .map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect()
    }

    fn typed(text: &str) -> Harness {
        let mut h = Harness::new();
        h.act(crate::app::Action::Resize {
            width: 80,
            height: 12,
        });
        h.type_text(text);
        h
    }

    /// The row just above the input box's top border.
    fn hint_row(h: &Harness) -> String {
        let input = h.app.panes().unwrap().input;
        screen(h)[usize::from(input.y) - 1].trim_end().to_string()
    }

    #[test]
    fn a_slash_lists_the_commands_with_their_arguments() {
        let h = typed("/");
        assert_eq!(
            hint_row(&h),
            " /model NAME · /system [TEXT] · /clear · /save · /image PROMPT [--size WxH] [--n N] [--model ID] · /help"
                .chars()
                .take(80)
                .collect::<String>()
                .trim_end()
        );
    }

    #[test]
    fn one_match_shows_what_it_does_and_model_shows_its_target() {
        let h = typed("/sy");
        assert_eq!(
            hint_row(&h),
            " /system [TEXT] — system prompt of this conversation (no text removes it) · Tab"
        );
        let h = typed("/model dem");
        assert_eq!(hint_row(&h), " /model NAME → demo:demo (Enter switches)");
        let h = typed("/model zzz");
        assert_eq!(hint_row(&h), " /model NAME → no model matches");
        let h = typed("/oops");
        assert!(hint_row(&h).starts_with(" unknown command /oops · /model"));
    }

    #[test]
    fn ordinary_text_has_no_hint_line() {
        let h = typed("hello /model");
        // The row shows what it shows with nothing typed (the end of the welcome), not a hint.
        assert_eq!(hint_row(&h), hint_row(&typed("")));
    }
}
