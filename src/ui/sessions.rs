//! The session browser popup (Ctrl+O): a search line, sessions newest first with the line that
//! matched, and a bottom line for hints, the delete question or the new title.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::app::browser::{BrowserFocus, BrowserMode, SessionBrowser};
use crate::store::SearchHit;
use crate::store::task::SessionRef;
use crate::text::{display_width, truncate_to_width};
use crate::ui::popup;
use crate::view::theme::Theme;

/// Draws the browser centred over `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let b = &app.sessions.browser;
    let Some(parts) = crate::view::popup::browser(area) else {
        return;
    };
    let title = format!("Sessions ({})", b.hits.len());
    let (w, h) = (parts.popup.width, parts.popup.height);
    let inner = popup::open(frame, area, w, h, &title, t);
    let width = usize::from(inner.width);

    let label = "Search: ";
    let query = truncate_to_width(b.query.text(), width.saturating_sub(label.len() + 1));
    let search_style = if b.focus == BrowserFocus::Search {
        t.popup_title
    } else {
        t.meta
    };
    let search = Line::from(vec![
        Span::styled(label, search_style),
        Span::styled(query.clone(), t.popup),
    ]);
    frame.render_widget(Paragraph::new(search), parts.search);

    let list_area = parts.list;
    let current = app.sessions.current;
    let lines = list_lines(b, current, width, list_area.height, t);
    frame.render_widget(Paragraph::new(lines), list_area);

    let bottom = parts.bottom;
    let (line, cursor_x) = bottom_line(b, width, t);
    frame.render_widget(Paragraph::new(line), bottom);

    // The terminal cursor sits where typed text lands, so an input method's preedit shows there.
    let cursor = match (&b.mode, b.focus) {
        (BrowserMode::Rename(_), _) => cursor_x.map(|x| Position::new(bottom.x + x, bottom.y)),
        (BrowserMode::Browse, BrowserFocus::Search) => {
            let before = display_width(b.query.before_cursor()).min(display_width(&query));
            let x = (label.len() + before) as u16;
            Some(Position::new(parts.search.x + x, parts.search.y))
        }
        _ => None,
    };
    if let Some(p) = cursor.filter(|p| p.x < inner.right()) {
        frame.set_cursor_position(p);
    }
}

/// Lines of the visible part of the list, the selected session kept in view.
fn list_lines(
    b: &SessionBrowser,
    current: SessionRef,
    width: usize,
    height: u16,
    t: &Theme,
) -> Vec<Line<'static>> {
    if b.hits.is_empty() {
        let text = match (&b.error, b.pending, b.query.is_empty()) {
            (Some(e), _, _) => return vec![Line::styled(format!(" {e}"), t.error)],
            (None, true, _) => " searching…".to_string(),
            (None, false, true) => " No saved sessions yet.".to_string(),
            (None, false, false) => format!(" Nothing matches “{}”.", b.query.text()),
        };
        return vec![Line::styled(text, t.meta)];
    }
    let heights: Vec<usize> = b
        .hits
        .iter()
        .map(|h| 1 + usize::from(h.snippet.is_some()))
        .collect();
    let height = usize::from(height);
    let mut top = 0;
    while top < b.selected && heights[top..=b.selected].iter().sum::<usize>() > height {
        top += 1;
    }
    let mut lines = Vec::new();
    for (i, hit) in b.hits.iter().enumerate().skip(top) {
        if lines.len() + heights[i] > height {
            break;
        }
        let selected = i == b.selected;
        let is_current = current == SessionRef::Id(hit.session.id);
        lines.extend(hit_lines(hit, selected, is_current, width, t));
    }
    lines
}

fn hit_lines(
    hit: &SearchHit,
    selected: bool,
    current: bool,
    width: usize,
    t: &Theme,
) -> Vec<Line<'static>> {
    let s = &hit.session;
    // The same highlight as the model picker's selected row.
    let highlight = t.popup.add_modifier(Modifier::REVERSED);
    let pick = |style: Style| if selected { highlight } else { style };
    let marker = if current { "● " } else { "  " };
    let mut right = format!(
        "  {}  {}  {:>3} msgs ",
        s.model,
        s.updated.format("%Y-%m-%d %H:%M"),
        s.message_count
    );
    if !s.spend.is_empty() {
        right = format!("  {}{right}", crate::cost::book::totals_text(&s.spend));
    }
    // Before the model, so " msgs" ends in the same column on every row. ASCII: an emoji's
    // width differs by terminal.
    match s.attachments {
        0 => {}
        1 => right = format!("  1 file{right}"),
        n => right = format!("  {n} files{right}"),
    }
    if display_width(&right) + 12 > width {
        right = format!("  {} ", s.updated.format("%m-%d %H:%M"));
    }
    // Width, not bytes: `●` is three bytes but one column.
    let title_w = width.saturating_sub(display_width(&right) + display_width(marker));
    let title = truncate_to_width(&s.title, title_w);
    let pad = title_w.saturating_sub(display_width(&title));
    let mut lines = vec![Line::from(vec![
        Span::styled(marker, pick(t.popup_title)),
        Span::styled(format!("{title}{}", " ".repeat(pad)), pick(t.popup_title)),
        Span::styled(right, pick(t.meta)),
    ])];
    if let Some(snippet) = &hit.snippet {
        let text = truncate_to_width(snippet, width.saturating_sub(5));
        let pad = width.saturating_sub(4 + display_width(&text));
        lines.push(Line::from(Span::styled(
            format!("    {text}{}", " ".repeat(pad)),
            pick(t.reasoning),
        )));
    }
    lines
}

/// The bottom line and, while renaming, the column of the cursor in it.
fn bottom_line(b: &SessionBrowser, width: usize, t: &Theme) -> (Line<'static>, Option<u16>) {
    match &b.mode {
        BrowserMode::ConfirmDelete => {
            let title = b
                .selected_hit()
                .map(|h| h.session.title.clone())
                .unwrap_or_default();
            let title = truncate_to_width(&title, width.saturating_sub(28));
            let text = format!(" Delete “{title}” for good? y/n");
            (Line::styled(text, t.warning), None)
        }
        BrowserMode::Rename(text) => {
            let label = " New title: ";
            let shown = truncate_to_width(text.text(), width.saturating_sub(label.len() + 1));
            let before = display_width(text.before_cursor()).min(display_width(&shown));
            let x = (label.len() + before) as u16;
            let line = Line::from(vec![
                Span::styled(label, t.popup_title),
                Span::styled(shown, t.popup),
            ]);
            (line, Some(x))
        }
        BrowserMode::Browse => {
            let hint = match b.focus {
                BrowserFocus::Search => {
                    " ↑↓ select · Enter open · Tab list (d delete, r rename) · Esc close"
                }
                BrowserFocus::List => {
                    " j/k select · Enter open · d delete · r rename · / search · Esc close"
                }
            };
            (Line::styled(truncate_to_width(hint, width), t.meta), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Local, NaiveDate, TimeZone};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;

    use crate::app::browser::BrowserMode;
    use crate::app::{App, Overlay};
    use crate::config::{ModelSpec, Provider};
    use crate::providers::Target;
    use crate::store::task::SessionRef;
    use crate::store::{SearchHit, SessionSummary};
    use crate::view::theme::Theme;

    fn hit(id: i64, title: &str, model: &str, day: u32, snippet: Option<&str>) -> SearchHit {
        let naive = NaiveDate::from_ymd_opt(2026, 3, day)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap();
        let when = Local.from_local_datetime(&naive).unwrap();
        SearchHit {
            session: SessionSummary {
                id,
                title: title.into(),
                model: model.into(),
                created: when,
                updated: when,
                message_count: id as u64 * 2,
                spend: Vec::new(),
                attachments: 0,
            },
            snippet: snippet.map(str::to_string),
            message: None,
        }
    }

    fn app() -> App {
        let target = Target {
            provider: Provider::builtin_demo(),
            model: ModelSpec::new("demo"),
        };
        let now = std::time::Instant::now();
        let mut app = App::new(target, Theme::default(), Rect::new(0, 0, 80, 24), now);
        app.overlay = Some(Overlay::Sessions);
        let b = &mut app.sessions.browser;
        b.query = crate::app::line_edit::LineEdit::new("长颈鹿");
        b.hits = vec![
            hit(
                3,
                "记住暗号：蓝色的长颈鹿",
                "mock:gpt-4o",
                12,
                Some("记住暗号：蓝色的长颈鹿，明天问你"),
            ),
            hit(
                2,
                "A very long English title that will certainly not fit on one line of the list",
                "ecovai:deepseek-reasoner",
                11,
                Some(
                    "…the giraffe (长颈鹿) is the tallest living terrestrial animal and the largest ruminant",
                ),
            ),
            hit(1, "长颈鹿", "demo:demo", 10, None),
        ];
        // The giraffe chat sent a photo and a PDF.
        b.hits[0].session.attachments = 2;
        b.selected = 1;
        app.sessions.current = SessionRef::Id(3);
        app
    }

    fn draw(app: &App) -> String {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| crate::ui::render(app, f)).unwrap();
        format!("{:?}", terminal.backend())
    }

    #[test]
    fn browser_80x24() {
        insta::assert_snapshot!(draw(&app()));
    }

    #[test]
    fn the_current_session_marker_does_not_shift_its_row() {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| crate::ui::render(&app(), f)).unwrap();
        let buf = terminal.backend().buffer();
        // The column where " msgs" ends, row by row, from the cells (a wide character takes two).
        let ends: Vec<u16> = (0..24)
            .filter_map(|y| {
                (4..80).find(|&x| {
                    ["m", "s", "g", "s"]
                        .iter()
                        .enumerate()
                        .all(|(i, c)| buf[(x - 4 + i as u16, y)].symbol() == *c)
                })
            })
            .collect();
        assert_eq!(ends.len(), 3, "{:?}", terminal.backend());
        assert!(ends.iter().all(|&e| e == ends[0]), "{ends:?}");
    }

    #[test]
    fn browser_asks_before_deleting() {
        let mut app = app();
        app.sessions.browser.mode = BrowserMode::ConfirmDelete;
        let screen = draw(&app);
        assert!(screen.contains("Delete “A very long English"), "{screen}");
        assert!(screen.contains("y/n"));
    }

    #[test]
    fn an_empty_search_says_nothing_matches() {
        let mut app = app();
        app.sessions.browser.hits.clear();
        assert!(draw(&app).contains("Nothing matches “长颈鹿”."));
        app.sessions.browser.query = Default::default();
        assert!(draw(&app).contains("No saved sessions yet."));
    }
}
