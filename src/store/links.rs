//! Media links in a reply, for the `media` column and the transcript's media list.
//!
//! Deliberately small: markdown link targets and bare http(s) URLs, classified by extension.
//! The media panel has a richer extractor; this one only has to name what a reply pointed at.

use serde::{Deserialize, Serialize};

/// What a link points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    Image,
    Audio,
    Video,
    /// A link written with image syntax or an image extension is an image; anything else
    /// found with a media-ish extension lands in one of the above, the rest are plain links.
    Link,
}

/// One link found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaLink {
    pub kind: LinkKind,
    pub url: String,
}

/// Every distinct http(s) link in `text`, in order of appearance.
pub fn extract(text: &str) -> Vec<MediaLink> {
    let mut links: Vec<MediaLink> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("http") {
        let candidate = &rest[start..];
        if !(candidate.starts_with("https://") || candidate.starts_with("http://")) {
            rest = &rest[start + 4..];
            continue;
        }
        let image_syntax = is_image_target(&rest[..start]);
        let end = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '"' | '\'' | '<' | ']'))
            .unwrap_or(candidate.len());
        let url = candidate[..end].trim_end_matches(['.', ',', '，', '。', ';']);
        if url.len() > "https://".len() && !links.iter().any(|l| l.url == url) {
            links.push(MediaLink {
                kind: classify(url, image_syntax),
                url: url.to_string(),
            });
        }
        rest = &candidate[end.max(1)..];
    }
    links
}

/// True when the text before a URL ends in `![alt](`.
fn is_image_target(before: &str) -> bool {
    let Some(head) = before.strip_suffix("](") else {
        return false;
    };
    head.rfind('[').is_some_and(|i| head[..i].ends_with('!'))
}

/// The kind of `url` from its path's extension; `image_syntax` for `![](url)`.
fn classify(url: &str, image_syntax: bool) -> LinkKind {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "bmp" | "svg" | "avif" => LinkKind::Image,
        "mp3" | "wav" | "m4a" | "flac" | "ogg" | "aac" => LinkKind::Audio,
        "mp4" | "webm" | "mov" | "m3u8" | "mkv" => LinkKind::Video,
        _ if image_syntax => LinkKind::Image,
        _ => LinkKind::Link,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markdown_and_bare_links_once_each() {
        let text = "图：![cat](https://x.cn/a/cat.webp?sig=1) 下载 [下载1](https://x.cn/a/cat.webp?sig=1)\n\
                    视频 https://v.cn/v.mp4。 歌 <https://s.cn/song.mp3> 页面 https://example.com/page.";
        let links = extract(text);
        let got: Vec<(LinkKind, &str)> = links.iter().map(|l| (l.kind, l.url.as_str())).collect();
        assert_eq!(
            got,
            [
                (LinkKind::Image, "https://x.cn/a/cat.webp?sig=1"),
                (LinkKind::Video, "https://v.cn/v.mp4"),
                (LinkKind::Audio, "https://s.cn/song.mp3"),
                (LinkKind::Link, "https://example.com/page"),
            ]
        );
    }

    #[test]
    fn image_syntax_makes_an_image_without_extension() {
        let links = extract("![](https://img.cn/render?id=3)");
        assert_eq!(links[0].kind, LinkKind::Image);
        assert!(extract("httpx http:// nothing here").is_empty());
    }
}
