//! A comparison on screen: 2 and 4 columns at 120x40 and the tabs of a narrow terminal, with
//! Chinese text, markdown and code in the replies.

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::api::client::ReplyEnd;
use crate::api::{ApiError, StreamEvent, Usage};
use crate::app::test_harness::Harness;
use crate::app::{Action, Effect, StreamMsg};
use crate::config::{ModelSpec, Provider};
use crate::cost::Price;

const MODELS: [&str; 4] = ["gpt-4o", "deepseek-chat", "qwen-max", "glm-4-plus"];

/// A `mock` provider with the four models, `deepseek-chat` priced (¥2 / ¥8 per million).
fn harness(width: u16, height: u16) -> Harness {
    let mut h = Harness::sized(width, height);
    let mut p = Provider::new("mock", Some("http://127.0.0.1:9/v1".into()));
    p.models = MODELS.into_iter().map(ModelSpec::new).collect();
    *p.models[1].price = Price {
        input: Some(2_000_000),
        output: Some(8_000_000),
        ..Price::default()
    };
    h.app.providers = vec![h.app.providers[0].clone(), p];
    h
}

/// Compares the first `n` models on a Chinese prompt; the replies' ids.
fn compare(h: &mut Harness, n: usize) -> Vec<u64> {
    h.type_text(&format!("/compare {}", MODELS[..n].join(" ")));
    h.enter();
    h.type_text("用三句话介绍 Rust 的所有权");
    h.enter()
        .into_iter()
        .filter_map(|e| match e {
            Effect::StartReply { reply_id, .. } => Some(reply_id),
            _ => None,
        })
        .collect()
}

fn piece(h: &mut Harness, id: u64, text: &str) {
    h.act(Action::Stream {
        id,
        msg: StreamMsg::Event(StreamEvent::Content(text.into())),
    });
}

fn end(h: &mut Harness, id: u64, completion: u64) {
    h.act(Action::Stream {
        id,
        msg: StreamMsg::End(Ok(ReplyEnd {
            usage: Some(Usage {
                prompt_tokens: 20,
                completion_tokens: completion,
                total_tokens: 20 + completion,
                ..Usage::default()
            }),
            ..ReplyEnd::default()
        })),
    });
}

const MARKDOWN: &str = "## 所有权\n\n每个值都有**唯一**的所有者，所有者离开作用域时值被释放。\n\n- 移动：赋值转移所有权\n- 借用：`&T` 与 `&mut T`\n\n```rust\nlet s = String::from(\"你好\");\nlet t = s; // s 已移动\n```\n";
const PROSE: &str = "Rust 用所有权管理内存，无需垃圾回收。编译器在编译期检查借用规则，保证同一时刻要么只有一个可变引用，要么有多个不可变引用。这样既安全又高效，运行时没有额外开销。";

fn draw(h: &Harness) -> Terminal<TestBackend> {
    let (w, ht) = (h.app.area.width, h.app.area.height);
    let mut term = Terminal::new(TestBackend::new(w, ht)).expect("a test terminal");
    term.draw(|f| crate::ui::render(&h.app, f)).expect("drawn");
    term
}

#[test]
fn two_columns_at_120x40_side_by_side_with_their_numbers() {
    let mut h = harness(120, 40);
    let ids = compare(&mut h, 2);
    // Interleaved, as two servers send them: lines of one, a few characters of the other.
    let prose: Vec<char> = PROSE.chars().collect();
    let mut rest = prose.chunks(8);
    for chunk in MARKDOWN.split_inclusive('\n') {
        piece(&mut h, ids[0], chunk);
        if let Some(c) = rest.next() {
            piece(&mut h, ids[1], &c.iter().collect::<String>());
        }
    }
    for c in rest {
        piece(&mut h, ids[1], &c.iter().collect::<String>());
    }
    end(&mut h, ids[1], 96);
    end(&mut h, ids[0], 120);
    let term = draw(&h);
    let screen = term.backend().to_string();
    assert!(screen.contains("1 ◆ mock:gpt-4o ✓"), "{screen}");
    assert!(screen.contains("2 ◆ mock:deepseek-chat ✓"), "{screen}");
    assert!(
        screen.contains("¥"),
        "the priced reply shows its cost: {screen}"
    );
    insta::assert_snapshot!(term.backend());
}

#[test]
fn four_columns_at_120x40_one_writing_one_failed() {
    let mut h = harness(120, 40);
    let ids = compare(&mut h, 4);
    piece(&mut h, ids[0], MARKDOWN);
    piece(&mut h, ids[1], PROSE);
    piece(&mut h, ids[2], "所有权是 Rust 最独特的特性，");
    end(&mut h, ids[0], 120);
    end(&mut h, ids[1], 96);
    h.act(Action::Stream {
        id: ids[3],
        msg: StreamMsg::End(Err(ApiError::InStream {
            message: "模型过载，请稍后再试".into(),
        })),
    });
    // The conversation focused on the third column, which is still writing.
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    h.key(KeyCode::Right, KeyModifiers::NONE);
    h.key(KeyCode::Right, KeyModifiers::NONE);
    let term = draw(&h);
    let screen = term.backend().to_string();
    assert!(screen.contains("comparing: 1 of 4 writing"), "{screen}");
    assert!(screen.contains("3 ◆ mock:qwen-max …"), "{screen}");
    assert!(screen.contains("4 ◆ mock:glm-4-plus ✖"), "{screen}");
    insta::assert_snapshot!(term.backend());
}

#[test]
fn under_100_columns_the_replies_are_tabs() {
    let mut h = harness(80, 24);
    let ids = compare(&mut h, 3);
    piece(&mut h, ids[0], PROSE);
    piece(&mut h, ids[1], MARKDOWN);
    piece(&mut h, ids[2], "短回答。");
    for id in &ids {
        end(&mut h, *id, 50);
    }
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    h.key(KeyCode::Right, KeyModifiers::NONE);
    let term = draw(&h);
    let screen = term.backend().to_string();
    assert!(
        screen.contains("## 所有权") || screen.contains("所有权"),
        "{screen}"
    );
    assert!(
        !screen.contains("无需垃圾回收"),
        "only the focused tab: {screen}"
    );
    insta::assert_snapshot!(term.backend());
}

#[test]
fn picking_brings_back_the_conversation_with_the_chosen_reply() {
    let mut h = harness(120, 40);
    let ids = compare(&mut h, 2);
    piece(&mut h, ids[0], "甲的回答");
    piece(&mut h, ids[1], "乙的回答");
    end(&mut h, ids[0], 5);
    end(&mut h, ids[1], 5);
    h.key(KeyCode::Char('2'), KeyModifiers::ALT);
    let screen = draw(&h).backend().to_string();
    assert!(screen.contains("乙的回答"), "{screen}");
    assert!(!screen.contains("甲的回答"), "{screen}");
    assert!(!screen.contains("1 ◆"), "the columns are gone: {screen}");
}

#[test]
fn tiny_and_odd_sizes_do_not_panic() {
    for (w, ht) in [(20, 6), (30, 8), (99, 10), (100, 7), (200, 60)] {
        let mut h = harness(w, ht);
        let ids = compare(&mut h, 4);
        piece(&mut h, ids[0], MARKDOWN);
        draw(&h);
    }
}

#[test]
fn the_status_bar_names_the_columns_keys_while_they_have_the_focus() {
    let mut h = harness(160, 30);
    let ids = compare(&mut h, 2);
    for id in &ids {
        piece(&mut h, *id, "答");
        end(&mut h, *id, 1);
    }
    h.key(KeyCode::Tab, KeyModifiers::NONE);
    let screen = draw(&h).backend().to_string();
    let status = screen.lines().last().unwrap_or_default().to_string();
    assert!(status.contains("1-4 pick · ←→ column"), "{status}");
    assert!(!status.contains("[ ] select"), "{status}");
}
