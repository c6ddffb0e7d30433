//! Extraction on real reply shapes (api-notes §2.9 and §7 M3, M3-multi, M4, M4-video).

use super::*;

const M3: &str = "{\"prompt\":\"A realistic cat sitting gracefully, with a calm and curious expression, detailed fur, and expressive eyes.\",\"size\":\"1024x1024\"}\n\n\n\n[下载1](https://filesystem.site/cdn/download/20241101/r8OQfXQsP4uuv1lzIDEBTjVj5aVap6.webp)\n\n这里是一只优雅的小猫形象,具有温和、好奇的表情,栩栩如生。";

const M3_MULTI: &str = "{\"prompt\":\"…\",\"size\":\"1024x1024\"}\n\n![image1](https://filesystem.site/cdn/20240427/r47DOspEJKH3oXq5dRCmol5BvjBlxS.webp)![image2](https://filesystem.site/cdn/20240427/vT8b3yqiFhEqQeu4Kyftb0nQP5bhdN.webp)\n\n[下载1](https://filesystem.site/cdn/download/20240427/r47DOspEJKH3oXq5dRCmol5BvjBlxS.webp)\t[下载2](https://filesystem.site/cdn/download/20240427/vT8b3yqiFhEqQeu4Kyftb0nQP5bhdN.webp)\n\nHere are the images …";

const M4: &str = "{\n  \"prompt\": \"A Tibetan Mastiff walking on a zebra crossing along with a golden retriever and a dachshund.\",\n  \"referenced_image_ids\": [\"file-K51ZztW2MdH2z9J6gQzxR7\"]\n}\n\n> 进度 **2%**\n\n\n> 进度 **34%**\n\n\n> 进度 **67%**\n\n\n\n![file_000000007a5451f7b4c098cb3d95dace](https://filesystem.site/cdn/20250330/JfAL6qr7iuQsq0UwLSfK8W2XvP1rgv.png)\n[下载⏬](https://filesystem.site/cdn/download/20250330/JfAL6qr7iuQsq0UwLSfK8W2XvP1rgv.png)\n\n";

const M4_VIDEO: &str = "> ID: `task_01jj4nyysdfscbqrv7rkj3f2pf`\n> 排队中..\n> 生成中...\n> 生成完成 ✅\n\n\n> 视频信息 480x854\n\n![https://filesystem.site/cdn/20250121/F8K35Gm76LJ4o3PZ4vuvgJKWGlc0gP.webp](https://filesystem.site/cdn/20250121/F8K35Gm76LJ4o3PZ4vuvgJKWGlc0gP.webp)\n[在线播放▶️](https://videos.openai.com/vg-assets/assets%2Ftask_01jj%2Fvideos%2F00000_81274901_watermarked.mp4?st=2025-01-21T13%3A52%3A45Z&se=2025-01-27T14%3A52%3A45Z&sp=r&sig=atLLhk6hMHoy5EfzmVuFazvr9wU9Ay7%2BQRwXjVW3CXQ%3D)";

const SORA_MP4: &str = "https://videos.openai.com/vg-assets/assets%2Ftask_01jj%2Fvideos%2F00000_81274901_watermarked.mp4?st=2025-01-21T13%3A52%3A45Z&se=2025-01-27T14%3A52%3A45Z&sp=r&sig=atLLhk6hMHoy5EfzmVuFazvr9wU9Ay7%2BQRwXjVW3CXQ%3D";

fn urls(links: &[MediaLink]) -> Vec<&str> {
    links.iter().map(|l| l.url.as_str()).collect()
}

#[test]
fn m3_download_link_after_a_raw_json_prompt() {
    let links = extract_links(M3);
    assert_eq!(
        urls(&links),
        ["https://filesystem.site/cdn/download/20241101/r8OQfXQsP4uuv1lzIDEBTjVj5aVap6.webp"]
    );
    assert_eq!(links[0].kind, MediaKind::Image);
    assert_eq!(links[0].label.as_deref(), Some("下载1"));
    assert_eq!(links[0].download, None);
}

#[test]
fn m3_multi_pairs_view_and_download_links() {
    let links = extract_links(M3_MULTI);
    assert_eq!(
        urls(&links),
        [
            "https://filesystem.site/cdn/20240427/r47DOspEJKH3oXq5dRCmol5BvjBlxS.webp",
            "https://filesystem.site/cdn/20240427/vT8b3yqiFhEqQeu4Kyftb0nQP5bhdN.webp"
        ]
    );
    assert_eq!(
        links[1].download.as_deref(),
        Some("https://filesystem.site/cdn/download/20240427/vT8b3yqiFhEqQeu4Kyftb0nQP5bhdN.webp")
    );
    assert_eq!(links[0].label.as_deref(), Some("image1"));
    assert!(links.iter().all(|l| l.kind == MediaKind::Image));
}

#[test]
fn m4_progress_reply_yields_one_image_with_its_download() {
    let links = extract_links(M4);
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(
        links[0].url,
        "https://filesystem.site/cdn/20250330/JfAL6qr7iuQsq0UwLSfK8W2XvP1rgv.png"
    );
    assert!(links[0].download.is_some());
    assert_eq!(
        links[0].label.as_deref(),
        Some("file_000000007a5451f7b4c098cb3d95dace")
    );
}

#[test]
fn streaming_prefixes_never_yield_a_cut_url() {
    for text in [M3, M3_MULTI, M4, M4_VIDEO, SUNO, CJK] {
        let full: Vec<String> = extract_links(text).into_iter().map(|l| l.url).collect();
        let mut ends: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        ends.push(text.len());
        for end in ends {
            for link in settled_links(&text[..end], true) {
                let known = full.contains(&link.url)
                    || extract_links(text)
                        .iter()
                        .any(|l| l.download.as_deref() == Some(&link.url));
                assert!(known, "prefix {end} of {text:?} gave {:?}", link.url);
            }
        }
    }
}

#[test]
fn m4_video_keeps_the_percent_encoded_query_whole() {
    let links = extract_links(M4_VIDEO);
    assert_eq!(
        urls(&links),
        [
            "https://filesystem.site/cdn/20250121/F8K35Gm76LJ4o3PZ4vuvgJKWGlc0gP.webp",
            SORA_MP4
        ]
    );
    assert_eq!(links[0].kind, MediaKind::Image);
    assert_eq!(
        links[0].label, None,
        "an alt text that is the URL says nothing"
    );
    assert_eq!(links[1].kind, MediaKind::Video);
    assert_eq!(links[1].label.as_deref(), Some("在线播放▶️"));
}

#[test]
fn sora_link_without_extension_is_a_video_by_host() {
    let text = "[100](https://videos.openai.com/vg-assets/abc?sig=x%2Fy&se=1)";
    let links = extract_links(text);
    assert_eq!(
        urls(&links),
        ["https://videos.openai.com/vg-assets/abc?sig=x%2Fy&se=1"]
    );
    assert_eq!(links[0].kind, MediaKind::Video);
}

#[test]
fn the_relays_video_content_route_is_a_video() {
    for url in [
        "https://api.ecovai.cn/v1/videos/task_7Yx/content",
        "http://127.0.0.1:3000/relay/v1/videos/abc/content",
    ] {
        assert_eq!(classify(url, false), MediaKind::Video, "{url}");
    }
    assert_eq!(
        classify("https://api.ecovai.cn/v1/videos//content", false),
        MediaKind::Other
    );
    assert_eq!(
        classify("https://example.com/v1/videos/abc", false),
        MediaKind::Other
    );
}

const SUNO: &str = "🎵 **星空下的约定**\n\n[音频1](https://cdn1.suno.ai/1f2e3d4c.mp3) | [视频1](https://cdn1.suno.ai/1f2e3d4c.mp4)\n![封面](https://cdn2.suno.ai/image_1f2e3d4c.jpeg)\n\n```json\n{\"audio_url\":\"https://cdn1.suno.ai/5a6b7c8d.mp3\",\"video_url\":\"https:\\/\\/cdn1.suno.ai\\/5a6b7c8d.mp4\",\"image_url\": \"https://cdn2.suno.ai/image_5a6b7c8d.jpeg\"}\n```\n";

#[test]
fn suno_reply_with_mp3_links_and_a_json_blob() {
    let links = extract_links(SUNO);
    let got: Vec<(&str, MediaKind)> = links.iter().map(|l| (l.url.as_str(), l.kind)).collect();
    assert_eq!(
        got,
        [
            ("https://cdn1.suno.ai/1f2e3d4c.mp3", MediaKind::Audio),
            ("https://cdn1.suno.ai/1f2e3d4c.mp4", MediaKind::Video),
            ("https://cdn2.suno.ai/image_1f2e3d4c.jpeg", MediaKind::Image),
            ("https://cdn1.suno.ai/5a6b7c8d.mp3", MediaKind::Audio),
            ("https://cdn1.suno.ai/5a6b7c8d.mp4", MediaKind::Video),
            ("https://cdn2.suno.ai/image_5a6b7c8d.jpeg", MediaKind::Image),
        ]
    );
}

const CJK: &str = "图片：https://a.example/x.png。另一张（https://b.example/y.jpg），还有https://c.example/z.webp、完。见<https://d.example/v.mp4>！";

#[test]
fn cjk_punctuation_around_bare_links_is_not_part_of_them() {
    assert_eq!(
        urls(&extract_links(CJK)),
        [
            "https://a.example/x.png",
            "https://b.example/y.jpg",
            "https://c.example/z.webp",
            "https://d.example/v.mp4"
        ]
    );
}

#[test]
fn ascii_punctuation_and_emphasis_are_trimmed_balanced_parens_kept() {
    let text = "See https://a.example/p.png. Also (https://b.example/q.gif), **https://c.example/r.jpg**, and https://en.wikipedia.org/wiki/Cat_(animal)!";
    assert_eq!(
        urls(&extract_links(text)),
        [
            "https://a.example/p.png",
            "https://b.example/q.gif",
            "https://c.example/r.jpg",
            "https://en.wikipedia.org/wiki/Cat_(animal)"
        ]
    );
}

#[test]
fn midjourney_style_progress_reply() {
    let text = "```json\n{\"prompt\":\"a cat in space --v 6\"}\n```\n\n> 任务ID: 1320098173412546\n> 进度 35%\n> 进度 100%\n\n![a cat in space](https://cdn.midjourney-proxy.example/attachments/1/2/cat_space.png?ex=66&is=65&hm=ab)\n\nU1 U2 U3 U4 · V1 V2 V3 V4";
    let links = extract_links(text);
    assert_eq!(links.len(), 1);
    assert_eq!(
        links[0].url,
        "https://cdn.midjourney-proxy.example/attachments/1/2/cat_space.png?ex=66&is=65&hm=ab"
    );
    assert_eq!(links[0].kind, MediaKind::Image);
}

#[test]
fn poe_image_with_query_and_cjk_alt() {
    let text = "绘制中..\n![一只猫，坐在窗台上。（写实风格）.png](https://pfst.cf2.poecdn.net/base/image/9f8e7d?w=1024&h=1024&pmaid=73818077)";
    let links = extract_links(text);
    assert_eq!(
        urls(&links),
        ["https://pfst.cf2.poecdn.net/base/image/9f8e7d?w=1024&h=1024&pmaid=73818077"]
    );
    assert_eq!(links[0].kind, MediaKind::Image);
}

#[test]
fn duplicates_merge_and_markdown_image_syntax_makes_an_image() {
    let text = "![pic](https://x.example/render?id=1) again https://x.example/render?id=1 and [page](https://x.example/about)";
    let links = extract_links(text);
    assert_eq!(
        urls(&links),
        ["https://x.example/render?id=1", "https://x.example/about"]
    );
    assert_eq!(links[0].kind, MediaKind::Image);
    assert_eq!(links[1].kind, MediaKind::Other);
}

#[test]
fn non_http_links_are_listed_but_relative_and_mail_links_are_not() {
    let text = "![demo](ecochat://assets/demo.png) [mail](mailto:a@b.c) [rel](/docs/x.png) [anchor](#top) ![inline](data:image/png;base64,iVBORw0KGgo=)";
    let links = extract_links(text);
    assert_eq!(
        urls(&links),
        [
            "ecochat://assets/demo.png",
            "data:image/png;base64,iVBORw0KGgo="
        ]
    );
    assert!(links.iter().all(|l| l.kind == MediaKind::Image));
}

#[test]
fn markdown_titles_and_angle_targets() {
    let text = "![a](https://a.example/1.png \"title\") [b](<https://b.example/2 3.mp3>)";
    let links = extract_links(text);
    assert_eq!(
        urls(&links),
        ["https://a.example/1.png", "https://b.example/2 3.mp3"]
    );
    assert_eq!(links[1].kind, MediaKind::Audio);
}

#[test]
fn json_escaped_urls_are_unescaped() {
    let text = r#"{"data":[{"url":"https:\/\/cdn.example\/gen\/a.png?x=1\u0026y=2"}]}"#;
    assert_eq!(
        urls(&extract_links(text)),
        ["https://cdn.example/gen/a.png?x=1&y=2"]
    );
}

#[test]
fn a_url_at_the_end_of_a_live_message_waits_for_more_text() {
    let text = "here: https://a.example/img.pn";
    assert!(settled_links(text, true).is_empty());
    assert_eq!(settled_links(text, false).len(), 1);
    assert_eq!(
        settled_links("here: https://a.example/img.png\n", true).len(),
        1
    );
    // An unclosed markdown link is not a link yet, and its URL is not taken as a bare one.
    assert!(settled_links("![x](https://a.example/img.png", true).is_empty());
}

#[test]
fn plain_text_has_no_links() {
    assert!(extract_links("你好！有什么可以帮你？ 9.8 更大。 http:// nothing").is_empty());
    assert!(extract_links("").is_empty());
}

#[test]
fn links_are_found_only_in_the_text_as_displayed() {
    // An OSC title, a DCS string and an APC each hide a link from the screen: none is a link.
    let text = "Nice day!\x1b]0;![x](http://127.0.0.1:9/invisible.png)\x07\n\
                \x1bP[d](https://x.example/dcs.png)\x1b\\ \u{9d}https://x.example/c1.png\u{9c}\n\
                \x1b_https://x.example/apc.png\x1b\\ ok ![v](https://x.example/shown.png)\n\
                \x1b]8;;https://x.example/hyperlink.png\x07text\x1b]8;;\x07";
    let urls: Vec<String> = extract_links(text).into_iter().map(|l| l.url).collect();
    assert_eq!(urls, ["https://x.example/shown.png"]);
    // Still unterminated while streaming: what follows is hidden too.
    assert!(settled_links("a \x1b]0;https://x.example/a.png tail\n", true).is_empty());
    // A colour sequence hides nothing: the link next to it counts.
    let coloured = "\x1b[31m![r](https://x.example/red.png)\x1b[0m";
    assert_eq!(extract_links(coloured).len(), 1);
}
