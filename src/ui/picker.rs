//! The model picker popup: query line, models grouped by provider, the current one marked.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::picker::ModelPicker;
use crate::text::{display_width, truncate_to_width};
use crate::ui::popup;
use crate::view;
use crate::view::theme::Theme;

/// Draws `picker` centred over `area`.
pub fn render(picker: &ModelPicker, theme: &Theme, frame: &mut Frame, area: Rect) {
    let b = view::popup::picker_box(area);
    popup::open(frame, area, b.width, b.height, "Model", theme);
    let Some(parts) = view::popup::picker(area) else {
        return;
    };
    let width = usize::from(parts.query.width);

    let query = Line::from(vec![
        Span::styled("› ", theme.popup_title),
        Span::raw(truncate_to_width(&picker.query, width.saturating_sub(2))),
    ]);
    frame.render_widget(Paragraph::new(query), parts.query);
    // The real cursor sits after the query so an input method composes in place.
    let before = display_width(picker.filter.before_cursor());
    let cx = parts.query.x + 2 + before.min(width.saturating_sub(3)) as u16;
    frame.set_cursor_position(Position::new(cx, parts.query.y));

    let list_area = parts.list;
    let (rows, selected_row) = rows(picker, theme, width);
    let height = usize::from(list_area.height);
    // Keep the selected row in view, a little context above it when possible.
    let top = selected_row.map_or(0, |r| {
        r.saturating_sub(height / 2)
            .min(rows.len().saturating_sub(height))
    });
    let visible: Vec<Line> = rows.into_iter().skip(top).take(height).collect();
    frame.render_widget(Paragraph::new(visible), list_area);

    let footer = match &picker.fetching {
        Some(p) => format!(" fetching /models from {p}…"),
        None if !picker.marked.is_empty() => format!(
            " {} marked · Enter compare · Space mark · Esc close",
            picker.marked.len()
        ),
        None => format!(
            " {} models · Enter switch · Esc close · Ctrl+F fetch /models",
            picker.visible.len()
        ),
    };
    frame.render_widget(
        Paragraph::new(Span::styled(truncate_to_width(&footer, width), theme.meta)),
        parts.footer,
    );
}

/// The list lines (group headings and models) and the line index of the selected model.
fn rows(picker: &ModelPicker, theme: &Theme, width: usize) -> (Vec<Line<'static>>, Option<usize>) {
    let mut out = Vec::new();
    let mut selected_row = None;
    let mut group: Option<String> = None;
    if picker.visible.is_empty() {
        out.push(Line::from(Span::styled("  no model matches", theme.meta)));
    }
    let name_w = (width / 2).clamp(8, 34);
    for (row, &i) in picker.visible.iter().enumerate() {
        let e = &picker.entries()[i];
        if group.as_deref() != Some(&e.group()) {
            group = Some(e.group());
            let mut heading = vec![Span::styled(e.group(), theme.popup_title)];
            if let Some((_, why)) = picker.no_key.iter().find(|(p, _)| *p == e.provider) {
                heading.push(Span::styled(format!(" · {why}"), theme.warning));
            }
            out.push(Line::from(heading));
        }
        let is_current = e.label() == picker.current;
        // Models marked to compare show their order, which is their columns' order.
        let (mark, mark_style) = match picker.mark_of(&e.label()) {
            Some(n) => (format!("{n}+"), theme.warning.add_modifier(Modifier::BOLD)),
            None if is_current => ("● ".to_string(), theme.assistant_label),
            None => ("  ".to_string(), theme.assistant_label),
        };
        let name = truncate_to_width(e.model.display_name(), name_w);
        let pad = " ".repeat(name_w.saturating_sub(display_width(&name)) + 1);
        let tag = format!(" {} ", e.model.kind.as_str());
        let id_w = width.saturating_sub(2 + name_w + 1 + display_width(&tag));
        let id = if e.model.name.is_some() {
            truncate_to_width(&e.model.id, id_w)
        } else {
            String::new()
        };
        let fill = " ".repeat(id_w.saturating_sub(display_width(&id)));
        let mut line = Line::from(vec![
            Span::styled(mark, mark_style),
            Span::styled(name, theme.popup),
            Span::raw(pad),
            Span::styled(id, theme.meta),
            Span::raw(fill),
            Span::styled(tag, theme.meta),
        ]);
        if row == picker.selected {
            line = line.patch_style(theme.popup.add_modifier(Modifier::REVERSED));
            selected_row = Some(out.len());
        }
        out.push(line);
    }
    (out, selected_row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::picker::entries_for;
    use crate::config::{ModelSpec, Provider};
    use ratatui::{Terminal, backend::TestBackend};

    fn picker() -> ModelPicker {
        let mut a = Provider::new("ecovai", Some("https://api.ecovai.cn/v1".into()));
        a.models = vec![
            ModelSpec {
                name: Some("DeepSeek V3".into()),
                ..ModelSpec::new("deepseek-chat")
            },
            ModelSpec {
                name: Some("DeepSeek R1 推理".into()),
                ..ModelSpec::new("deepseek-reasoner")
            },
            ModelSpec {
                name: Some("讯飞星火 v3".into()),
                ..ModelSpec::new("spark-v3")
            },
            ModelSpec {
                name: Some("GPT-4o 全能 (图片)".into()),
                ..ModelSpec::new("gpt-4o-all")
            },
            ModelSpec {
                name: Some("秘塔搜索 · 简洁".into()),
                ..ModelSpec::new("concise")
            },
            ModelSpec::new("suno-v3.5"),
        ];
        let mut b = Provider::new("local", Some("http://127.0.0.1:11434/v1".into()));
        b.models = vec![ModelSpec::new("qwen2.5:7b")];
        let mut p = ModelPicker::new(
            entries_for(&[a, b.clone()], &[]),
            "ecovai:deepseek-chat".into(),
        );
        p.merge_discovered(&b, &["llama3.1:8b".into()]);
        p
    }

    fn draw(p: &ModelPicker, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| render(p, &Theme::default(), f, f.area()))
            .unwrap();
        term
    }

    #[test]
    fn popup_with_chinese_names_at_80x24() {
        let term = draw(&picker(), 80, 24);
        insta::assert_snapshot!(term.backend());
    }

    #[test]
    fn filtered_popup_and_cursor_after_the_query() {
        let mut p = picker();
        p.set_query("星火".into());
        let mut term = draw(&p, 80, 24);
        insta::assert_snapshot!(term.backend());
        // "› " then two wide characters: the cursor lands 6 cells right of the inner edge.
        let inner_x = (80 - 76) / 2 + 1;
        assert_eq!(term.get_cursor_position().unwrap().x, inner_x + 6);
    }

    #[test]
    fn a_provider_without_its_key_says_so_in_its_heading() {
        let mut p = picker();
        p.no_key = vec![("ecovai".into(), "no API key: set ECOVAI_API_KEY".into())];
        let screen = draw(&p, 100, 24).backend().to_string();
        assert!(
            screen.contains("ecovai · no API key: set ECOVAI_API_KEY"),
            "{screen}"
        );
        assert!(!screen.contains("local · no API key"));
    }

    #[test]
    fn marked_models_show_their_order_and_enter_compares_them() {
        let mut p = picker();
        p.toggle_mark();
        p.move_by(2);
        p.toggle_mark();
        insta::assert_snapshot!(draw(&p, 80, 24).backend());
    }

    #[test]
    fn tiny_areas_do_not_panic() {
        for (w, h) in [(1, 1), (10, 3), (20, 6), (30, 8)] {
            draw(&picker(), w, h);
        }
    }
}
