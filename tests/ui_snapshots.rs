//! Whole-screen snapshots of the TUI through `TestBackend` at 80x24 and 120x40, driven through
//! `update` with keys and stream pieces like a user and the runtime; plain checks of the cursor,
//! resize storms and wide characters are in `checks`.

#[path = "ui_snapshots/attach.rs"]
mod attach;
#[path = "ui_snapshots/branch.rs"]
mod branch;
#[path = "ui_snapshots/checks.rs"]
mod checks;
#[path = "ui_snapshots/harness.rs"]
mod harness;

use crossterm::event::KeyCode;

use ecochat::api::{ApiError, StreamEvent};
use ecochat::app::Effect;
use harness::{CTRL, Harness, NONE, long_chat, usage};

/// The sizes every screen is snapshotted at.
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Snapshots the screen built by `build` at every size in `SIZES`, as `<name>_<w>x<h>`.
fn snapshot_at_sizes(name: &str, build: impl Fn(&mut Harness)) {
    for (w, h) in SIZES {
        let mut h = Harness::new("deepseek-chat", w, h);
        build(&mut h);
        let backend = h.draw();
        insta::assert_snapshot!(
            format!("{name}_{w}x{}", backend.buffer().area.height),
            backend
        );
    }
}

const CJK_QUESTION: &str = "用三句话介绍一下长城。";
const CJK_REPLY: [&str; 6] = [
    "长城是中国古代",
    "的军事防御工程，",
    "东起山海关，西至嘉峪关，全长两万多公里。",
    "\n\n它始建于春秋战国时期，",
    "秦始皇统一六国后将各段连接起来；",
    "明朝又大规模重修，今天看到的多为明长城。",
];

#[test]
fn empty_chat_shows_the_welcome() {
    snapshot_at_sizes("empty", |_| {});
}

#[test]
fn the_offline_demo_says_what_it_is_and_how_to_use_a_relay() {
    snapshot_at_sizes("demo_welcome", |h| {
        h.app.target = ecochat::providers::Target {
            provider: ecochat::config::Provider::builtin_demo(),
            model: ecochat::config::ModelSpec::new("demo"),
        };
        h.app.config_path = Some("/home/u/.config/ecochat/config.toml".into());
        h.app.providers = vec![
            ecochat::config::Provider::builtin_ecovai(),
            ecochat::config::Provider::builtin_demo(),
        ];
        // A first run: no key in the environment.
        h.app.missing_keys = ecochat::app::missing_keys(&h.app.providers, &|_| None);
    });
}

#[test]
fn the_demo_with_every_key_set_points_at_the_picker() {
    let mut h = Harness::new("demo", 80, 24);
    h.app.target = ecochat::providers::Target {
        provider: ecochat::config::Provider::builtin_demo(),
        model: ecochat::config::ModelSpec::new("demo"),
    };
    h.app.providers = vec![
        ecochat::config::Provider::builtin_ecovai(),
        ecochat::config::Provider::builtin_demo(),
    ];
    h.app.missing_keys = ecochat::app::missing_keys(&h.app.providers, &|name: &str| {
        (name == "ECOVAI_API_KEY").then(|| "sk-set".to_string())
    });
    let screen = h.draw().to_string();
    assert!(screen.contains("offline demo"), "{screen}");
    assert!(
        screen.contains("Ctrl+P picks one of its models"),
        "{screen}"
    );
    assert!(!screen.contains("export ECOVAI_API_KEY"), "{screen}");
}

#[test]
fn cjk_reply_mid_stream() {
    snapshot_at_sizes("cjk_streaming", |h| {
        h.send(CJK_QUESTION);
        for (i, piece) in CJK_REPLY.iter().enumerate() {
            h.at(400 + 150 * i as u64).content(piece);
        }
        h.tick(1600);
    });
}

const THOUGHTS: [&str; 3] = [
    "用户问的是 9.11 和 9.9 哪个大。",
    "比较小数要先看整数部分，都是 9；再看十分位：1 < 9，",
    "所以 9.9 更大。The user may be thinking of version numbers, where 9.11 comes later.",
];

/// A reasoning model that has thought and, if `answer`, started answering.
fn reasoning_reply(h: &mut Harness, answer: bool) {
    h.send("9.11 和 9.9 哪个大？");
    for (i, t) in THOUGHTS.iter().enumerate() {
        h.at(600 + 200 * i as u64).reasoning(t);
    }
    if answer {
        h.at(1400).content("**9.9 更大。** 小数比较按位进行：");
        h.at(1500).content("9.9 = 9.90，而 9.90 > 9.11。");
    }
    h.tick(1600);
}

fn snapshot_reasoning(name: &str, build: impl Fn(&mut Harness)) {
    for (w, hgt) in SIZES {
        let mut h = Harness::new("deepseek-reasoner", w, hgt);
        build(&mut h);
        let backend = h.draw();
        insta::assert_snapshot!(format!("{name}_{w}x{hgt}"), backend);
    }
}

#[test]
fn reasoning_is_shown_while_the_model_thinks() {
    snapshot_reasoning("reasoning_live", |h| reasoning_reply(h, false));
}

#[test]
fn reasoning_collapses_once_the_answer_starts() {
    snapshot_reasoning("reasoning_collapsed", |h| reasoning_reply(h, true));
}

#[test]
fn ctrl_t_expands_the_reasoning() {
    snapshot_reasoning("reasoning_expanded", |h| {
        reasoning_reply(h, true);
        h.finish(Some(usage(18, 96)));
        h.key(KeyCode::Char('t'), CTRL);
    });
}

#[test]
fn a_refused_key_fails_the_reply() {
    snapshot_at_sizes("failed_401", |h| {
        h.send("hello");
        h.at(300).end(Err(ApiError::Auth {
            status: 401,
            host: "api.ecovai.cn".into(),
            message: "Invalid token (request id: 2025031409410012345)".into(),
            key_source: "ECOVAI_API_KEY".into(),
        }));
    });
}

#[test]
fn a_dropped_connection_interrupts_the_reply() {
    snapshot_at_sizes("interrupted", |h| {
        h.send("Explain TCP slow start in two sentences.");
        h.at(500)
            .content("TCP slow start grows the congestion window exponentially, ");
        h.at(600)
            .content("doubling it every round trip until a loss or ");
        h.at(2000).end(Err(ApiError::Interrupted {
            host: "api.ecovai.cn".into(),
            detail: "connection reset by peer".into(),
        }));
    });
}

#[test]
fn esc_cancels_the_reply_and_keeps_the_partial_text() {
    snapshot_at_sizes("cancelled", |h| {
        h.send(CJK_QUESTION);
        h.at(400).content(CJK_REPLY[0]);
        h.at(500).content(CJK_REPLY[1]);
        let effects = h.at(700).key(KeyCode::Esc, NONE);
        assert!(matches!(effects[..], [Effect::CancelReply { .. }]));
        // The reply task notices the token and ends; its late pieces are dropped.
        h.content("不该出现");
    });
}

#[test]
fn waiting_shows_a_spinner() {
    snapshot_at_sizes("waiting", |h| {
        h.send("写一首关于秋天的五言绝句");
        h.tick(2300);
    });
}

#[test]
fn usage_appears_when_the_reply_ends() {
    snapshot_at_sizes("usage", |h| {
        h.send(CJK_QUESTION);
        for (i, piece) in CJK_REPLY.iter().enumerate() {
            h.at(400 + 150 * i as u64).content(piece);
        }
        h.at(1500).event(StreamEvent::Usage(usage(23, 87)));
        h.finish(None);
    });
}

#[test]
fn f1_opens_the_help() {
    snapshot_at_sizes("help", |h| {
        h.send("hi");
        h.at(300).content("Hello! How can I help you today?");
        h.finish(Some(usage(9, 10)));
        h.key(KeyCode::F(1), NONE);
    });
}

#[test]
fn ctrl_j_grows_the_input_box() {
    snapshot_at_sizes("multiline_input", |h| {
        h.type_str("请把下面三行翻译成英文：");
        for line in ["第一行：你好", "第二行：谢谢", "第三行：再见"] {
            h.key(KeyCode::Char('j'), CTRL);
            h.type_str(line);
        }
    });
}

#[test]
fn long_conversation_scrolled_to_the_middle() {
    snapshot_at_sizes("long_middle", |h| {
        long_chat(h, 150);
        assert_eq!(h.app.conv.messages().len(), 300);
        let total = h.app.layout().total_lines();
        let mut presses = 0;
        while h.app.scroll_top() > total / 2 {
            h.key(KeyCode::PageUp, NONE);
            presses += 1;
            assert!(presses < 1000, "PageUp should move the view");
        }
        assert!(
            !h.app.scroll.follow,
            "scrolling up stops following the tail"
        );
        let panes = h.app.panes().expect("big enough");
        let backend = h.draw();
        let bar_x = panes.conversation.right() - 1;
        let bar: String = (panes.conversation.top()..panes.conversation.bottom())
            .map(|y| backend.buffer()[(bar_x, y)].symbol().to_string())
            .collect();
        assert!(
            bar.contains('█'),
            "a scrollbar thumb is drawn in the last column: {bar:?}"
        );
    });
}

#[test]
fn tiny_terminal_still_shows_panes() {
    let mut h = Harness::new("deepseek-chat", 20, 6);
    h.send(CJK_QUESTION);
    h.at(400).content(CJK_REPLY[0]);
    h.at(500).content(CJK_REPLY[1]);
    h.finish(None);
    insta::assert_snapshot!("tiny_20x6", h.draw());
}

#[test]
fn below_the_minimum_size_a_notice_is_shown() {
    let mut h = Harness::new("deepseek-chat", 19, 5);
    h.send(CJK_QUESTION);
    let backend = h.draw();
    let first: String = (0..19)
        .map(|x| backend.buffer()[(x, 0)].symbol().to_string())
        .collect();
    assert_eq!(first.trim_end(), "ecochat needs 20x6");
    insta::assert_snapshot!("tiny_19x5", backend);
}

#[test]
fn at_10x3_the_notice_wraps_at_words() {
    let mut h = Harness::new("deepseek-chat", 10, 3);
    let backend = h.draw();
    let rows: Vec<String> = (0..3)
        .map(|y| {
            (0..10)
                .map(|x| backend.buffer()[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect();
    assert_eq!(rows, ["ecochat", "needs 20x6", ""]);
}
