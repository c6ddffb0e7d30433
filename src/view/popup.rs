//! Where the popups go and how they are split: the same rectangles for drawing (`ui`) and for
//! paging (`update`), so PgUp/PgDn move exactly the rows that show.

use ratatui::layout::{Constraint, Layout, Margin, Rect};

/// A `w`x`h` box centred in `area`, clamped to it. By hand rather than `Rect::centered`: that
/// puts an odd spare cell on the left and top, and every drawn popup has it on the right and
/// bottom.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let (w, h) = (w.min(area.width), h.min(area.height));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The area inside a popup's border.
pub fn inner(popup: Rect) -> Rect {
    popup.inner(Margin::new(1, 1))
}

/// The model picker's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PickerParts {
    /// The box, border included.
    pub popup: Rect,
    /// The line where the query is typed.
    pub query: Rect,
    /// The models and their group headings.
    pub list: Rect,
    /// One line of counts and keys.
    pub footer: Rect,
}

/// The model picker's box over `area`, border included.
pub fn picker_box(area: Rect) -> Rect {
    let w = area.width.saturating_sub(4).clamp(20.min(area.width), 96);
    let h = area.height.saturating_sub(2).clamp(6.min(area.height), 26);
    centered(area, w, h)
}

/// Splits the model picker over `area`; `None` when there is no room for its list.
pub fn picker(area: Rect) -> Option<PickerParts> {
    let popup = picker_box(area);
    let inner = inner(popup);
    if inner.height < 3 {
        return None;
    }
    let [query, list, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    Some(PickerParts {
        popup,
        query,
        list,
        footer,
    })
}

/// Models the picker moves on PgUp/PgDn at a screen of `area`: the rows of its list.
pub fn picker_page(area: Rect) -> usize {
    picker(area).map_or(1, |p| usize::from(p.list.height).max(1))
}

/// The session browser's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrowserParts {
    /// The box, border included.
    pub popup: Rect,
    /// The search line.
    pub search: Rect,
    /// The sessions, below a blank line.
    pub list: Rect,
    /// Hints, the delete question or the new title.
    pub bottom: Rect,
}

/// Splits the session browser over `area`; `None` when the screen is too small for it.
pub fn browser(area: Rect) -> Option<BrowserParts> {
    let w = area.width.saturating_sub(4).min(110);
    let h = area.height.saturating_sub(2);
    if w < 20 || h < 6 {
        return None;
    }
    let popup = centered(area, w, h);
    let [search, _, list, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner(popup));
    Some(BrowserParts {
        popup,
        search,
        list,
        bottom,
    })
}

/// Sessions the browser moves on PgUp/PgDn at a screen of `area` when each takes `hit_rows`
/// rows (two with a matched line under the title): as many as its list shows.
pub fn browser_page(area: Rect, hit_rows: usize) -> usize {
    browser(area).map_or(1, |p| (usize::from(p.list.height) / hit_rows.max(1)).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picker_pages_by_the_rows_of_its_list() {
        let p = picker(Rect::new(0, 0, 120, 40)).unwrap();
        assert_eq!((p.popup.height, p.list.height), (26, 22));
        assert_eq!(picker_page(Rect::new(0, 0, 120, 40)), 22);
        assert_eq!(picker_page(Rect::new(0, 0, 80, 24)), 18);
    }

    #[test]
    fn the_browser_pages_by_the_sessions_it_shows() {
        let area = Rect::new(0, 0, 80, 24);
        let b = browser(area).unwrap();
        assert_eq!(b.list.height, 22 - 2 - 3);
        assert_eq!(browser_page(area, 1), 17);
        assert_eq!(browser_page(area, 2), 8);
        assert!(browser(Rect::new(0, 0, 80, 7)).is_none());
    }
}
