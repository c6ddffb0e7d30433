//! Laid-out lines packed into a few flat vectors.
//!
//! A `Line` holds a vector of `Span`s, each with its own heap string: about ten times the text
//! it shows. A 10 MB reply laid out that way took well over 100 MB. Packed, the lines cost their
//! text plus eight bytes per span and four per line; a `Line` borrowing the text is built only
//! for the rows being drawn.

use std::borrow::Cow;
use std::collections::HashMap;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Styled lines stored as one string, span ends with style numbers, and line ends.
#[derive(Debug, Clone, Default)]
pub struct PackedLines {
    text: String,
    /// Per span: where its text ends in `text` (two vectors: a tuple would be padded to 8).
    span_ends: Vec<u32>,
    /// Per span: its style's index in `styles`.
    span_styles: Vec<u16>,
    /// Per line: where its spans end in `spans`.
    lines: Vec<u32>,
    styles: Vec<Style>,
    style_ids: HashMap<Style, u16>,
}

impl PackedLines {
    /// Appends a line. Only its spans are kept: line-level style and alignment are not used by
    /// the conversation pane. Past 4 GiB of text further lines are dropped.
    pub fn push(&mut self, line: &Line<'_>) {
        debug_assert!(line.style == Style::default() && line.alignment.is_none());
        let fits = self.text.len().saturating_add(line.width() * 4) < u32::MAX as usize
            && self.span_ends.len().saturating_add(line.spans.len()) < u32::MAX as usize;
        if !fits {
            return;
        }
        let first = self.span_ends.len();
        for span in &line.spans {
            if span.content.is_empty() {
                continue;
            }
            let style = self.style_id(span.style);
            self.text.push_str(&span.content);
            let end = self.text.len() as u32;
            // Neighbours in one style draw the same as one span (wrapping splits text at words).
            if self.span_ends.len() > first && self.span_styles.last() == Some(&style) {
                if let Some(last) = self.span_ends.last_mut() {
                    *last = end;
                }
            } else {
                self.span_ends.push(end);
                self.span_styles.push(style);
            }
        }
        self.lines.push(self.span_ends.len() as u32);
    }

    /// Appends every line of `lines`.
    pub fn extend<'a>(&mut self, lines: impl IntoIterator<Item = Line<'a>>) {
        for line in lines {
            self.push(&line);
        }
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True without lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Keeps the first `n` lines.
    pub fn truncate(&mut self, n: usize) {
        if n >= self.lines.len() {
            return;
        }
        self.lines.truncate(n);
        let spans = self.lines.last().map_or(0, |&e| e as usize);
        self.span_ends.truncate(spans);
        self.span_styles.truncate(spans);
        let text = self.span_ends.last().map_or(0, |&e| e as usize);
        self.text.truncate(text);
    }

    /// Puts `line` in place of line `i` (nothing when there is no such line). It costs the
    /// lines after `i`, which are moved: meant for lines near the end.
    pub fn replace(&mut self, i: usize, line: &Line<'_>) {
        if i >= self.lines.len() {
            return;
        }
        let span_end = self.lines[i] as usize;
        let text_end = match span_end.checked_sub(1) {
            Some(last) => self.span_ends[last] as usize,
            None => 0,
        };
        let after_text = self.text.split_off(text_end);
        let after_ends = self.span_ends.split_off(span_end);
        let after_styles = self.span_styles.split_off(span_end);
        let after_lines = self.lines.split_off(i + 1);
        self.truncate(i);
        self.push(line);
        if self.lines.len() == i {
            // Too big to keep: an empty line holds its place, as the lines after it count on.
            self.lines.push(self.span_ends.len() as u32);
        }
        // The lines after move by what the new line is longer or shorter by.
        let (text_at, span_at) = (self.text.len(), self.span_ends.len());
        self.text.push_str(&after_text);
        self.span_ends.extend(
            after_ends
                .iter()
                .map(|&e| (e as usize - text_end + text_at) as u32),
        );
        self.span_styles.extend(after_styles);
        self.lines.extend(
            after_lines
                .iter()
                .map(|&e| (e as usize - span_end + span_at) as u32),
        );
    }

    /// Removes every line (the style table stays: it is small and likely to be reused).
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Line `i`, borrowing the text, after `lead` (a gutter) when that is not empty.
    pub fn get<'a>(&'a self, i: usize, lead: &'a Span<'_>) -> Option<Line<'a>> {
        let end = *self.lines.get(i)? as usize;
        let start = match i.checked_sub(1) {
            Some(prev) => self.lines[prev] as usize,
            None => 0,
        };
        let mut spans = Vec::with_capacity(end - start + 1);
        if !lead.content.is_empty() {
            spans.push(Span::styled(lead.content.as_ref(), lead.style));
        }
        let mut from = match start.checked_sub(1) {
            Some(prev) => self.span_ends[prev] as usize,
            None => 0,
        };
        let styles = &self.span_styles[start..end];
        for (&to, &style) in self.span_ends[start..end].iter().zip(styles) {
            let to = to as usize;
            spans.push(Span {
                content: Cow::Borrowed(&self.text[from..to]),
                style: self
                    .styles
                    .get(usize::from(style))
                    .copied()
                    .unwrap_or_default(),
            });
            from = to;
        }
        Some(Line::from(spans))
    }

    /// Bytes held, for the size test.
    #[cfg(test)]
    fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.span_ends.capacity() * std::mem::size_of::<u32>()
            + self.span_styles.capacity() * std::mem::size_of::<u16>()
            + self.lines.capacity() * std::mem::size_of::<u32>()
            + self.styles.capacity() * std::mem::size_of::<Style>()
    }

    fn style_id(&mut self, style: Style) -> u16 {
        if let Some(&id) = self.style_ids.get(&style) {
            return id;
        }
        // More distinct styles than a u16 counts cannot come from one theme; fall back to plain.
        let Ok(id) = u16::try_from(self.styles.len()) else {
            return 0;
        };
        self.styles.push(style);
        self.style_ids.insert(style, id);
        id
    }
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Modifier};

    use super::*;

    fn sample() -> Vec<Line<'static>> {
        vec![
            Line::from(vec![
                Span::styled("你好", Style::new().fg(Color::Red)),
                Span::raw(" world"),
            ]),
            Line::default(),
            Line::from(vec![
                Span::raw(""),
                Span::styled("bold", Style::new().add_modifier(Modifier::BOLD)),
            ]),
            Line::from(Span::styled("红", Style::new().fg(Color::Red))),
        ]
    }

    fn unpacked(p: &PackedLines, lead: &Span<'_>) -> Vec<Line<'static>> {
        (0..p.len())
            .map(|i| {
                let line = p.get(i, lead).expect("line in range");
                Line::from(
                    line.spans
                        .into_iter()
                        .map(|s| Span::styled(s.content.into_owned(), s.style))
                        .collect::<Vec<_>>(),
                )
            })
            .collect()
    }

    /// Each line as (character, style) pairs: what a line draws, whatever its span cuts.
    fn cells(lines: &[Line<'_>]) -> Vec<Vec<(char, Style)>> {
        lines
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn lines_come_back_as_pushed() {
        let mut p = PackedLines::default();
        p.extend(sample());
        assert_eq!(p.len(), 4);
        assert_eq!(cells(&unpacked(&p, &Span::raw(""))), cells(&sample()));
        assert!(p.get(4, &Span::raw("")).is_none());
        // Two spans share the red style.
        assert_eq!(p.styles.len(), 3);
    }

    #[test]
    fn a_lead_is_put_before_every_line() {
        let mut p = PackedLines::default();
        p.extend(sample());
        let lead = Span::styled("▍ ", Style::new().fg(Color::Blue));
        let got = unpacked(&p, &lead);
        for (line, want) in got.iter().zip(cells(&sample())) {
            assert_eq!(
                line.spans[0],
                Span::styled("▍ ", Style::new().fg(Color::Blue))
            );
            assert_eq!(cells(&[Line::from(line.spans[1..].to_vec())])[0], want);
        }
    }

    #[test]
    fn neighbours_in_one_style_become_one_span_but_lines_stay_apart() {
        let mut p = PackedLines::default();
        p.push(&Line::from(vec![
            Span::raw("a "),
            Span::raw("b"),
            Span::styled("c", Style::new().fg(Color::Red)),
        ]));
        p.push(&Line::from(vec![Span::raw("d")]));
        assert_eq!(p.span_ends.len(), 3);
        let none = Span::raw("");
        let first = p.get(0, &none).expect("line 0");
        assert_eq!(first.spans.len(), 2);
        assert_eq!(first.spans[0].content, "a b");
        assert_eq!(
            p.get(1, &Span::raw("")).expect("line 1").spans[0].content,
            "d"
        );
    }

    #[test]
    fn truncate_then_push_equals_pushing_the_prefix() {
        for keep in 0..=4 {
            let mut p = PackedLines::default();
            p.extend(sample());
            p.truncate(keep);
            p.extend(sample());
            let mut want = PackedLines::default();
            want.extend(sample().into_iter().take(keep));
            want.extend(sample());
            assert_eq!(
                unpacked(&p, &Span::raw("")),
                unpacked(&want, &Span::raw(""))
            );
            assert_eq!(p.text, want.text, "keep {keep}");
        }
    }

    #[test]
    fn replacing_a_line_equals_pushing_the_lines_with_it_in_place() {
        let others = [
            Line::from(Span::styled("长一点的新行", Style::new().fg(Color::Green))),
            Line::default(),
            Line::from(vec![Span::raw("x"), Span::raw("y")]),
        ];
        for at in 0..=4 {
            for other in &others {
                let mut p = PackedLines::default();
                p.extend(sample());
                p.replace(at, other);
                let mut lines = sample();
                if at < lines.len() {
                    lines[at] = other.clone();
                }
                let mut want = PackedLines::default();
                want.extend(lines.clone());
                assert_eq!(p.len(), lines.len());
                assert_eq!(
                    cells(&unpacked(&p, &Span::raw(""))),
                    cells(&unpacked(&want, &Span::raw(""))),
                    "at {at}"
                );
                assert_eq!(p.text, want.text);
                // The next line goes after the others, as a push should.
                p.push(&Line::raw("end"));
                assert_eq!(
                    p.get(p.len() - 1, &Span::raw("")).expect("last").spans[0].content,
                    "end"
                );
            }
        }
    }

    #[test]
    fn packing_costs_about_the_text() {
        let line = Line::from(vec![
            Span::styled("第一点：", Style::new().add_modifier(Modifier::BOLD)),
            Span::raw("读取文件可以用 "),
            Span::styled("std::fs", Style::new().fg(Color::Yellow)),
        ]);
        let mut p = PackedLines::default();
        for _ in 0..10_000 {
            p.push(&line);
        }
        let text: usize = line.spans.iter().map(|s| s.content.len()).sum();
        // Text, three spans of 6 bytes and a line end per line, with Vec growth slack.
        assert!(p.heap_bytes() <= 2 * 10_000 * (text + 3 * 6 + 4));
    }
}
