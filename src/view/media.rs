//! Where the media panel's parts and the full-screen image go; `update` encodes images for
//! these areas and maps clicks with them, `ui::media` draws into them.

use ratatui::layout::Rect;
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
    let line = |y: u16, h: u16| Rect {
        y,
        height: h,
        ..inner
    };
    let list = line(inner.y, list_h);
    let rest = inner.height - list_h;
    let caption = line(list.bottom(), rest.min(1));
    let info_h = u16::from(rest >= 3);
    let preview_h = rest.saturating_sub(1 + info_h);
    let preview = line(caption.bottom(), preview_h);
    let info = line(preview.bottom(), info_h);
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
