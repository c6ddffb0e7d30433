//! Repairs to inline markup that CommonMark leaves undone in Chinese and Japanese text.
//!
//! CommonMark only closes `**` when the run is "right-flanking": after punctuation it must be
//! followed by a space or more punctuation. Models write `**注意：**配置` all the time, and
//! there the closing `**` is followed by a letter, so the markers would show as literal text.

use ratatui::style::Style;
use ratatui::text::Span;

const STRONG: &str = "**";

/// Inline content: each span with whether it is plain text from the source (not code, not a
/// link target), where leftover `**` markers can be.
pub type Inline = Vec<(Span<'static>, bool)>;

/// Turns leftover `**` pairs in text with CJK characters into bold, dropping the markers.
/// An unpaired marker stays as typed; text without CJK is left to CommonMark alone.
pub fn rescue_strong(inline: Inline, strong: Style) -> Vec<Span<'static>> {
    let literal = || inline.iter().filter(|(_, lit)| *lit).map(|(s, _)| s);
    let markers: usize = literal().map(|s| s.content.matches(STRONG).count()).sum();
    let cjk = literal().any(|s| s.content.chars().any(is_cjk));
    if markers < 2 || !cjk {
        return inline.into_iter().map(|(s, _)| s).collect();
    }
    let mut left = markers - markers % 2;
    let mut bold = false;
    let mut out = Vec::with_capacity(inline.len() + markers);
    let mut push = |text: &str, style: Style, bold: bool| {
        if !text.is_empty() {
            let style = if bold { style.patch(strong) } else { style };
            out.push(Span::styled(text.to_owned(), style));
        }
    };
    for (span, lit) in inline {
        let mut rest = span.content.as_ref();
        while lit && left > 0 {
            let Some(at) = rest.find(STRONG) else { break };
            push(&rest[..at], span.style, bold);
            rest = &rest[at + STRONG.len()..];
            bold = !bold;
            left -= 1;
        }
        push(rest, span.style, bold);
    }
    out
}

/// Ideographs, kana, CJK and full-width punctuation.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{30FF}' | '\u{3400}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{FF00}'..='\u{FFEF}')
}

#[cfg(test)]
mod tests {
    use ratatui::style::Modifier;

    use super::*;

    fn plain(parts: &[(&str, bool)]) -> Inline {
        parts
            .iter()
            .map(|(t, lit)| (Span::raw(t.to_string()), *lit))
            .collect()
    }

    fn show(spans: &[Span<'_>]) -> String {
        spans
            .iter()
            .map(|s| match s.style.add_modifier.contains(Modifier::BOLD) {
                true => format!("<{}>", s.content),
                false => s.content.to_string(),
            })
            .collect()
    }

    const BOLD: Style = Style::new().add_modifier(Modifier::BOLD);

    #[test]
    fn pairs_become_bold_and_an_odd_marker_stays() {
        let out = rescue_strong(plain(&[("**注意：**配置 a**b", true)]), BOLD);
        assert_eq!(show(&out), "<注意：>配置 a**b");
    }

    #[test]
    fn code_spans_keep_their_markers_but_turn_bold_between_pairs() {
        let parts = [("**说明：", true), ("a**b", false), ("**后", true)];
        assert_eq!(
            show(&rescue_strong(plain(&parts), BOLD)),
            "<说明：><a**b>后"
        );
    }

    #[test]
    fn text_without_cjk_is_left_alone() {
        let out = rescue_strong(plain(&[("2**10 and 3**4", true)]), BOLD);
        assert_eq!(show(&out), "2**10 and 3**4");
    }
}
