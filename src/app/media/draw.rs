//! The selected image encoded for the terminal at the size it is drawn: pure CPU work done in
//! `update`, so `render` only copies cells.

use image::DynamicImage;
use ratatui::layout::{Rect, Size};
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;
use ratatui_image::protocol::halfblocks::Halfblocks;
use ratatui_image::{FilterType, Resize};

use super::{Drawn, Load};
use crate::app::{App, Overlay};

/// Where the selected image is drawn now, if anywhere.
pub fn image_area(app: &App) -> Option<Rect> {
    if app.overlay == Some(Overlay::Image) {
        return Some(crate::view::media::fullscreen_image_area(app.area));
    }
    if !app.media.open {
        return None;
    }
    let panel = app.panes()?.media?;
    Some(crate::view::media::preview_area(
        panel,
        app.media.items.len(),
    ))
}

/// Encodes `image` to fill `area` as far as its aspect ratio allows.
pub fn encode(picker: &Picker, image: &DynamicImage, area: Rect) -> Result<Protocol, String> {
    if picker.protocol_type() == ProtocolType::Halfblocks {
        // Half blocks need one pixel per column and two per row: scaling to the picker's nominal
        // 10x20 cell first would build a picture a hundred times larger for nothing.
        let (w, h) = (
            f64::from(image.width().max(1)),
            f64::from(image.height().max(1)),
        );
        let scale = (f64::from(area.width) / w).min(f64::from(area.height) * 2.0 / h);
        let cols = ((w * scale).round() as u16).clamp(1, area.width);
        let rows = ((h * scale / 2.0).round() as u16).clamp(1, area.height);
        return Halfblocks::new(image.clone(), Size::new(cols, rows))
            .map(Protocol::Halfblocks)
            .map_err(|e| e.to_string());
    }
    let resize = Resize::Scale(Some(FilterType::Triangle));
    picker
        .new_protocol(image.clone(), area.as_size(), resize)
        .map_err(|e| e.to_string())
}

/// Encodes the selected image for the area it is drawn in, when either changed.
pub(super) fn refresh_drawn(app: &mut App) {
    let target = image_area(app).filter(|a| a.width > 0 && a.height > 0);
    let m = &app.media;
    let ready = m
        .selected_item()
        .and_then(|item| match m.loads.get(&item.link.url) {
            Some(Load::Ready(img)) => Some((item.link.url.clone(), img.clone())),
            _ => None,
        });
    let (Some(area), Some((url, img)), Some(picker)) = (target, ready, m.picker.as_ref()) else {
        app.media.drawn = None;
        return;
    };
    let current = m
        .drawn
        .as_ref()
        .is_some_and(|d| d.url == url && d.area == area);
    if current {
        return;
    }
    match encode(picker, &img.image, area) {
        Ok(protocol) => {
            app.media.drawn = Some(Drawn {
                url,
                area,
                protocol,
            })
        }
        Err(e) => {
            app.media.drawn = None;
            app.media
                .loads
                .insert(url, Load::Failed(format!("cannot encode the image: {e}")));
        }
    }
}
