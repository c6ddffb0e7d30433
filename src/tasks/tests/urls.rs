//! Provider roots, private hosts, link fixing and where the key may go.

use super::super::url::{fix_result_url, is_private_host, may_send_key, provider_root};

#[test]
fn provider_root_drops_v1() {
    assert_eq!(
        provider_root("https://api.ecovai.cn/v1"),
        "https://api.ecovai.cn"
    );
    assert_eq!(
        provider_root("https://api.ecovai.cn/v1/"),
        "https://api.ecovai.cn"
    );
    assert_eq!(
        provider_root("https://relay.example/"),
        "https://relay.example"
    );
    assert_eq!(
        provider_root("https://relay.example/openai/v1"),
        "https://relay.example/openai"
    );
    assert_eq!(
        provider_root("https://relay.example/v10"),
        "https://relay.example/v10"
    );
}

#[test]
fn private_hosts() {
    for h in [
        "localhost",
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.10",
        "169.254.1.1",
        "0.0.0.0",
        "[::1]",
        "fd00::1",
        "app.localhost",
    ] {
        assert!(is_private_host(h), "{h}");
    }
    for h in [
        "api.ecovai.cn",
        "8.8.8.8",
        "172.32.0.1",
        "cdn.discordapp.com",
    ] {
        assert!(!is_private_host(h), "{h}");
    }
}

#[test]
fn localhost_and_relay_only_links_move_to_the_provider() {
    let root = "https://api.ecovai.cn";
    assert_eq!(
        fix_result_url("http://localhost:3001/mj/image/1724963337114767", root),
        "https://api.ecovai.cn/mj/image/1724963337114767"
    );
    assert_eq!(
        fix_result_url("http://192.168.0.5:3000/mj/image/9?rand=123", root),
        "https://api.ecovai.cn/mj/image/9?rand=123"
    );
    assert_eq!(
        fix_result_url(
            "https://relay.example/mj/image/1730621826053455?rand=1",
            root
        ),
        "https://api.ecovai.cn/mj/image/1730621826053455?rand=1"
    );
    assert_eq!(
        fix_result_url("http://localhost:3000/v1/videos/task_veo/content", root),
        "https://api.ecovai.cn/v1/videos/task_veo/content"
    );
    // A CDN link is left alone.
    let cdn = "https://cdnmjp.oneabc.org/attachments/1/2/a.png?ex=6728831f&is=6727319f&hm=f6&";
    assert_eq!(fix_result_url(cdn, root), cdn);
    // A relay under a path prefix keeps it.
    assert_eq!(
        fix_result_url(
            "http://localhost:3000/mj/image/5",
            "https://r.example/openai"
        ),
        "https://r.example/openai/mj/image/5"
    );
    // The mock on 127.0.0.1 is the provider itself: nothing to fix.
    assert_eq!(
        fix_result_url("http://127.0.0.1:4000/mj/image/5", "http://127.0.0.1:4000"),
        "http://127.0.0.1:4000/mj/image/5"
    );
    assert_eq!(fix_result_url("not a url", root), "not a url");
}

#[test]
fn the_key_only_goes_to_the_provider_origin() {
    let root = "https://api.ecovai.cn";
    assert!(may_send_key(
        "https://api.ecovai.cn/v1/videos/t/content",
        root
    ));
    assert!(!may_send_key(
        "http://api.ecovai.cn/v1/videos/t/content",
        root
    ));
    assert!(!may_send_key("https://api.ecovai.cn:8443/x", root));
    assert!(!may_send_key("https://cdn1.suno.ai/a.mp3", root));
    assert!(!may_send_key("https://api.ecovai.cn.evil.example/x", root));
    assert!(!may_send_key("garbage", root));
}
