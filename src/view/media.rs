//! Where the media panel's parts and the full-screen image go; `update` encodes images for
//! these areas and maps clicks with them, `ui::media` draws into them.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

/// The rectangles inside the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelParts {
    pub inner: Rect,
    pub list: Rect,
    /// One line naming the selected item.
    pub caption: Rect,
    pub preview: Rect,
    /// One line of facts and keys under the preview.
    pub info: Rect,
}

/// Splits the panel at `panel` holding `items` rows; `update` and `render` both use it.
pub fn panel_parts(panel: Rect, items: usize) -> PanelParts {
    let inner = Block::bordered().inner(panel);
    let rows = items.max(1) as u16;
    let list_h = rows.min((inner.height / 3).max(3)).min(inner.height);
    let rest = inner.height - list_h;
    let info_h = u16::from(rest >= 3);
    let preview_h = rest.saturating_sub(1 + info_h);
    let [list, caption, preview, info] = Layout::vertical([
        Constraint::Length(list_h),
        Constraint::Length(rest.min(1)),
        Constraint::Length(preview_h),
        Constraint::Length(info_h),
    ])
    .areas(inner);
    PanelParts {
        inner,
        list,
        caption,
        preview,
        info,
    }
}

/// Items scrolled off the top of a list `rows` tall so that item `selected` shows; the mouse
/// maps clicks with it.
pub fn list_skip(selected: usize, rows: usize) -> usize {
    (selected + 1).saturating_sub(rows)
}

/// Where the image goes inside the panel.
pub fn preview_area(panel: Rect, items: usize) -> Rect {
    panel_parts(panel, items).preview
}

/// Where a full-screen image goes: everything but the caption line.
pub fn fullscreen_image_area(area: Rect) -> Rect {
    Rect {
        height: area.height.saturating_sub(1),
        ..area
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panel_parts_stack_without_gaps_at_every_height() {
        for height in 2..30 {
            for items in [0, 1, 5, 40] {
                let panel = Rect::new(3, 1, 40, height);
                let p = panel_parts(panel, items);
                let parts = [p.list, p.caption, p.preview, p.info];
                let mut y = p.inner.y;
                for part in parts {
                    assert_eq!((part.x, part.width), (p.inner.x, p.inner.width));
                    assert_eq!(part.y, y, "{height} rows, {items} items: {parts:?}");
                    y += part.height;
                }
                assert_eq!(y, p.inner.bottom(), "{height} rows, {items} items");
                assert!(p.caption.height <= 1 && p.info.height <= 1);
            }
        }
    }
}
