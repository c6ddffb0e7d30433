//! The help overlay, generated from the key map the app uses.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::text::wrap_text;
use crate::ui::popup;
use crate::view::help::{binding_lines, indent};

const FOOTER: &str = "Up/Down on the first/last row: previous/next prompt · any key closes";
/// Shown instead of the footer when the bindings do not fit and the list scrolls.
const SCROLL_FOOTER: &str = "↑/↓ PgUp/PgDn scroll · any other key closes";

/// Draws the key bindings in a centred box over `area`; keys and descriptions wrap in their
/// columns so a narrow terminal still shows every binding, and the list scrolls when it does not
/// fit.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let (mut lines, inner_w) = binding_lines(&app.help_sections(), t, area);
    let room = usize::from(area.height.saturating_sub(2));
    let footer = wrap_text(FOOTER, inner_w.saturating_sub(1), t.meta);
    let mut body: Vec<Line> = if lines.len() + footer.len() < room {
        lines.push(Line::default());
        lines.extend(footer.into_iter().map(indent));
        lines
    } else if lines.len() + footer.len() == room {
        lines.extend(footer.into_iter().map(indent));
        lines
    } else {
        // Too many bindings for the screen: a window of them, and a line saying how to scroll.
        let window = room.saturating_sub(1).max(1);
        let top = app.help_scroll.min(lines.len().saturating_sub(window));
        let more = format!(
            "{SCROLL_FOOTER} · {}-{} of {}",
            top + 1,
            (top + window).min(lines.len()),
            lines.len()
        );
        let mut shown: Vec<Line> = lines.into_iter().skip(top).take(window).collect();
        shown.push(indent(Line::from(Span::styled(more, t.meta))));
        shown
    };
    body.truncate(room);
    let w = u16::try_from(inner_w + 2).unwrap_or(u16::MAX);
    let h = u16::try_from(body.len() + 2).unwrap_or(u16::MAX);
    let inner = popup::open(frame, area, w, h, "Keys", t);
    frame.render_widget(Paragraph::new(body), inner);
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::app::{App, Overlay};
    use crate::config::{ModelSpec, Provider};
    use crate::keymap::{Combo, Command, KeyMap, Layer};
    use crate::providers::Target;
    use crate::view::theme::Theme;

    fn screen(keymap: KeyMap, width: u16, height: u16) -> String {
        screen_at(keymap, width, height, 0)
    }

    /// Every page of the help, scrolled through as a user would, joined.
    fn all_pages(keymap: KeyMap, width: u16, height: u16) -> String {
        (0..60)
            .map(|page| screen_at(keymap.clone(), width, height, page * 5))
            .collect()
    }

    fn screen_at(keymap: KeyMap, width: u16, height: u16, scroll: usize) -> String {
        let target = Target {
            provider: Provider::builtin_demo(),
            model: ModelSpec::new("demo"),
        };
        let area = ratatui::layout::Rect::new(0, 0, width, height);
        let mut app = App::new(target, Theme::default(), area, Instant::now());
        app.keymap = keymap;
        app.overlay = Some(Overlay::Help);
        app.help_scroll = scroll;
        let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
        term.draw(|f| crate::ui::render(&app, f)).unwrap();
        let buf = term.backend().buffer();
        (0..height)
            .map(|y| {
                let row: String = (0..width).map(|x| buf[(x, y)].symbol()).collect();
                row + "\n"
            })
            .collect()
    }

    fn assert_lists_every_binding(keymap: &KeyMap, screen: &str) {
        for b in &keymap.bindings {
            let label = b.combo.label();
            assert!(screen.contains(&label), "{label} missing:\n{screen}");
        }
        for layer in Layer::ALL {
            assert!(
                screen.contains(layer.heading()),
                "{layer:?} missing:\n{screen}"
            );
            for row in keymap.layers.rows(layer) {
                let about: String = row.about.chars().take(12).collect();
                assert!(screen.contains(&about), "{about} missing:\n{screen}");
                for key in &row.keys {
                    // The note after a key may wrap to the next line.
                    let label = key.split(" (").next().unwrap_or(key);
                    assert!(screen.contains(label), "{label} missing:\n{screen}");
                }
            }
        }
        for (_, command) in keymap.help_rows() {
            let first_words: String = command.describe().chars().take(12).collect();
            assert!(
                screen.contains(&first_words),
                "{command:?} missing:\n{screen}"
            );
        }
    }

    #[test]
    fn the_help_overlay_lists_every_binding_of_the_map() {
        let map = KeyMap::default();
        for (w, h) in [(80, 24), (120, 40), (60, 12)] {
            assert_lists_every_binding(&map, &all_pages(map.clone(), w, h));
        }
        assert!(
            !screen(map.clone(), 120, 130).contains("PgUp/PgDn scroll"),
            "120x130 fits without scrolling"
        );
        assert!(
            screen(map, 80, 24).contains("PgUp/PgDn scroll"),
            "80x24 says how to scroll"
        );
    }

    #[test]
    fn the_help_lists_the_editing_keys_and_every_slash_command() {
        let s = all_pages(KeyMap::default(), 120, 40);
        for (keys, _) in crate::app::line_edit::EDITING_KEYS {
            assert!(s.contains(keys), "{keys} missing:\n{s}");
        }
        for c in crate::app::slash::COMMANDS {
            assert!(s.contains(c.name), "{} missing:\n{s}", c.name);
            let about: String = c.about.chars().take(12).collect();
            assert!(s.contains(&about), "{about} missing:\n{s}");
        }
        assert!(s.contains("Ctrl+X Ctrl+E, Alt+E"), "{s}");
    }

    #[test]
    fn the_help_overlay_follows_custom_bindings() {
        let parse = |k: &str| Combo::parse(k).unwrap();
        let map = KeyMap::default()
            .with_overrides(&[
                (Command::Quit, vec![parse("ctrl+x"), parse("f10")]),
                (Command::ModelPicker, vec![parse("m")]),
            ])
            .unwrap();
        let s = all_pages(map.clone(), 80, 24);
        assert_lists_every_binding(&map, &s);
        assert!(s.contains("Ctrl+X, F10"), "{s}");
        assert!(!s.contains("Ctrl+Q"), "{s}");
    }
}
