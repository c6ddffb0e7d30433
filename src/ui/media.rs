//! The media panel (list of links, preview of the selected one) and the full-screen image.
//! Reads state only: images arrive here already encoded for their area.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};
use ratatui_image::Image;

use crate::app::media::{Load, MediaItem};
use crate::app::{App, Focus};
use crate::media::{MediaKind, display_host};
use crate::text::{display_width, truncate_to_width};
use crate::view::media::{fullscreen_image_area, list_skip, panel_parts};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Draws the panel into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let m = &app.media;
    let focused = app.focus == Focus::Media;
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(if focused { t.border_focused } else { t.border })
        .title(Span::styled(format!(" Media {} ", m.items.len()), t.meta))
        .title_bottom(Span::styled(" Ctrl+G hide · Tab focus ", t.meta));
    frame.render_widget(block, area);
    let parts = panel_parts(area, m.items.len());
    let buf = frame.buffer_mut();
    if m.items.is_empty() {
        let hint = "No media yet. Image, audio and video links of replies appear here; /image <prompt> makes one.";
        Paragraph::new(hint)
            .style(t.meta)
            .wrap(Wrap { trim: true })
            .render(parts.inner, buf);
        return;
    }
    render_list(app, parts.list, buf);
    let Some(item) = m.selected_item() else {
        return;
    };
    let caption = item
        .link
        .label
        .clone()
        .unwrap_or_else(|| item.link.url.clone());
    line(buf, parts.caption, &caption, t.meta);
    render_preview(app, item, parts.preview, buf);
    render_info(app, item, parts.info, buf);
}

fn line(buf: &mut Buffer, area: Rect, text: &str, style: Style) {
    if area.height == 0 {
        return;
    }
    let cut = truncate_to_width(text, usize::from(area.width));
    buf.set_stringn(area.x, area.y, cut, usize::from(area.width), style);
}

fn render_list(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let m = &app.media;
    let selected = m.selected_index().unwrap_or(0);
    let rows = usize::from(area.height);
    let skip = list_skip(selected, rows);
    for (row, (i, item)) in m
        .newest_first()
        .enumerate()
        .skip(skip)
        .take(rows)
        .enumerate()
    {
        let y = area.y + row as u16;
        let is_sel = i == selected;
        let marker = if is_sel { "▶" } else { " " };
        let text = format!(
            "{marker}{:>2} {:<5} {} · reply {}",
            item.number,
            item.link.kind.label(),
            display_host(&item.link.url),
            item.reply_no
        );
        let style = if is_sel { t.selected } else { t.body };
        let row_area = Rect {
            y,
            height: 1,
            ..area
        };
        if is_sel {
            buf.set_style(row_area, style);
        }
        line(buf, row_area, &text, style);
    }
}

fn render_preview(app: &App, item: &MediaItem, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let t = &app.theme;
    let m = &app.media;
    let url = &item.link.url;
    let (text, style) = match m.load(url) {
        Some(Load::Ready(_)) => {
            draw_image(app, url, area, buf);
            return;
        }
        Some(Load::Loading { since }) => {
            let secs = app.now.saturating_duration_since(*since);
            let frame = SPINNER[(secs.as_millis() / 100) as usize % SPINNER.len()];
            (
                format!(
                    "{frame} loading from {}… {:.0}s",
                    display_host(url),
                    secs.as_secs_f32()
                ),
                t.warning,
            )
        }
        Some(Load::Failed(e)) => (format!("✖ {e}"), t.error),
        Some(Load::NotImage { kind, content_type }) => (
            format!(
                "{} ({content_type}): o opens it ($BROWSER, else the system opener)",
                kind.label()
            ),
            t.meta,
        ),
        None => (idle_text(app, item), t.meta),
    };
    Paragraph::new(text)
        .style(style)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

fn idle_text(app: &App, item: &MediaItem) -> String {
    let url = &item.link.url;
    match item.link.kind {
        MediaKind::Audio | MediaKind::Video => format!(
            "{} file: o opens it with the system player, s saves it",
            item.link.kind.label()
        ),
        _ if !crate::app::media::fetchable(url) => {
            "not downloaded: only http and https links are fetched".into()
        }
        MediaKind::Other => "link: o opens it, y copies it (links are never downloaded)".into(),
        _ if app.media.picker.is_none() => "image drawing is off (image_protocol = none)".into(),
        _ => "not loaded by itself: Enter loads it".into(),
    }
}

/// Draws the encoded image centred in `area`, when it was encoded for exactly this area.
fn draw_image(app: &App, url: &str, area: Rect, buf: &mut Buffer) {
    let Some(drawn) = app
        .media
        .drawn
        .as_ref()
        .filter(|d| d.url == url && d.area == area)
    else {
        return;
    };
    let size = drawn.protocol.size();
    let w = size.width.min(area.width);
    let h = size.height.min(area.height);
    let at = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    Image::new(&drawn.protocol).render(at, buf);
}

fn render_info(app: &App, item: &MediaItem, area: Rect, buf: &mut Buffer) {
    let keys = "Enter full · o open · y copy · s save";
    let facts = match app.media.load(&item.link.url) {
        Some(Load::Ready(img)) => format!(
            "{}x{} {} {} KB",
            img.width,
            img.height,
            img.format,
            img.file_size.div_ceil(1024)
        ),
        _ => String::new(),
    };
    let width = usize::from(area.width);
    let text = if facts.is_empty() || display_width(&facts) + 3 + display_width(keys) > width {
        if facts.is_empty() {
            keys.to_string()
        } else {
            facts
        }
    } else {
        format!("{facts} · {keys}")
    };
    line(buf, area, &text, app.theme.meta);
}

/// The selected image over the whole screen, with a caption line; any key closes it.
pub fn render_fullscreen(app: &App, frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
    let t = &app.theme;
    let image_area = fullscreen_image_area(area);
    let Some(item) = app.media.selected_item() else {
        return;
    };
    let buf = frame.buffer_mut();
    draw_image(app, &item.link.url, image_area, buf);
    let caption = Rect {
        y: image_area.bottom(),
        height: area.height - image_area.height,
        ..area
    };
    let name = item.link.label.as_deref().unwrap_or(&item.link.url);
    line(
        buf,
        caption,
        &format!(" #{} {name} · any key closes", item.number),
        t.meta,
    );
}
