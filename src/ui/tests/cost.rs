//! Cost and balance through `update` and on screen: replies priced as they finish, the session
//! total in the status bar, the browser's spend, `/balance` and `show_balance`.

use ratatui::backend::TestBackend;

use crate::api::Usage;
use crate::api::client::ReplyEnd;
use crate::app::cost::{BillingEffect, BillingMsg};
use crate::app::test_harness::Harness;
use crate::app::{Action, Effect, StreamMsg};
use crate::cost::{Currency, Money, Price};

/// The demo model priced at ¥2 per million prompt tokens and ¥8 per million completion tokens.
fn priced() -> Harness {
    let mut h = Harness::new();
    *h.app.providers[0].models[0].price = Price {
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
    let end = ReplyEnd {
        usage,
        ..ReplyEnd::default()
    };
    h.answer_ending(&fx, "答", end);
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
    let last = h.app.conv.messages().last().unwrap();
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
    assert_eq!(h.app.conv.messages().last().unwrap().cost, None);
    let s = screen(&h);
    assert!(!s.contains('¥'), "{s}");
    let mut h = priced();
    reply(&mut h, None);
    assert_eq!(h.app.conv.messages().last().unwrap().cost, None);
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
        .billing
        .relay_prices
        .insert("demo".into(), [("demo".to_string(), listed)].into());
    reply(&mut h, Some(usage(500, 500)));
    assert_eq!(
        h.app.conv.messages().last().unwrap().cost,
        Some(Money::new(1_000, Currency::Cny))
    );
}

/// A harness talking to a relay (not the demo) that shows its balance below ¥5 in red.
fn on_relay() -> Harness {
    let mut h = Harness::new();
    let mut p = crate::config::Provider::new("relay", Some("https://r.test/v1".into()));
    p.show_balance = true;
    p.low_balance = Some(5.0);
    p.relay_pricing = true;
    h.app.target.provider = p.clone();
    h.app.providers.push(p);
    h
}

fn balance(left: i64) -> crate::api::billing::Balance {
    crate::api::billing::Balance {
        symbol: "¥",
        limit: Some(10_000_000),
        used: 10_000_000 - left,
        remaining: Some(left),
    }
}

fn asks_balance(fx: &[Effect], quiet: bool) -> bool {
    fx.iter().any(|e| {
        matches!(e, Effect::Billing(BillingEffect::FetchBalance { quiet: q, provider })
            if *q == quiet && provider.name == "relay")
    })
}

#[test]
fn slash_balance_asks_the_provider_and_shows_the_answer() {
    let mut h = on_relay();
    h.type_text("/balance");
    let fx = h.enter();
    assert!(asks_balance(&fx, false), "{fx:?}");
    assert!(h.app.prompt.is_empty());
    h.act(Action::Billing(BillingMsg::Balance {
        provider: "relay".into(),
        quiet: false,
        result: Ok(balance(2_500_000)),
    }));
    let notice = h.app.notice.clone().unwrap();
    assert_eq!(
        notice.text,
        "relay: remaining ¥2.50 · used ¥7.50 · limit ¥10.00"
    );
    h.act(Action::Billing(BillingMsg::Balance {
        provider: "relay".into(),
        quiet: false,
        result: Err("r.test does not report a balance: /v1/dashboard/billing/subscription answered HTTP 404".into()),
    }));
    assert!(h.app.notice.clone().unwrap().is_error);
}

#[test]
fn slash_balance_on_the_demo_says_there_is_none() {
    let mut h = Harness::new();
    h.type_text("/balance");
    let fx = h.enter();
    assert!(fx.is_empty(), "{fx:?}");
    assert!(h.app.notice.clone().unwrap().text.contains("no balance"));
}

#[test]
fn show_balance_asks_at_start_then_at_most_once_a_minute_after_replies() {
    let mut h = on_relay();
    let fx = h.act(Action::Billing(BillingMsg::Started));
    assert!(asks_balance(&fx, true), "{fx:?}");
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Billing(BillingEffect::FetchPrices { providers })
            if providers.len() == 1 && providers[0].name == "relay")
        ),
        "{fx:?}"
    );
    h.act(Action::Billing(BillingMsg::Balance {
        provider: "relay".into(),
        quiet: true,
        result: Ok(balance(2_500_000)),
    }));
    assert!(screen(&h).contains("balance ¥2.50"), "{}", screen(&h));
    assert!(h.app.notice.is_none(), "a quiet answer sets no notice");
    assert_eq!(
        crate::app::cost::status_balance(&h.app),
        Some(("¥2.50".into(), true))
    );
    // A reply right away does not ask again; one a minute later does.
    h.type_text("q");
    let fx = h.enter();
    let Some(Effect::StartReply { reply_id, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let id = *reply_id;
    let fx = h.act(Action::Stream {
        id,
        msg: StreamMsg::End(Ok(ReplyEnd::default())),
    });
    assert!(!asks_balance(&fx, true), "{fx:?}");
    h.type_text("q");
    let fx = h.enter();
    let Some(Effect::StartReply { reply_id, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let id = *reply_id;
    let fx = h.at(
        std::time::Duration::from_secs(61),
        Action::Stream {
            id,
            msg: StreamMsg::End(Ok(ReplyEnd::default())),
        },
    );
    assert!(asks_balance(&fx, true), "{fx:?}");
}

#[test]
fn a_balance_above_the_threshold_is_not_low() {
    let mut h = on_relay();
    h.act(Action::Billing(BillingMsg::Balance {
        provider: "relay".into(),
        quiet: true,
        result: Ok(balance(9_000_000)),
    }));
    assert_eq!(
        crate::app::cost::status_balance(&h.app),
        Some(("¥9.00".into(), false))
    );
    h.app.target.provider.show_balance = false;
    assert_eq!(crate::app::cost::status_balance(&h.app), None);
}

#[test]
fn a_generated_image_costs_its_call_price_and_a_failed_one_nothing() {
    let mut h = Harness::new();
    let mut flux = crate::config::ModelSpec::new("flux");
    *flux.price = Price {
        call: Some(100_000),
        ..Price::default()
    };
    h.app.providers[0].models.push(flux);
    for (result, want) in [
        (Ok(vec!["https://x.test/a.png".to_string()]), Some(100_000)),
        (Err("HTTP 500".to_string()), None),
    ] {
        h.type_text("/image a cat --model flux");
        let fx = h.enter();
        let Some(Effect::Media(crate::app::media::MediaEffect::Generate { message_id, .. })) =
            fx.first()
        else {
            panic!("{fx:?}")
        };
        let message_id = *message_id;
        h.act(Action::Media(crate::app::media::MediaMsg::Generated {
            message_id,
            result,
        }));
        let msg = h
            .app
            .conv
            .messages()
            .iter()
            .find(|m| m.id == message_id)
            .unwrap();
        assert_eq!(msg.cost.map(|c| c.micros), want);
    }
    let s = screen(&h);
    assert!(s.contains("¥0.10"), "{s}");
}

#[test]
fn a_failed_reply_is_not_charged() {
    let mut h = Harness::new();
    // A fee per call would be charged for any reply that got through.
    *h.app.providers[0].models[0].price = Price {
        call: Some(10_000),
        ..Price::default()
    };
    h.type_text("q");
    let fx = h.enter();
    let Some(Effect::StartReply { reply_id, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    let id = *reply_id;
    h.act(Action::Stream {
        id,
        msg: StreamMsg::End(Err(crate::api::ApiError::MissingKey {
            provider: "p".into(),
            hint: "h".into(),
        })),
    });
    assert_eq!(h.app.conv.messages().last().unwrap().cost, None);
}

#[test]
fn the_session_browser_shows_each_sessions_spend() {
    let mut h = Harness::sized(100, 24);
    let now = chrono::Local::now();
    let summary = |id: i64, spend: Vec<Money>| crate::store::SearchHit {
        session: crate::store::SessionSummary {
            id,
            title: format!("chat {id}"),
            model: "mock:gpt-4o".into(),
            created: now,
            updated: now,
            message_count: 4,
            spend,
            attachments: 0,
        },
        snippet: None,
        message: None,
    };
    h.app.overlay = Some(crate::app::Overlay::Sessions);
    h.app.sessions.browser.hits = vec![
        summary(2, vec![Money::new(25_800, Currency::Cny)]),
        summary(1, Vec::new()),
    ];
    let s = screen(&h);
    let row = |title: &str| {
        s.lines()
            .find(|l| l.contains(title))
            .unwrap_or("")
            .to_string()
    };
    assert!(row("chat 2").contains("¥0.0258"), "{s}");
    assert!(!row("chat 1").contains('¥'), "{s}");
}

#[test]
fn a_low_balance_is_drawn_in_the_error_style() {
    let mut h = on_relay();
    let balance_style = |h: &Harness| {
        let (w, ht) = (h.app.area.width, h.app.area.height);
        let mut terminal = ratatui::Terminal::new(TestBackend::new(w, ht)).expect("a terminal");
        terminal
            .draw(|f| crate::ui::render(&h.app, f))
            .expect("drawn");
        let buf = terminal.backend().buffer();
        let y = ht - 1;
        let row: String = (0..w).map(|x| buf[(x, y)].symbol()).collect();
        let col = row.find("balance").expect("a balance in the status bar");
        let x = row[..col].chars().count() as u16;
        buf[(x, y)].style()
    };
    for (left, low) in [(2_500_000, true), (9_000_000, false)] {
        h.act(Action::Billing(BillingMsg::Balance {
            provider: "relay".into(),
            quiet: true,
            result: Ok(balance(left)),
        }));
        let style = balance_style(&h);
        let error = h.app.theme.status_error;
        assert_eq!(
            style.fg == error.fg && style.bg == error.bg,
            low,
            "{left}: {style:?}"
        );
    }
}
