//! Media links in a reply, for the `media` column and the transcript's media list.
//!
//! The links come from the media panel's extractor, so the store, the transcript and the panel
//! always agree on what a reply pointed at.

use serde::{Deserialize, Serialize};

use crate::media::MediaKind;

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
    /// The markdown alt or link text, when it says something; rows written before it was kept
    /// have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Every distinct link in `text`, in order of appearance, as the media panel finds them
/// (`data:` URLs are left out: they are the image itself, not a link to it).
pub fn extract(text: &str) -> Vec<MediaLink> {
    from_extracted(&crate::media::extract_links(text))
}

/// The stored form of links `media::extract_links` found (`data:` URLs left out).
pub fn from_extracted(links: &[crate::media::MediaLink]) -> Vec<MediaLink> {
    links
        .iter()
        .filter(|l| !l.url.starts_with("data:"))
        .map(|l| MediaLink {
            kind: match l.kind {
                MediaKind::Image => LinkKind::Image,
                MediaKind::Audio => LinkKind::Audio,
                MediaKind::Video => LinkKind::Video,
                MediaKind::Other => LinkKind::Link,
            },
            url: l.url.clone(),
            label: l.label.clone(),
        })
        .collect()
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
