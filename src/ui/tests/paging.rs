//! PgUp/PgDn in the popups move exactly as many rows as the screen shows, at every size:
//! measured on the drawn screen, not on the geometry `update` uses.

use chrono::{Local, TimeZone};
use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

use crate::app::Overlay;
use crate::app::browser::BrowserFocus;
use crate::app::test_harness::Harness;
use crate::config::{ModelSpec, Provider};
use crate::store::{SearchHit, SessionSummary};

const SIZES: [(u16, u16); 4] = [(80, 24), (120, 40), (200, 60), (60, 15)];

fn draw(h: &Harness) -> Buffer {
    let area = h.app.area;
    let mut term = Terminal::new(TestBackend::new(area.width, area.height)).unwrap();
    term.draw(|f| super::super::render(&h.app, f)).unwrap();
    term.backend().buffer().clone()
}

fn row_text(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
}

/// The numbers `prefix` followed by three digits on each screen row, and which of them is on a
/// reversed (selected) row.
fn numbered_rows(buf: &Buffer, prefix: &str) -> (Vec<usize>, Option<usize>) {
    let mut shown = Vec::new();
    let mut selected = None;
    for y in 0..buf.area.height {
        let text = row_text(buf, y);
        let number = |at: usize| {
            let digits = text.get(at + prefix.len()..at + prefix.len() + 3)?;
            digits.parse::<usize>().ok().map(|n| (at, n))
        };
        let Some((at, n)) = text.match_indices(prefix).find_map(|(at, _)| number(at)) else {
            continue;
        };
        shown.push(n);
        let x = text[..at].chars().count() as u16;
        if buf[(x, y)].modifier.contains(Modifier::REVERSED) {
            selected = Some(n);
        }
    }
    (shown, selected)
}

/// Presses PgDn then PgUp with the selection mid-list; each moves the selection by the rows
/// shown before the key.
fn assert_pages_by_what_shows(h: &mut Harness, prefix: &str, size: (u16, u16)) {
    for (key, down) in [(KeyCode::PageDown, true), (KeyCode::PageUp, false)] {
        let buf = draw(h);
        let (shown, before) = numbered_rows(&buf, prefix);
        let before = before.unwrap_or_else(|| panic!("no selected row at {size:?}"));
        h.key(key, KeyModifiers::NONE);
        let buf = draw(h);
        let (_, after) = numbered_rows(&buf, prefix);
        let after = after.unwrap_or_else(|| panic!("no selected row after {key:?} at {size:?}"));
        let moved = if down { after - before } else { before - after };
        assert_eq!(
            moved,
            shown.len(),
            "{key:?} at {size:?}: {before} -> {after} with {} rows shown",
            shown.len()
        );
    }
}

#[test]
fn pgdn_in_the_picker_moves_the_rows_it_shows() {
    for (w, hgt) in SIZES {
        let mut h = Harness::sized(w, hgt);
        let mut p = Provider::new("mock", Some("http://127.0.0.1:9/v1".into()));
        p.models = (0..300)
            .map(|i| ModelSpec::new(format!("m{i:03}")))
            .collect();
        h.app.providers = vec![p, Provider::builtin_demo()];
        h.key(KeyCode::Char('p'), KeyModifiers::CONTROL);
        let Some(Overlay::Picker(picker)) = h.app.overlay.as_mut() else {
            panic!("the picker is open");
        };
        picker.selected = 150;
        assert_pages_by_what_shows(&mut h, "  m", (w, hgt));
    }
}

fn hits(n: usize, snippets: bool) -> Vec<SearchHit> {
    let when = Local.with_ymd_and_hms(2026, 3, 12, 9, 30, 0).unwrap();
    (0..n)
        .map(|i| SearchHit {
            session: SessionSummary {
                id: i as i64 + 1,
                title: format!("s{i:03}"),
                model: "mock:gpt-4o".into(),
                created: when,
                updated: when,
                message_count: 2,
                spend: Vec::new(),
                attachments: 0,
            },
            snippet: snippets.then(|| format!("the line that matched in {i}")),
            message: None,
        })
        .collect()
}

#[test]
fn pgdn_in_the_session_browser_moves_the_sessions_it_shows() {
    for snippets in [false, true] {
        for (w, hgt) in SIZES {
            let mut h = Harness::sized(w, hgt);
            h.app.overlay = Some(Overlay::Sessions);
            let b = &mut h.app.sessions.browser;
            b.hits = hits(300, snippets);
            b.focus = BrowserFocus::List;
            b.selected = 150;
            assert_pages_by_what_shows(&mut h, "s", (w, hgt));
        }
    }
}
