//! Finding media links in reply text: markdown images and links, angle brackets, bare URLs and
//! URLs quoted in JSON blobs. Pure: text in, links out, in the order they appear.

use super::MediaKind;

mod scanner;

pub use scanner::LinkScanner;

/// One link found in a text (view and download variants of one file merged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaLink {
    /// The URL to show and fetch: the view URL when the text also had a download URL.
    pub url: String,
    /// The matching download URL (`.../cdn/download/...`), when the text had both.
    pub download: Option<String>,
    /// Image, audio, video or other, from the extension, host or markdown image syntax.
    pub kind: MediaKind,
    /// The markdown alt or link text, when it says something other than the URL.
    pub label: Option<String>,
    /// False while the URL runs to the very end of the text: a streaming reply may not have
    /// sent the rest of it yet.
    pub complete: bool,
}

/// A link before merging.
#[derive(Debug, Clone)]
struct Raw {
    url: String,
    label: Option<String>,
    image_syntax: bool,
    complete: bool,
}

/// Every link in `text` as it is displayed, duplicates and view/download pairs merged, in
/// order of first appearance. Links are looked for only in what the screen shows: one inside
/// an escape sequence that `sanitize` strips (an OSC title, say) is never seen, let alone
/// fetched.
pub fn extract_links(text: &str) -> Vec<MediaLink> {
    merge(raw_links(&crate::sanitize::sanitize(text)).into_iter())
}

/// The links of `text` before merging, in order. No link spans a line break, so the raw links
/// of a text are those of its lines one after the other (what `LinkScanner` relies on).
fn raw_links(text: &str) -> Vec<Raw> {
    let mut consumed: Vec<(usize, usize)> = Vec::new();
    let mut raws: Vec<(usize, Raw)> = Vec::new();
    markdown_links(text, &mut consumed, &mut raws);
    angle_links(text, &mut consumed, &mut raws);
    bare_urls(text, &consumed, &mut raws);
    raws.sort_by_key(|(start, _)| *start);
    raws.into_iter().map(|(_, r)| r).collect()
}

/// Links to show for a message: all of them once it is finished, only the complete ones while
/// it is still streaming.
pub fn settled_links(text: &str, live: bool) -> Vec<MediaLink> {
    if !live {
        return extract_links(text);
    }
    // A live reply may end inside a sequence that is not finished yet: it shows nothing of it.
    let shown = crate::sanitize::StreamSanitizer::new().push(text);
    let mut links = merge(raw_links(&shown).into_iter());
    links.retain(|l| l.complete);
    links
}

fn inside(consumed: &[(usize, usize)], at: usize) -> bool {
    consumed.iter().any(|&(s, e)| at >= s && at < e)
}

/// `[label](url)` and `![alt](url)`, with an optional `"title"` and `<url>` form.
fn markdown_links(text: &str, consumed: &mut Vec<(usize, usize)>, raws: &mut Vec<(usize, Raw)>) {
    for (p, _) in text.match_indices("](") {
        if inside(consumed, p) {
            continue;
        }
        let Some(open) = text[..p].rfind('[') else {
            continue;
        };
        let label = &text[open + 1..p];
        if label.contains('\n') || label.contains(']') {
            continue;
        }
        let image_syntax = text[..open].ends_with('!');
        let start = if image_syntax { open - 1 } else { open };
        let Some((url, close)) = paren_target(text, p + 2) else {
            continue;
        };
        if !has_scheme(&url) || is_ignored_scheme(&url) {
            continue;
        }
        consumed.push((start, close + 1));
        let label = label.trim();
        raws.push((
            start,
            Raw {
                label: (!label.is_empty()).then(|| label.to_string()),
                url,
                image_syntax,
                complete: true,
            },
        ));
    }
}

/// The URL inside `( ... )` starting at `from`, and the index of the closing `)`.
fn paren_target(text: &str, from: usize) -> Option<(String, usize)> {
    let rest = &text[from..];
    let trimmed = rest.trim_start_matches([' ', '\t']);
    let lead = rest.len() - trimmed.len();
    let (url, after) = if let Some(inner) = trimmed.strip_prefix('<') {
        let end = inner.find(['>', '\n'])?;
        if !inner[end..].starts_with('>') {
            return None;
        }
        (inner[..end].to_string(), from + lead + 1 + end + 1)
    } else {
        // Balanced parentheses stay in the URL (`Foo_(bar)`); whitespace ends it (a title may follow).
        let mut depth = 0usize;
        let mut end = None;
        for (i, c) in trimmed.char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = Some(i);
                    break;
                }
                ')' => depth -= 1,
                c if c.is_whitespace() => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let end = end?;
        (trimmed[..end].to_string(), from + lead + end)
    };
    // What may stand between the URL and `)`: spaces and a quoted title, on one line.
    let tail = &text[after..];
    let close = tail.find(')')?;
    let between = tail[..close].trim();
    let title_ok = between.is_empty()
        || (between.len() >= 2
            && (between.starts_with('"') && between.ends_with('"')
                || between.starts_with('\'') && between.ends_with('\'')));
    if tail[..close].contains('\n') || !title_ok || url.is_empty() {
        return None;
    }
    Some((url, after + close))
}

fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    scheme.len() >= 2
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn is_ignored_scheme(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["mailto:", "javascript:", "tel:", "about:"]
        .iter()
        .any(|s| lower.starts_with(s))
}

/// `<https://...>` autolinks.
fn angle_links(text: &str, consumed: &mut Vec<(usize, usize)>, raws: &mut Vec<(usize, Raw)>) {
    for (p, _) in text.match_indices('<') {
        if inside(consumed, p) {
            continue;
        }
        let rest = &text[p + 1..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            continue;
        }
        let Some(end) = rest.find(|c: char| c == '>' || c.is_whitespace() || c == '<') else {
            continue;
        };
        if !rest[end..].starts_with('>') {
            continue;
        }
        consumed.push((p, p + 1 + end + 1));
        raws.push((
            p,
            Raw {
                url: rest[..end].to_string(),
                label: None,
                image_syntax: false,
                complete: true,
            },
        ));
    }
}

const SCHEMES: [&str; 4] = ["https://", "http://", "https:\\/\\/", "http:\\/\\/"];

/// URLs written out in the text or in a JSON string (`"url": "https:\/\/..."` included).
fn bare_urls(text: &str, consumed: &[(usize, usize)], raws: &mut Vec<(usize, Raw)>) {
    let mut at = 0;
    let mut next = SCHEMES.map(|s| text.find(s));
    while at < text.len() {
        let Some((start, escaped)) = next_scheme(text, at, &mut next) else {
            break;
        };
        let rest = &text[start..];
        // ASCII only: CJK text and full-width punctuation (。，）) end a bare URL.
        let stop = rest
            .char_indices()
            .find(|&(_, c)| {
                !c.is_ascii()
                    || c.is_ascii_whitespace()
                    || c.is_ascii_control()
                    || matches!(c, '<' | '>' | '"' | '`' | '{' | '}' | '|' | '^')
                    || (c == '\\' && !escaped)
            })
            .map(|(i, _)| i);
        let len = stop.unwrap_or(rest.len());
        at = start + len.max(1);
        if inside(consumed, start) {
            continue;
        }
        let mut url = rest[..len].to_string();
        if escaped {
            url = url
                .replace("\\/", "/")
                .replace("\\u0026", "&")
                .replace("\\u003d", "=")
                .replace("\\u003D", "=");
            url = url.trim_end_matches('\\').to_string();
        }
        let url = trim_trailing(&url);
        if url.len() <= "https://".len() {
            continue;
        }
        raws.push((
            start,
            Raw {
                url: url.to_string(),
                label: None,
                image_syntax: false,
                complete: stop.is_some(),
            },
        ));
    }
}

/// The first scheme at or after `from`. `next` holds each scheme's next occurrence and is searched
/// again only once passed, so a scheme the text lacks costs one scan, not one per URL.
fn next_scheme(text: &str, from: usize, next: &mut [Option<usize>; 4]) -> Option<(usize, bool)> {
    for (slot, s) in next.iter_mut().zip(SCHEMES) {
        if slot.is_some_and(|p| p < from) {
            *slot = text[from..].find(s).map(|i| from + i);
        }
    }
    next.iter()
        .zip(SCHEMES)
        .filter_map(|(slot, s)| slot.map(|i| (i, s.contains('\\'))))
        .min_by_key(|(i, escaped)| (*i, *escaped))
}

/// Drops sentence punctuation and markdown emphasis after a bare URL, and closing brackets that
/// have no opening partner inside it.
fn trim_trailing(url: &str) -> &str {
    let mut u = url;
    loop {
        let Some(last) = u.chars().last() else {
            return u;
        };
        let unbalanced = |open: char, close: char| {
            last == close && u.matches(open).count() < u.matches(close).count()
        };
        let trim = matches!(
            last,
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '_' | '~'
        ) || unbalanced('(', ')')
            || unbalanced('[', ']');
        if !trim {
            return u;
        }
        u = &u[..u.len() - last.len_utf8()];
    }
}

/// The URL with its `/download/` path segment removed: view and download links share it.
fn pair_key(url: &str) -> String {
    match url.find("/download/") {
        Some(i) if url[..i].matches('/').count() >= 2 => {
            format!("{}{}", &url[..i], &url[i + "/download".len()..])
        }
        _ => url.to_string(),
    }
}

fn is_download(url: &str) -> bool {
    pair_key(url) != url
}

fn merge(raws: impl Iterator<Item = Raw>) -> Vec<MediaLink> {
    let mut out: Vec<(String, MediaLink, bool)> = Vec::new();
    // Index of each key in `out`: a reply with thousands of links must not cost their square.
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for raw in raws {
        let key = pair_key(&raw.url);
        let label = raw.label.filter(|l| *l != raw.url && !l.contains("://"));
        if let Some((_, link, image_syntax)) = index.get(&key).and_then(|&i| out.get_mut(i)) {
            *image_syntax |= raw.image_syntax;
            link.complete |= raw.complete;
            if link.url != raw.url && link.download.as_deref() != Some(&raw.url) {
                if is_download(&raw.url) {
                    link.download = Some(raw.url);
                } else {
                    // The view URL came second: it becomes the one shown.
                    let download = std::mem::replace(&mut link.url, raw.url);
                    link.download = Some(download);
                }
            }
            if link.label.is_none() {
                link.label = label;
            }
            continue;
        }
        index.insert(key.clone(), out.len());
        out.push((
            key,
            MediaLink {
                url: raw.url,
                download: None,
                kind: MediaKind::Other,
                label,
                complete: raw.complete,
            },
            raw.image_syntax,
        ));
    }
    out.into_iter()
        .map(|(_, mut link, image_syntax)| {
            link.kind = classify(&link.url, image_syntax);
            link
        })
        .collect()
}

/// The kind of `url`: by extension, then by well-known host, then by how it was written.
pub fn classify(url: &str, image_syntax: bool) -> MediaKind {
    if let Some(mime) = url.strip_prefix("data:") {
        return MediaKind::from_content_type(mime.split([';', ',']).next().unwrap_or(""));
    }
    let parsed = reqwest::Url::parse(url).ok();
    let path = parsed
        .as_ref()
        .map_or(url, |u| u.path())
        .to_ascii_lowercase();
    let last = path.rsplit(['/']).next().unwrap_or("");
    // A percent-encoded path keeps its slashes as %2f: the file name is after the last one.
    let last = last.rsplit("%2f").next().unwrap_or(last);
    if let Some(kind) = last
        .rsplit_once('.')
        .and_then(|(_, ext)| MediaKind::from_extension(ext))
    {
        return kind;
    }
    let host = parsed
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    if host == "videos.openai.com" {
        return MediaKind::Video;
    }
    // The relay's own video route (new-api `/v1/videos/{id}/content`, relay notes §3.5).
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    if matches!(segs.as_slice(), [.., "v1", "videos", id, "content"] if !id.is_empty()) {
        return MediaKind::Video;
    }
    if host.ends_with("poecdn.net") && path.contains("/image/") {
        return MediaKind::Image;
    }
    if image_syntax {
        MediaKind::Image
    } else {
        MediaKind::Other
    }
}

#[cfg(test)]
mod tests;
