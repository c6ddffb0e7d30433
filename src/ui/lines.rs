//! Drawing laid-out lines into the buffer: what `Paragraph` does for lines that are already
//! wrapped, without its per-character iterator machinery.
//!
//! The conversation pane is drawn every frame of a streaming reply. `Paragraph` sends every
//! character through a chain of iterators and a grapheme splitter even when it is plain ASCII;
//! that was a tenth of a paced reply's CPU.

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};
use unicode_segmentation::UnicodeSegmentation;

/// Draws `lines` from the top of `area`, one per row, cut at its right edge: the same cells as
/// `Paragraph::new(lines).render(area, buf)`.
pub fn draw_lines(lines: &[Line<'_>], area: Rect, buf: &mut Buffer) {
    let aligned = lines
        .iter()
        .any(|l| l.alignment.is_some_and(|a| a != Alignment::Left));
    if aligned {
        Paragraph::new(lines.to_vec()).render(area, buf);
        return;
    }
    for (line, y) in lines.iter().zip(area.top()..area.bottom()) {
        draw_line(line, area.left(), y, area.width, buf);
    }
}

/// `text` at column `x` of row `y` in `style`, at most `width` columns, as a one-line `Line`
/// of it draws: `Buffer::set_stringn` through the fast path of the lines.
pub fn draw_str(text: &str, x: u16, y: u16, width: u16, style: Style, buf: &mut Buffer) {
    draw_line(&Line::styled(text, style), x, y, width, buf);
}

/// One line at row `y` from column `x`, at most `width` columns: characters wider than the
/// whole width are skipped, the line stops at the first that does not fit, zero-width
/// clusters and clusters holding a control character draw nothing (as `Paragraph` does).
fn draw_line(line: &Line<'_>, x: u16, y: u16, width: u16, buf: &mut Buffer) {
    let base = Style::default().patch(line.style);
    let mut used: u16 = 0;
    for span in &line.spans {
        let style = base.patch(span.style);
        let text: &str = &span.content;
        if text.is_ascii() {
            for (i, b) in text.bytes().enumerate() {
                if b.is_ascii_control() {
                    continue;
                }
                if used >= width {
                    return;
                }
                buf[(x + used, y)].set_symbol(&text[i..=i]).set_style(style);
                used += 1;
            }
            continue;
        }
        for (g, w) in clusters(text) {
            let Some(w) = w else { continue };
            if w > width {
                continue;
            }
            if used + w > width {
                return;
            }
            if w == 0 {
                continue;
            }
            buf[(x + used, y)].set_symbol(g).set_style(style);
            used += w;
        }
    }
}

/// The grapheme clusters of `text` with their widths (`None` for a cluster holding a control
/// character), as `graphemes(true)` and `cell_width` give them. ASCII, common CJK characters
/// and common symbols followed by ASCII or common CJK are clusters of their own, known without
/// the grapheme splitter, which was most of the cost of drawing Chinese text (and of a compare
/// column's heading, with its `◆`, `·` and `…`).
fn clusters(text: &str) -> impl Iterator<Item = (&str, Option<u16>)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let rest = text.get(at..)?;
        let mut chars = rest.chars();
        let c = chars.next()?;
        let alone = chars
            .next()
            .is_none_or(|d| d.is_ascii() || is_plain_wide(d));
        let g = if alone && (c.is_ascii() || is_plain_wide(c) || never_prepends(c)) {
            &rest[..c.len_utf8()]
        } else {
            rest.graphemes(true).next()?
        };
        at += g.len();
        let width = if g.contains(char::is_control) {
            None
        } else if g.len() == 1 {
            Some(1)
        } else if g.len() == c.len_utf8() && is_plain_wide(c) {
            Some(2)
        } else {
            Some(g.cell_width())
        };
        Some((g, width))
    })
}

/// Characters that join no following ASCII or CJK character in a cluster (none is a Prepend
/// character): Latin, Greek, Cyrillic, Armenian and Hebrew, and the punctuation, arrows, box
/// drawing, shapes and symbols of U+2000-U+2BFF.
fn never_prepends(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{5FF}' | '\u{2000}'..='\u{2BFF}')
}

/// Characters two columns wide that never join a neighbour in a grapheme cluster: CJK
/// ideographs, CJK punctuation and brackets, full-width ASCII.
fn is_plain_wide(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3001}'..='\u{3011}' | '\u{FF01}'..='\u{FF5E}')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use ratatui::style::{Color, Modifier};
    use ratatui::text::Span;

    use super::*;

    const PIECES: &[&str] = &[
        "word ",
        "x",
        "第一段，",
        "（括号）",
        "👍",
        "👨\u{200d}👩\u{200d}👧",
        "🇨🇳",
        "e\u{301}",
        "\u{301}",
        "ｶﾞﾟ",
        "\t",
        "a\r\nb",
        "\u{7}",
        "\u{200b}",
        "    ",
        "—",
        "中文，段落。",
        "【Ａ】",
        "葛\u{e0100}",
        "字\u{302a}",
        "か\u{3099}",
        "中\u{200d}👍",
        "\r\n中",
    ];

    fn line(parts: &[(usize, u8)], line_style: u8) -> Line<'static> {
        let styles = [
            Style::new(),
            Style::new().fg(Color::Red),
            Style::new().bg(Color::Blue).add_modifier(Modifier::BOLD),
        ];
        let spans: Vec<Span<'static>> = parts
            .iter()
            .map(|&(p, s)| Span::styled(PIECES[p % PIECES.len()], styles[usize::from(s % 3)]))
            .collect();
        Line::from(spans).style(styles[usize::from(line_style % 3)])
    }

    #[test]
    fn lines_are_drawn_as_a_paragraph_draws_them() {
        let parts = prop::collection::vec((0..PIECES.len(), 0u8..3), 0..12);
        let lines = prop::collection::vec((parts, 0u8..3), 0..8);
        let mut runner = TestRunner::new(Config {
            cases: 400,
            ..Config::default()
        });
        runner
            .run(&(lines, 1u16..20, 0u16..4), |(lines, width, x)| {
                let lines: Vec<Line<'static>> = lines.iter().map(|(p, s)| line(p, *s)).collect();
                let area = Rect::new(x, 1, width, 6);
                let outer = Rect::new(0, 0, width + 6, 8);
                // Cells already drawn (as after the frame's other widgets) must stay as they
                // are where a line does not reach.
                let mut ours = Buffer::filled(outer, ratatui::buffer::Cell::new("."));
                let mut theirs = ours.clone();
                draw_lines(&lines, area, &mut ours);
                Paragraph::new(lines.clone()).render(area, &mut theirs);
                prop_assert_eq!(ours, theirs);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn plain_wide_characters_are_two_columns_and_clusters_of_their_own() {
        let plain = ('\u{4E00}'..='\u{9FFF}')
            .chain('\u{3001}'..='\u{3011}')
            .chain('\u{FF01}'..='\u{FF5E}');
        for c in plain {
            assert!(is_plain_wide(c));
            for text in [format!("a{c}b"), format!("{c}{c}"), format!("中{c}")] {
                let ours: Vec<(&str, Option<u16>)> = clusters(&text).collect();
                let theirs: Vec<(&str, Option<u16>)> = text
                    .graphemes(true)
                    .map(|g| (g, Some(g.cell_width())))
                    .collect();
                assert_eq!(ours, theirs, "{c:?}");
            }
        }
    }

    #[test]
    fn symbols_before_ascii_or_cjk_are_clusters_of_their_own() {
        let symbols = ('\u{80}'..='\u{5FF}').chain('\u{2000}'..='\u{2BFF}');
        for c in symbols {
            assert!(never_prepends(c));
            for text in [
                format!("{c}"),
                format!("{c}a"),
                format!("{c}中"),
                format!("{c}，"),
            ] {
                let ours: Vec<(&str, Option<u16>)> = clusters(&text).collect();
                let theirs: Vec<(&str, Option<u16>)> = text
                    .graphemes(true)
                    .map(|g| {
                        let width = (!g.contains(char::is_control)).then(|| g.cell_width());
                        (g, width)
                    })
                    .collect();
                assert_eq!(ours, theirs, "{c:?}");
            }
        }
    }

    #[test]
    fn a_centred_line_is_drawn_centred() {
        let lines = vec![Line::from("hi").alignment(Alignment::Center)];
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        draw_lines(&lines, buf.area, &mut buf);
        assert_eq!(buf, Buffer::with_lines(["  hi  "]));
    }
}
