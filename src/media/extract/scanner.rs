//! Link extraction for a reply that grows while it streams: each finished line is scanned once.

use super::{MediaLink, Raw, merge, raw_links};

/// The links of a growing text. Lines up to the last line break are scanned once and kept;
/// only the unfinished last line is scanned again on each call, so a streamed reply costs its
/// length once rather than once per piece.
#[derive(Debug, Clone, Default)]
pub struct LinkScanner {
    /// Bytes of the text whose lines are scanned, up to and including a line break.
    scanned: usize,
    raws: Vec<Raw>,
}

impl LinkScanner {
    /// The links of `text`, as `settled_links(text, live)` finds them. `text` should extend the
    /// text of the previous call; a shorter one starts the scan over.
    pub fn scan(&mut self, text: &str, live: bool) -> Vec<MediaLink> {
        if self.scanned > text.len() || !text.is_char_boundary(self.scanned) {
            *self = Self::default();
        }
        if let Some(nl) = text[self.scanned..].rfind('\n') {
            let end = self.scanned + nl + 1;
            self.raws.extend(raw_links(&text[self.scanned..end]));
            self.scanned = end;
        }
        let tail = raw_links(&text[self.scanned..]);
        let mut links = merge(self.raws.iter().cloned().chain(tail));
        if live {
            links.retain(|l| l.complete);
        }
        links
    }
}

#[cfg(test)]
mod tests {
    use super::super::settled_links;
    use super::*;
    use crate::synthetic;

    /// Feeds `text` in pieces of 1..=7 bytes (on char boundaries) and compares every step.
    fn check_every_cut(text: &str) {
        let mut scanner = LinkScanner::default();
        let mut end = 0;
        let mut step = 1;
        while end < text.len() {
            end = (end + step).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let prefix = &text[..end];
            assert_eq!(
                scanner.scan(prefix, true),
                settled_links(prefix, true),
                "after {end} bytes"
            );
            step = step % 7 + 1;
        }
        assert_eq!(scanner.scan(text, false), settled_links(text, false));
    }

    #[test]
    fn incremental_scan_matches_a_fresh_scan_at_every_cut() {
        check_every_cut(&synthetic::reply_with_links(6_000));
    }

    #[test]
    fn links_split_over_lines_and_pairs_across_lines_match_too() {
        check_every_cut(
            "see [a\nb](https://x.example/a.png) and ![img](https://cdn.example/c/1.png)\n\
             [下载](https://cdn.example/c/download/1.png)\t<https://v.example/x.mp4>\n\
             {\"url\":\"https:\\/\\/j.example\\/a.jpg\"} tail https://t.example/end",
        );
    }

    #[test]
    fn a_shorter_text_starts_over() {
        let mut scanner = LinkScanner::default();
        let long = "![a](https://a.example/1.png)\n![b](https://b.example/2.png)\n";
        assert_eq!(scanner.scan(long, true).len(), 2);
        let short = "![c](https://c.example/3.png)\n";
        assert_eq!(scanner.scan(short, true), settled_links(short, true));
    }
}
