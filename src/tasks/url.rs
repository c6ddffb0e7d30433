//! Where task routes live and what to do with the result links they return (§1.6, §3.10).

use std::net::IpAddr;

use reqwest::Url;

/// The provider's root: `base_url` without a trailing `/v1` (and without trailing slashes).
/// `/mj/…` and `/suno/…` hang off it.
pub fn provider_root(base_url: &str) -> String {
    let trimmed = base_url.trim_end_matches('/');
    trimmed
        .strip_suffix("/v1")
        .unwrap_or(trimmed)
        .trim_end_matches('/')
        .to_string()
}

/// True for hosts no user's machine should be sent to on a relay's word: loopback, private,
/// link-local and unspecified addresses, and `localhost`.
pub fn is_private_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.eq_ignore_ascii_case("localhost") || h.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    match h.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.is_unspecified() || (ip.segments()[0] & 0xfe00) == 0xfc00
        }
        Err(_) => false,
    }
}

/// Paths that only the relay itself serves: its Midjourney image proxy and video content route.
fn is_relay_path(path: &str) -> bool {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    // `/mj/image/<id>` and `/<mode>/mj/image/<id>`.
    let mj = segs
        .windows(3)
        .any(|w| w[0] == "mj" && w[1] == "image" && !w[2].is_empty());
    let video = matches!(segs.as_slice(), ["v1", "videos", id, "content"] if !id.is_empty());
    mj || video
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A result link made usable: a link on `localhost` or a private address (new-api's default
/// `ServerAddress` is `http://localhost:3000`), or a relay-only path on another host, is moved
/// to the configured provider root, keeping its path and query. Anything else is unchanged.
pub fn fix_result_url(url: &str, root: &str) -> String {
    let (Ok(mut u), Ok(base)) = (Url::parse(url.trim()), Url::parse(root)) else {
        return url.trim().to_string();
    };
    if same_origin(&u, &base) {
        return u.to_string();
    }
    let private = u.host_str().is_some_and(is_private_host);
    if !private && !is_relay_path(u.path()) {
        return u.to_string();
    }
    let prefix = base.path().trim_end_matches('/');
    let path = format!("{prefix}{}", u.path());
    let query = u.query().map(str::to_string);
    let mut fixed = base.clone();
    fixed.set_path(&path);
    fixed.set_query(query.as_deref());
    u = fixed;
    u.to_string()
}

/// True for the relay's video content route (`…/v1/videos/{id}/content`), the one media link
/// that needs the key (relay notes §3.5).
pub fn is_keyed_content(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| {
        let segs: Vec<&str> = u.path().trim_matches('/').split('/').collect();
        matches!(segs.as_slice(), [.., "v1", "videos", id, "content"] if !id.is_empty())
    })
}

/// Whether fetching `url` may carry the provider's key: only on the provider's own origin.
/// Any other host (a CDN, Discord, Suno) never sees it.
pub fn may_send_key(url: &str, root: &str) -> bool {
    match (Url::parse(url), Url::parse(root)) {
        (Ok(u), Ok(base)) => same_origin(&u, &base),
        _ => false,
    }
}

/// True for `http(s)://` links, the only ones ecochat follows.
pub fn is_web_url(s: &str) -> bool {
    let lower = s.trim_start().get(..8).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}
