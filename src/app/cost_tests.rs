//! Replies priced as they finish, and the session total in the status bar.

use ratatui::backend::TestBackend;

use super::test_harness::Harness;
use super::{Action, Effect, StreamMsg};
use crate::api::client::ReplyEnd;
use crate::api::{StreamEvent, Usage};
use crate::cost::{Currency, Money, Price};

/// The demo model priced at ¥2 per million prompt tokens and ¥8 per million completion tokens.
fn priced() -> Harness {
    let mut h = Harness::new();
    h.app.providers[0].models[0].price = Price {
        input: Some(2_000_000),
        output: Some(8_000_000),
        ..Price::default()
    };
    h
}

fn usage(prompt: u64, completion: u64) -> Usage {
    Usage {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        ..Usage::default()
    }
}

/// Sends a prompt and ends its reply, reporting `usage`.
fn reply(h: &mut Harness, usage: Option<Usage>) {
    h.type_text("q");
    let fx = h.enter();
    let Some(Effect::StartReply { reply_id, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let id = *reply_id;
    h.act(Action::Stream {
        id,
        msg: StreamMsg::Event(StreamEvent::Content("答".into())),
    });
    h.act(Action::Stream {
        id,
        msg: StreamMsg::End(Ok(ReplyEnd {
            usage,
            ..ReplyEnd::default()
        })),
    });
}

fn screen(h: &Harness) -> String {
    let (w, ht) = (h.app.area.width, h.app.area.height);
    let mut terminal = ratatui::Terminal::new(TestBackend::new(w, ht)).expect("a test terminal");
    terminal
        .draw(|f| crate::ui::render(&h.app, f))
        .expect("drawn");
    let buf = terminal.backend().buffer();
    (0..ht)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

#[test]
fn a_finished_reply_is_priced_and_shows_its_cost_under_it() {
    let mut h = priced();
    reply(&mut h, Some(usage(1_000, 234)));
    let last = h.app.conv.messages.last().unwrap();
    assert_eq!(last.cost, Some(Money::new(3_872, Currency::Cny)));
    let s = screen(&h);
    assert!(s.contains("¥0.0039 · 1,234 tok"), "{s}");
}

#[test]
fn the_status_bar_adds_up_the_session() {
    let mut h = priced();
    reply(&mut h, Some(usage(1_000, 234)));
    assert!(screen(&h).contains("session ¥0.0039"), "{}", screen(&h));
    reply(&mut h, Some(usage(2_000, 1_000)));
    // 3,872 + 12,000 micro-yuan.
    let s = screen(&h);
    assert!(s.contains("session ¥0.0159"), "{s}");
    // A new conversation starts from nothing.
    h.key(
        crossterm::event::KeyCode::Char('n'),
        crossterm::event::KeyModifiers::CONTROL,
    );
    assert!(!screen(&h).contains("session ¥"), "{}", screen(&h));
}

#[test]
fn without_a_price_or_usage_there_is_no_cost() {
    let mut h = Harness::new();
    reply(&mut h, Some(usage(1_000, 234)));
    assert_eq!(h.app.conv.messages.last().unwrap().cost, None);
    let s = screen(&h);
    assert!(!s.contains('¥'), "{s}");
    let mut h = priced();
    reply(&mut h, None);
    assert_eq!(h.app.conv.messages.last().unwrap().cost, None);
    assert!(!screen(&h).contains("session"), "{}", screen(&h));
}

#[test]
fn relay_prices_apply_where_the_config_has_none() {
    let mut h = Harness::new();
    let listed = Price {
        input: Some(1_000_000),
        output: Some(1_000_000),
        ..Price::default()
    };
    h.app
        .relay_prices
        .insert("demo".into(), [("demo".to_string(), listed)].into());
    reply(&mut h, Some(usage(500, 500)));
    assert_eq!(
        h.app.conv.messages.last().unwrap().cost,
        Some(Money::new(1_000, Currency::Cny))
    );
}
