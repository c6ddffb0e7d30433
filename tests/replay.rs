//! Every §7 scenario replayed through `Client::chat`, in every write mode where the body streams.

mod support;

use std::time::Duration;

use ecochat::api::client::Endpoint;
use ecochat::api::{ApiError, Citation};
use support::chat::{self, Outcome, endpoint, request};
use support::{MockServer, Reply, WriteMode, scenarios};

/// What a successful scenario must produce.
#[derive(Debug, Default, Clone, Copy)]
struct Expect {
    content: &'static str,
    reasoning: &'static str,
    /// (prompt, completion, total), or `None` to require no usage.
    usage: Option<(u64, u64, u64)>,
    finish: Option<&'static str>,
    truncated: bool,
}

const M1_TEXT: &str = "你好！有什么可以帮你？";
const M2_REASONING: &str = "用户问9.11和9.8哪个大，比较小数部分0.11<0.8。";
const M2_TEXT: &str = "9.8 更大。";

const M1: Expect = Expect {
    content: M1_TEXT,
    reasoning: "",
    usage: Some((9, 12, 21)),
    finish: Some("stop"),
    truncated: false,
};
const M2: Expect = Expect {
    content: M2_TEXT,
    reasoning: M2_REASONING,
    usage: Some((18, 40, 58)),
    finish: Some("stop"),
    truncated: false,
};

/// Checks one outcome against what the scenario promises.
fn check(label: &str, out: &Outcome, want: Expect) {
    let end = out.end();
    assert_eq!(out.content, want.content, "{label}: content");
    assert_eq!(out.reasoning, want.reasoning, "{label}: reasoning");
    let usage = out
        .usage
        .map(|u| (u.prompt_tokens, u.completion_tokens, u.total_tokens));
    assert_eq!(usage, want.usage, "{label}: usage events");
    let end_usage = end
        .usage
        .map(|u| (u.prompt_tokens, u.completion_tokens, u.total_tokens));
    assert_eq!(end_usage, want.usage, "{label}: ReplyEnd.usage");
    assert_eq!(
        end.finish_reason.as_deref(),
        want.finish,
        "{label}: finish_reason"
    );
    assert_eq!(
        end.possibly_truncated, want.truncated,
        "{label}: possibly_truncated"
    );
    assert!(!end.cancelled, "{label}: not cancelled");
}

/// Replays `make()` in every write mode on one server and checks each against `want`.
async fn replay_all_modes(make: fn() -> Reply, want: Expect) {
    let server = MockServer::start();
    for mode in WriteMode::ALL {
        let model = format!("model-{mode:?}");
        server.on_model(&model, vec![make().mode(mode)]);
        let out = chat::chat(&endpoint(&server), &request(&model, true)).await;
        check(&format!("{mode:?}"), &out, want);
    }
}

/// Replays `reply` once and returns the outcome.
async fn replay(reply: Reply, stream: bool) -> (Outcome, MockServer) {
    let server = MockServer::start();
    server.on_model("m", vec![reply]);
    let out = chat::chat(&endpoint(&server), &request("m", stream)).await;
    (out, server)
}

#[tokio::test]
async fn m1_normal_stream() {
    replay_all_modes(scenarios::m1, M1).await;
}

#[tokio::test]
async fn m1_crlf() {
    replay_all_modes(scenarios::m1_crlf, M1).await;
}

#[tokio::test]
async fn m1_nospace() {
    replay_all_modes(scenarios::m1_nospace, M1).await;
}

#[tokio::test]
async fn m2_reasoning_stream() {
    replay_all_modes(scenarios::m2, M2).await;
    let (out, _server) = replay(scenarios::m2(), true).await;
    assert_eq!(out.usage.and_then(|u| u.reasoning_tokens), Some(33));
}

#[tokio::test]
async fn m2_both_fields_are_not_printed_twice() {
    replay_all_modes(scenarios::m2_both, M2).await;
}

#[tokio::test]
async fn m2_think_block_becomes_reasoning() {
    // new-api's "thinking to content": the <think> block is chain-of-thought, not answer text.
    let server = MockServer::start();
    for mode in WriteMode::ALL {
        let model = format!("model-{mode:?}");
        server.on_model(&model, vec![scenarios::m2_think().mode(mode)]);
        let out = chat::chat(&endpoint(&server), &request(&model, true)).await;
        out.end();
        assert_eq!(out.reasoning.trim(), M2_REASONING, "{mode:?}");
        assert_eq!(out.content.trim(), M2_TEXT, "{mode:?}");
        assert!(!out.content.contains("think>"), "{mode:?}: {}", out.content);
    }
}

const M3_CONTENT: &str = "{\"prompt\":\"A realistic cat sitting gracefully, with a calm and curious expression, detailed fur, and expressive eyes. The background is soft and neutral to keep the focus on the cat. The cat is in a natural and comfortable position, conveying a peaceful demeanor. The lighting is soft to enhance the details of the fur and the texture.\",\"size\":\"1024x1024\"}\n\n\n\n[下载1](https://filesystem.site/cdn/download/20241101/r8OQfXQsP4uuv1lzIDEBTjVj5aVap6.webp)\n\n这里是一只优雅的小猫形象,具有温和、好奇的表情,栩栩如生。";

const M3: Expect = Expect {
    content: M3_CONTENT,
    reasoning: "",
    usage: Some((11, 183, 194)),
    finish: Some("stop"),
    truncated: false,
};

#[tokio::test]
async fn m3_non_stream_json() {
    for mode in [WriteMode::Whole, WriteMode::Odd, WriteMode::SplitUtf8] {
        let (out, server) = replay(scenarios::m3().mode(mode), false).await;
        check(&format!("{mode:?}"), &out, M3);
        assert_eq!(
            server.last_request().expect("request").json()["stream"],
            false
        );
    }
}

#[tokio::test]
async fn m3_json_answer_to_a_stream_request() {
    // §1.6: a plain completion in answer to stream:true is read as one JSON completion.
    let (out, _server) = replay(scenarios::m3(), true).await;
    check("json to stream", &out, M3);
}

#[tokio::test]
async fn m3_multi_keeps_both_images_and_tab() {
    let (out, _server) = replay(scenarios::m3_multi(), false).await;
    out.end();
    assert!(out.content.contains(
        "![image1](https://filesystem.site/cdn/20240427/r47DOspEJKH3oXq5dRCmol5BvjBlxS.webp)![image2]"
    ));
    assert!(out.content.contains(".webp)\t[下载2]("));
    assert!(out.content.ends_with("ball of yarn."));
}

const M4_CONTENT: &str = "{\n  \"prompt\": \"A Tibetan Mastiff walking on a zebra crossing along with a golden retriever and a dachshund.\",\n  \"referenced_image_ids\": [\"file-K51ZztW2MdH2z9J6gQzxR7\"]\n}\n\n> 进度 **2%**\n\n\n> 进度 **34%**\n\n\n> 进度 **67%**\n\n\n\n![file_000000007a5451f7b4c098cb3d95dace](https://filesystem.site/cdn/20250330/JfAL6qr7iuQsq0UwLSfK8W2XvP1rgv.png)\n[下载⏬](https://filesystem.site/cdn/download/20250330/JfAL6qr7iuQsq0UwLSfK8W2XvP1rgv.png)\n\n";

#[tokio::test]
async fn m4_progress_then_link() {
    let want = Expect {
        content: M4_CONTENT,
        finish: Some("stop"),
        ..Expect::default()
    };
    replay_all_modes(scenarios::m4, want).await;
    // With pauses between progress chunks (shortened from 2–5 s) the content is the same.
    let (out, _server) = replay(scenarios::m4().slow(Duration::from_millis(150)), true).await;
    check("slow", &out, want);
}

#[tokio::test]
async fn m4_video_and_fail() {
    let (video, _s1) = replay(scenarios::m4_video(), true).await;
    video.end();
    assert!(
        video
            .content
            .starts_with("> ID: `task_01jj4nyysdfscbqrv7rkj3f2pf`\n> 排队中..\n")
    );
    assert!(
        video
            .content
            .ends_with("sig=atLLhk6hMHoy5EfzmVuFazvr9wU9Ay7%2BQRwXjVW3CXQ%3D)")
    );
    let (fail, _s2) = replay(scenarios::m4_fail(), true).await;
    assert_eq!(fail.end().finish_reason.as_deref(), Some("stop"));
    assert!(
        fail.content
            .contains("\"size\":\"1024x1024\"}I wasn't able to generate the image")
    );
}

#[tokio::test]
async fn m5_mid_stream_error_keeps_partial_content() {
    for mode in WriteMode::ALL {
        let (out, _server) = replay(scenarios::m5().mode(mode), true).await;
        assert_eq!(out.content, "我先解释", "{mode:?}");
        let err = out.error().expect("an error");
        assert!(
            matches!(err, ApiError::InStream { .. }),
            "{mode:?}: {err:?}"
        );
        assert_eq!(
            out.message(),
            "the server reported an error mid-reply: The server had an error while processing your request. Sorry about that!"
        );
    }
}

#[tokio::test]
async fn m5_glm_error_without_done() {
    let (out, _server) = replay(scenarios::m5_glm(), true).await;
    assert_eq!(out.content, "关于这个");
    assert!(
        matches!(out.error(), Some(ApiError::InStream { .. })),
        "{:?}",
        out.error()
    );
    assert!(
        out.message()
            .contains("系统检测到输入或生成内容可能包含不安全或敏感内容"),
        "{}",
        out.message()
    );
}

#[tokio::test]
async fn m5_abrupt_close_is_interrupted_after_partial_content() {
    for mode in WriteMode::ALL {
        let (out, _server) = replay(scenarios::m5_abrupt().mode(mode), true).await;
        assert_eq!(out.content, "我先解释一下原因：", "{mode:?}");
        assert!(
            matches!(out.error(), Some(ApiError::Interrupted { .. })),
            "{mode:?}: {:?}",
            out.error()
        );
        assert!(
            out.message().contains("dropped mid-reply"),
            "{}",
            out.message()
        );
    }
}

#[tokio::test]
async fn m5_sensitive_finish() {
    let want = Expect {
        content: "I cannot",
        usage: Some((10, 2, 12)),
        finish: Some("sensitive"),
        ..Expect::default()
    };
    replay_all_modes(scenarios::m5_sensitive, want).await;
}

#[tokio::test]
async fn m7e_empty_stream_is_an_empty_reply() {
    let (out, _server) = replay(scenarios::m7e(), true).await;
    assert_eq!(out.content, "");
    assert!(
        matches!(out.error(), Some(ApiError::Empty { .. })),
        "{:?}",
        out.result
    );
    assert!(
        out.message()
            .starts_with("no content received from 127.0.0.1"),
        "{}",
        out.message()
    );
}

#[tokio::test]
async fn m9_kimi_usage_inside_choice() {
    let want = Expect {
        content: "。",
        usage: Some((39, 211, 250)),
        finish: Some("stop"),
        ..Expect::default()
    };
    replay_all_modes(scenarios::m9_kimi, want).await;
}

const SPARK: Expect = Expect {
    content: "你好！",
    reasoning: "",
    usage: Some((1, 3, 4)),
    finish: None,
    truncated: false,
};

#[tokio::test]
async fn m9_spark_no_space_no_finish_is_a_clean_end() {
    // Spark never sends a finish reason: usage and `[DONE]` after the text are its clean end.
    replay_all_modes(scenarios::m9_spark, SPARK).await;
    replay_all_modes(scenarios::m9_spark_done_unterminated, SPARK).await;
}

#[tokio::test]
async fn a_body_ending_without_done_or_finish_may_be_truncated() {
    let want = Expect {
        truncated: true,
        ..SPARK
    };
    replay_all_modes(scenarios::m9_spark_without_done, want).await;
}

#[tokio::test]
async fn m9_xunfei_conversion() {
    let want = Expect {
        content: "你好，我是讯飞星火认知大模型。",
        finish: Some("stop"),
        ..Expect::default()
    };
    replay_all_modes(scenarios::m9_xunfei, want).await;
}

#[tokio::test]
async fn m9_kimi_search_hits_are_content() {
    for mode in WriteMode::ALL {
        let (out, _server) = replay(scenarios::m9_kimi_search().mode(mode), true).await;
        assert_eq!(out.end().finish_reason.as_deref(), Some("stop"));
        assert_eq!(
            out.content,
            "【检索 1】 [上海天气预报](https://weather.example.cn/sh)\n\n明天上海多云。",
            "{mode:?}"
        );
        // The free-api {1,1,2} usage may be passed on, but only flagged as a placeholder.
        assert!(
            out.usage.is_none_or(|u| u.is_placeholder()),
            "{:?}",
            out.usage
        );
    }
}

#[tokio::test]
async fn metaso_citations_without_done() {
    for mode in WriteMode::ALL {
        let (out, _server) = replay(scenarios::metaso_citations().mode(mode), true).await;
        assert_eq!(out.end().finish_reason.as_deref(), Some("stop"), "{mode:?}");
        assert!(
            out.content.starts_with("明天上海晴到多云，20℃到31℃。"),
            "{mode:?}: {}",
            out.content
        );
        let want = Citation {
            title: "上海天气".to_string(),
            url: "https://sh.weather.com.cn/".to_string(),
        };
        assert_eq!(out.citations, vec![want], "{mode:?}");
    }
}

#[tokio::test]
async fn metaso_nonstream() {
    let (out, _server) = replay(scenarios::metaso_nonstream(), false).await;
    assert_eq!(out.content, "人工智能的发展可追溯到1956年达特茅斯会议……");
    assert_eq!(out.end().finish_reason.as_deref(), Some("stop"));
    assert!(out.usage.is_none_or(|u| u.is_placeholder()));
}

#[tokio::test]
async fn big_reply_arrives_whole() {
    let (out, _server) = replay(scenarios::big_reply(2000), true).await;
    assert_eq!(out.content, scenarios::pieces_text(2000));
    assert_eq!(out.end().finish_reason.as_deref(), Some("stop"));
}

#[tokio::test]
async fn ten_slow_chunks_arrive_in_order() {
    let (out, _server) = replay(scenarios::slow_stream(10, Duration::from_millis(20)), true).await;
    assert_eq!(out.content, scenarios::pieces_text(10));
    let contents = out
        .events
        .iter()
        .filter(|e| matches!(e, ecochat::api::StreamEvent::Content(t) if !t.is_empty()));
    assert_eq!(contents.count(), 10, "one Content event per chunk");
}

/// An endpoint with retries and short timeouts.
fn ep_with(server: &MockServer, retries: u32, idle: Duration) -> Endpoint {
    Endpoint {
        max_retries: retries,
        idle_timeout: idle,
        ..endpoint(server)
    }
}

#[path = "replay/errors.rs"]
mod errors;
#[path = "replay/request.rs"]
mod request_shape;
