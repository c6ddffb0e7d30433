//! Link extraction for a reply that grows while it streams: each finished line is scanned once.

use super::{MediaLink, Raw, merge, raw_links};
use crate::sanitize::StreamSanitizer;

/// An unfinished last line up to this long is scanned again on every call; a longer one only
/// once it grew by a quarter, so a reply that never breaks its line stays linear too.
const TAIL_RESCAN: usize = 4096;

/// The links of a growing text as it is displayed (escape sequences stripped, see `sanitize`).
/// Lines up to the last line break are scanned once and kept; only the unfinished last line is
/// scanned again, so a streamed reply costs its length once rather than once per piece.
#[derive(Debug, Clone, Default)]
pub struct LinkScanner {
    /// Bytes of the raw text given to the sanitizer so far.
    fed: usize,
    sanitizer: StreamSanitizer,
    /// Displayed text after the last line break scanned: the unfinished line.
    pending: String,
    raws: Vec<Raw>,
    /// The last scan of the unfinished line, and how long that line was then.
    tail: Vec<Raw>,
    tail_len: usize,
}

impl LinkScanner {
    /// True when nothing has been scanned: no text, no unfinished line, no links held.
    pub fn is_fresh(&self) -> bool {
        self.fed == 0 && self.pending.is_empty() && self.raws.is_empty() && self.tail.is_empty()
    }

    /// The links of `text`, as `settled_links(text, live)` finds them; while `live`, a link in an
    /// unfinished line longer than 4 KiB may show up a little later. `text` should extend the
    /// text of the previous call; a shorter one starts the scan over.
    pub fn scan(&mut self, text: &str, live: bool) -> Vec<MediaLink> {
        if self.fed > text.len() || !text.is_char_boundary(self.fed) {
            *self = Self::default();
        }
        let shown = self.sanitizer.push(&text[self.fed..]);
        self.pending.push_str(&shown);
        self.fed = text.len();
        if !live {
            let held = self.sanitizer.finish();
            self.pending.push_str(&held);
        }
        if let Some(nl) = self.pending.rfind('\n') {
            self.raws.extend(raw_links(&self.pending[..nl + 1]));
            self.pending.drain(..nl + 1);
            self.tail_len = 0;
            self.tail.clear();
        }
        let tail = self.pending.as_str();
        let stale = tail.len() != self.tail_len;
        if stale && (!live || tail.len() <= TAIL_RESCAN || tail.len() >= self.tail_len * 5 / 4) {
            self.tail = raw_links(tail);
            self.tail_len = tail.len();
        }
        let mut links = merge(self.raws.iter().chain(&self.tail).cloned());
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
    use crate::dev::synthetic;

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
    fn a_reply_without_line_breaks_is_scanned_in_growing_steps_and_whole_at_the_end() {
        let line: String = (0..400)
            .map(|i| format!("第{i}段 ![p{i}](https://img.example/{i}.png) "))
            .collect();
        let mut scanner = LinkScanner::default();
        let mut scans = 0;
        let mut end = 0;
        while end < line.len() {
            end = (end + 40).min(line.len());
            while !line.is_char_boundary(end) {
                end += 1;
            }
            let before = scanner.tail_len;
            let links = scanner.scan(&line[..end], true);
            scans += usize::from(scanner.tail_len != before);
            if end % 10 == 0 {
                // Never a link that is not there, and never more than a quarter of the line behind.
                let fresh = settled_links(&line[..end], true);
                assert!(links.len() <= fresh.len());
                assert!(links.len() * 5 / 4 + 2 >= fresh.len() || end <= TAIL_RESCAN);
            }
        }
        // Every piece while the line is short, then a quarter more each time.
        assert!(scans < TAIL_RESCAN / 40 + 20, "{scans} rescans of the line");
        assert_eq!(scanner.scan(&line, false), settled_links(&line, false));
    }

    #[test]
    fn sequences_split_across_pieces_hide_their_links_at_every_cut() {
        check_every_cut(
            "Nice day!\x1b]0;![x](https://x.example/hidden.png)\x07 ![v](https://x.example/v.png)\n\
             \x1bP![d](https://x.example/d.png)\nstill hidden\n\x1b\\ https://x.example/after.png\n",
        );
        let mut scanner = LinkScanner::default();
        let text = "a\n\x1b]0;\n![x](https://x.example/hidden.png)\n";
        assert!(scanner.scan(text, true).is_empty());
        assert!(scanner.scan(text, false).is_empty());
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
