//! Balance and prices against the mock's relay routes, and `ecochat balance` / `ecochat usage`
//! run as a pipe.

mod support;

use ecochat::api::billing::{self, BillingError};
use ecochat::cost::Currency;
use support::billing::{PricingEra, Relay};
use support::binary::{MockHome, mock_config};
use support::chat::{TEST_KEY, endpoint};
use support::{MockServer, Reply};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// `ecochat balance` against a mock relay of kind `relay`.
fn balance_of(relay: Relay) -> (MockHome, (i32, String, String)) {
    let home = MockHome::new();
    home.server.billing(relay);
    let run = home.run(&["balance"]);
    (home, run)
}

#[test]
fn a_usd_relay_balance_has_two_decimals_in_dollars() {
    let (home, (code, out, err)) = balance_of(Relay::Usd);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "mock: remaining $2.87 · used $1.23 · limit $4.10\n");
    // The key went to the billing routes, and only there.
    for req in home.server.requests() {
        let keyed = req.header("authorization") == Some(&format!("Bearer {TEST_KEY}"));
        let public = req.path_only() == "/api/status";
        assert_eq!(
            keyed,
            !public,
            "{} {:?}",
            req.path,
            req.header("authorization")
        );
    }
    assert!(
        home.server
            .requests()
            .iter()
            .any(|r| r.path_only() == "/v1/dashboard/billing/subscription")
    );
}

#[test]
fn a_cny_relay_balance_is_in_yuan_though_the_fields_say_usd() {
    let (_home, (code, out, err)) = balance_of(Relay::Cny);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "mock: remaining ¥2,023.84 · used ¥6.96 · limit ¥2,030.80\n"
    );
}

#[test]
fn an_unlimited_token_says_unlimited() {
    let (_home, (code, out, err)) = balance_of(Relay::Unlimited);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "mock: unlimited · used ¥1.62\n");
}

#[test]
fn an_unsupported_relay_gets_one_sentence_and_exit_1() {
    for relay in [Relay::NotFound, Relay::Html, Relay::ErrorBody] {
        let (_home, (code, out, err)) = balance_of(relay);
        assert_eq!(code, 1, "{relay:?}: {out}");
        assert!(out.is_empty(), "{relay:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{relay:?}: {err}");
        assert!(
            err.contains("does not report a balance"),
            "{relay:?}: {err}"
        );
        assert!(!err.contains('<'), "{relay:?}: HTML on the screen: {err}");
        assert!(!err.contains(TEST_KEY), "{relay:?}");
    }
    let (_home, (_, _, err)) = balance_of(Relay::ErrorBody);
    assert!(err.contains("record not found"), "{err}");
}

#[test]
fn a_redirect_never_takes_the_key_to_another_host() {
    let home = MockHome::new();
    let elsewhere = MockServer::start();
    home.server.on_path(
        "GET",
        "/v1/dashboard/billing/subscription",
        vec![Reply::new(302).header("Location", &elsewhere.url("/steal"))],
    );
    let (code, _, err) = home.run(&["balance"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(elsewhere.request_count(), 0);
}

#[test]
fn the_demo_provider_and_unknown_names_are_refused_plainly() {
    let home = MockHome::new();
    let (code, _, err) = home.run(&["balance", "demo"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no balance"), "{err}");
    let (code, _, err) = home.run(&["balance", "nope"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no provider named"), "{err}");
    assert_eq!(home.server.request_count(), 0);
}

#[test]
fn relay_prices_from_both_eras_of_api_pricing() {
    let rt = runtime();
    for era in [PricingEra::Old, PricingEra::New] {
        let server = MockServer::start();
        server.billing(Relay::Cny).pricing(era);
        let ep = endpoint(&server);
        let prices = rt
            .block_on(billing::fetch_prices(
                &ep,
                Currency::Cny,
                &Default::default(),
            ))
            .unwrap_or_else(|e| panic!("{era:?}: {e}"));
        let gpt = prices["gpt-4o"];
        assert_eq!(
            (gpt.input, gpt.output),
            (Some(2_500_000), Some(10_000_000)),
            "{era:?}"
        );
        assert_eq!(prices["mj_imagine"].call, Some(100_000), "{era:?}");
        if era == PricingEra::New {
            assert_eq!(gpt.cached_input, Some(1_250_000));
            assert!(!prices.contains_key("tiered-model"));
        }
        // The price list is public: no key is sent for it.
        for req in server.requests() {
            assert_eq!(req.header("authorization"), None, "{}", req.path);
        }
    }
}

#[test]
fn relays_without_a_price_list_are_unsupported() {
    let rt = runtime();
    let cases = [
        (Relay::NotFound, None),
        (Relay::Html, None),
        (Relay::Cny, Some(PricingEra::Disabled)),
    ];
    for (relay, era) in cases {
        let server = MockServer::start();
        server.billing(relay);
        if let Some(era) = era {
            server.pricing(era);
        }
        let err = rt
            .block_on(billing::fetch_prices(
                &endpoint(&server),
                Currency::Cny,
                &Default::default(),
            ))
            .expect_err("no prices");
        assert!(err.is_unsupported(), "{relay:?}: {err}");
        assert!(matches!(err, BillingError::Unsupported { .. }));
        assert!(!err.to_string().contains('<'), "{err}");
    }
}

/// A home whose `gpt-4o` costs ¥100 per million prompt tokens and ¥1,000 per million
/// completion tokens: the mock's M1 reply (9 + 12 tokens) costs ¥0.0129.
fn priced_home() -> MockHome {
    let home = MockHome::new();
    let text = mock_config(&home.server.base_url(), "gpt-4o", "").replace(
        "models = [\"gpt-4o\"]",
        "models = [{ id = \"gpt-4o\", input_price = 100, output_price = 1000 }]",
    );
    std::fs::write(&home.config, text).expect("write config");
    home
}

#[test]
fn usage_adds_up_the_saved_replies_without_the_network() {
    let home = priced_home();
    for prompt in ["你好", "再来"] {
        let (code, _, err) = home.run(&["-p", prompt]);
        assert_eq!(code, 0, "{err}");
    }
    let asked = home.server.request_count();
    let (code, out, err) = home.run(&["usage"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[1].starts_with("mock:gpt-4o"), "{out}");
    assert!(lines[1].ends_with("2            42  ¥0.0258"), "{out}");
    assert!(
        lines[2].starts_with("total") && lines[2].ends_with("¥0.0258"),
        "{out}"
    );
    let (code, out, _) = home.run(&["usage", "--by", "day", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["total"]["cost"][0]["micros"], 25_800);
    assert_eq!(v["groups"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        home.server.request_count(),
        asked,
        "usage asked the network"
    );
}

#[test]
fn reprice_applies_todays_prices_to_history() {
    let home = priced_home();
    let (code, _, err) = home.run(&["-p", "你好"]);
    assert_eq!(code, 0, "{err}");
    let doubled = std::fs::read_to_string(&home.config)
        .expect("config")
        .replace(
            "input_price = 100, output_price = 1000",
            "input_price = 200, output_price = 2000",
        );
    std::fs::write(&home.config, doubled).expect("write config");
    let (_, out, _) = home.run(&["usage"]);
    assert!(out.contains("¥0.0129"), "history keeps its price: {out}");
    let (code, out, err) = home.run(&["usage", "--reprice"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("repriced 1"), "{err}");
    assert!(out.contains("¥0.0258"), "{out}");
}

#[test]
fn usage_before_any_session_and_a_bad_date() {
    let home = MockHome::new();
    let (code, out, err) = home.run(&["usage"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("no saved sessions yet"), "{err}");
    let (code, _, err) = home.run(&["usage", "--since", "last week"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("2026-12-01"), "{err}");
}
