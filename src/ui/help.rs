//! The help overlay, generated from the key map the app uses.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::app::keymap::Layer;
use crate::app::line_edit::EDITING_KEYS;
use crate::app::slash::COMMANDS;
use crate::text::{display_width, wrap_text};
use crate::ui::popup;

const FOOTER: &str = "Up/Down on the first/last row: previous/next prompt · any key closes";
/// Shown instead of the footer when the bindings do not fit and the list scrolls.
const SCROLL_FOOTER: &str = "↑/↓ PgUp/PgDn scroll · any other key closes";

/// One row of the help: keys (or a command), what it does.
type Row = (String, &'static str);

/// The rows of the help in sections: the global keys in use, each pane's and overlay's, the
/// editing keys every text field shares, and the slash commands (`None` marks no heading).
fn sections(app: &App) -> Vec<(Option<&'static str>, Vec<Row>)> {
    let bindings = app
        .keymap
        .help_rows()
        .into_iter()
        .map(|(keys, c)| (keys, c.describe()))
        .collect();
    let layers = Layer::ALL.into_iter().map(|layer| {
        let rows = app.keymap.layers.rows(layer);
        let rows = rows.into_iter().map(|r| (r.keys.join(", "), r.about));
        (Some(layer.heading()), rows.collect())
    });
    let editing = EDITING_KEYS
        .iter()
        .map(|(k, what)| (k.to_string(), *what))
        .collect();
    let slash = COMMANDS
        .iter()
        .map(|c| {
            let name = if c.args.is_empty() {
                c.name.to_string()
            } else {
                format!("{} {}", c.name, c.args)
            };
            (name, c.about)
        })
        .collect();
    let mut sections = vec![(None, bindings)];
    sections.extend(layers);
    sections.extend([
        (Some("Editing, in the prompt and every text field"), editing),
        (Some("Slash commands, typed in the prompt"), slash),
    ]);
    sections
}

/// The help as lines wrapped in their two columns, and the inner width of the box.
fn binding_lines(app: &App, area: Rect) -> (Vec<Line<'static>>, usize) {
    let t = &app.theme;
    let sections = sections(app);
    let rows = || sections.iter().flat_map(|(_, rows)| rows.iter());
    let inner_max = usize::from(area.width.saturating_sub(2)).max(1);
    // The slash commands' long argument lists wrap rather than widen the key column.
    let key_w = sections[..sections.len() - 1]
        .iter()
        .flat_map(|(_, rows)| rows.iter())
        .map(|(k, _)| display_width(k))
        .max()
        .unwrap_or(0)
        .min(inner_max / 2)
        .max(1);
    let desc_natural = rows().map(|(_, d)| display_width(d)).max().unwrap_or(0);
    // One space of margin, the keys, two spaces, the description.
    let inner_w = (key_w + desc_natural + 3).min(inner_max);
    let desc_w = inner_w.saturating_sub(key_w + 3).max(1);
    let mut lines: Vec<Line> = Vec::new();
    for (heading, rows) in &sections {
        if let Some(heading) = heading {
            lines.push(Line::default());
            for l in wrap_text(heading, inner_w.saturating_sub(1), t.meta) {
                lines.push(indent(l));
            }
        }
        for (keys, what) in rows {
            let keys = wrap_text(keys, key_w, t.popup_title);
            let desc = wrap_text(what, desc_w, t.popup);
            for i in 0..keys.len().max(desc.len()) {
                let k = keys.get(i).map_or(0, Line::width);
                let mut spans = vec![Span::raw(" ")];
                spans.extend(keys.get(i).into_iter().flat_map(|l| l.spans.clone()));
                spans.push(Span::raw(" ".repeat(key_w - k.min(key_w) + 2)));
                spans.extend(desc.get(i).into_iter().flat_map(|l| l.spans.clone()));
                lines.push(Line::from(spans));
            }
        }
    }
    (lines, inner_w)
}

/// The largest useful `help_scroll` for the app's screen: past it the list would not move.
pub fn max_scroll(app: &App) -> usize {
    let (lines, _) = binding_lines(app, app.area);
    let window = usize::from(app.area.height.saturating_sub(2))
        .saturating_sub(1)
        .max(1);
    lines.len().saturating_sub(window)
}

/// Draws the key bindings in a centred box over `area`; keys and descriptions wrap in their
/// columns so a narrow terminal still shows every binding, and the list scrolls when it does not
/// fit.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let (mut lines, inner_w) = binding_lines(app, area);
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

fn indent(l: Line<'static>) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    spans.extend(l.spans);
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::app::keymap::{Combo, Command, KeyMap, Layer};
    use crate::app::{App, Overlay};
    use crate::config::{ModelSpec, Provider};
    use crate::providers::Target;
    use crate::ui::theme::Theme;

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
