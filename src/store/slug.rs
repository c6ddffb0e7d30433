//! Names made from what the user typed: session titles and transcript file names.

use chrono::{DateTime, Local};

use crate::sanitize::sanitize;
use crate::text::truncate_to_width;

/// Widest title, in terminal columns.
pub const TITLE_WIDTH: usize = 50;
/// Most characters of prompt text in a file name.
const SLUG_CHARS: usize = 40;

/// A session title from its first prompt: the first non-blank line, whitespace collapsed,
/// control sequences neutralised, cut to `TITLE_WIDTH` columns.
pub fn title_from_prompt(prompt: &str) -> String {
    let line = prompt
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let clean = sanitize(line);
    let collapsed = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return "untitled".into();
    }
    truncate_to_width(&collapsed, TITLE_WIDTH)
}

/// `text` as a file-name fragment: letters and digits of any script kept (so Chinese stays
/// readable), ASCII lowercased, every other run of characters (spaces, punctuation, path
/// separators, dots, controls) turned into one `-`; `chat` when nothing is left.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    let mut kept = 0;
    for c in text.chars() {
        if kept >= SLUG_CHARS {
            break;
        }
        if c.is_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            kept += 1;
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let slug = out.trim_end_matches('-');
    if slug.is_empty() {
        "chat".into()
    } else {
        slug.to_string()
    }
}

/// The transcript file name (without extension) for a conversation started at `date`.
pub fn file_stem(date: DateTime<Local>, first_prompt: &str) -> String {
    format!("{}-{}", date.format("%Y-%m-%d-%H%M"), slugify(first_prompt))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    #[test]
    fn titles_take_the_first_line_and_neutralise_controls() {
        assert_eq!(title_from_prompt("\n  你好，世界  \nsecond"), "你好，世界");
        assert_eq!(title_from_prompt("a\tb   c"), "a b c");
        assert!(!title_from_prompt("x\u{1b}]0;evil\u{7}y").contains('\u{1b}'));
        assert_eq!(title_from_prompt("   \n "), "untitled");
        let long = "长".repeat(100);
        let t = title_from_prompt(&long);
        let w = crate::text::display_width(&t);
        assert!(w <= TITLE_WIDTH && w + 1 >= TITLE_WIDTH, "{w}");
        assert!(t.ends_with('…'));
    }

    #[test]
    fn slugs_keep_cjk_and_drop_path_characters() {
        assert_eq!(slugify("画一只猫 in Rust!"), "画一只猫-in-rust");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("a\\b:c*d?e\"f<g>h|i"), "a-b-c-d-e-f-g-h-i");
        assert_eq!(slugify("..."), "chat");
        assert_eq!(slugify("\u{1b}[31mred"), "31mred");
        assert_eq!(slugify(&"x".repeat(100)).len(), SLUG_CHARS);
        for s in ["/", "a/b", ".", "..", "x\0y", "C:\\x"] {
            let slug = slugify(s);
            assert!(
                !slug.contains(['/', '\\', '\0', ':', '.']),
                "{s:?} -> {slug:?}"
            );
            assert!(!slug.is_empty());
        }
    }

    #[test]
    fn file_stems_start_with_the_local_date() {
        let naive = NaiveDate::from_ymd_opt(2026, 3, 9)
            .unwrap()
            .and_hms_opt(7, 5, 0)
            .unwrap();
        let date = Local.from_local_datetime(&naive).unwrap();
        assert_eq!(
            file_stem(date, "明天的天气？"),
            "2026-03-09-0705-明天的天气"
        );
    }
}
