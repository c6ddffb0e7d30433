//! Cost and balance end to end: the real binary in tmux against the mock relay. A priced reply
//! shows its cost under it, the status bar adds up the session, `/balance` asks the relay.

mod support;
mod tmux;

use std::path::Path;
use std::time::Duration;

use support::billing::Relay;
use support::chat::{KEY_ENV, TEST_KEY};
use support::{MockServer, binary};
use tmux::{Tmux, status_line};

const WAIT: Duration = Duration::from_secs(15);
const REPLY: &str = "你好！有什么可以帮你？";

/// A config whose `gpt-4o` costs ¥100 per million prompt tokens and ¥1,000 per million
/// completion tokens: the mock's reply (9 + 12 tokens) costs ¥0.0129.
fn write_config(dir: &Path, server: &MockServer, extra: &str) -> String {
    let path = dir.join("ecochat.toml");
    let text = binary::mock_config(&server.base_url(), "gpt-4o", extra).replace(
        "models = [\"gpt-4o\"]",
        "models = [{ id = \"gpt-4o\", input_price = 100, output_price = 1000 }]",
    );
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn each_reply_shows_its_cost_and_the_status_bar_adds_them_up() {
    let server = MockServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server, "");
    let t = Tmux::start(&["--config", &config], &[(KEY_ENV, TEST_KEY)], 100, 30);
    t.wait_for("Enter send", WAIT);
    t.type_text("你好");
    t.keys(&["Enter"]);
    let screen = t.wait_for("¥0.0129 · 21 tok", WAIT);
    assert!(screen.contains(REPLY), "{screen}");
    let screen = t.wait_until(
        |s| status_line(s).contains("session ¥0.0129"),
        WAIT,
        "the session total after one reply",
    );
    assert_eq!(screen.matches("¥0.0129 · 21 tok").count(), 1, "{screen}");
    t.type_text("再说一遍");
    t.keys(&["Enter"]);
    let screen = t.wait_until(
        |s| status_line(s).contains("session ¥0.0258"),
        WAIT,
        "the session total after two replies",
    );
    assert_eq!(screen.matches("¥0.0129 · 21 tok").count(), 2, "{screen}");
}

#[test]
fn slash_balance_and_show_balance_ask_the_relay() {
    let server = MockServer::start();
    server.billing(Relay::Cny);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &server,
        "show_balance = true\nlow_balance = 5000\n",
    );
    let t = Tmux::start(&["--config", &config], &[(KEY_ENV, TEST_KEY)], 120, 30);
    // show_balance asks at start.
    t.wait_until(
        |s| status_line(s).contains("balance ¥2,023.84"),
        WAIT,
        "the balance in the status bar",
    );
    t.type_text("/balance");
    t.keys(&["Enter"]);
    t.wait_until(
        |s| status_line(s).contains("mock: remaining ¥2,023.84 · used ¥6.96 · limit ¥2,030.80"),
        WAIT,
        "the /balance answer",
    );
}

#[test]
fn slash_balance_on_a_relay_without_billing_says_so_without_html() {
    let server = MockServer::start();
    server.billing(Relay::Html);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &server, "");
    let t = Tmux::start(&["--config", &config], &[(KEY_ENV, TEST_KEY)], 160, 30);
    t.wait_for("Enter send", WAIT);
    t.type_text("/balance");
    t.keys(&["Enter"]);
    let screen = t.wait_for("does not report a balance", WAIT);
    assert!(
        !screen.contains("<html") && !screen.contains("<!"),
        "{screen}"
    );
}

fn pricing_requests(server: &MockServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path_only() == "/api/pricing")
        .count()
}

/// Waits until the relay price cache was written (the prices reach the app right after).
fn wait_for_cache(t: &Tmux) -> String {
    let path = t.home.path().join("cache/ecochat/relay-prices.json");
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Ok(text) = std::fs::read_to_string(&path) {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn relay_prices_price_replies_and_are_asked_for_once_a_day() {
    let server = MockServer::start();
    server
        .billing(Relay::Cny)
        .pricing(support::billing::PricingEra::Old);
    let dir = tempfile::tempdir().unwrap();
    // No price in the config: gpt-4o's comes from the relay (¥2.50 and ¥10 per million at
    // recharge price 1), so the mock's 9 + 12 tokens cost ¥0.00014.
    let path = dir.path().join("ecochat.toml");
    let text = binary::mock_config(&server.base_url(), "gpt-4o", "pricing = \"relay\"\n");
    std::fs::write(&path, text).unwrap();
    let config = path.display().to_string();
    let t = Tmux::start(&["--config", &config], &[(KEY_ENV, TEST_KEY)], 100, 30);
    t.wait_for("Enter send", WAIT);
    let cached = wait_for_cache(&t);
    assert!(
        cached.contains("gpt-4o") && !cached.contains(TEST_KEY),
        "{cached}"
    );
    t.type_text("你好");
    t.keys(&["Enter"]);
    t.wait_for("¥0.00014 · 21 tok", WAIT);
    assert_eq!(pricing_requests(&server), 1);
    t.keys(&["C-q"]);
    t.wait_exit(WAIT);

    // The same day: the cached list is used and the relay is not asked again.
    t.relaunch(&["--config", &config], &[(KEY_ENV, TEST_KEY)]);
    t.wait_for("Enter send", WAIT);
    t.type_text("再来");
    t.keys(&["Enter"]);
    t.wait_until(
        |s| s.contains("再来") && s.contains("¥0.00014 · 21 tok"),
        WAIT,
        "the priced reply after the restart",
    );
    assert_eq!(pricing_requests(&server), 1);
}

#[test]
fn a_relay_without_a_price_list_is_not_asked_again_that_day() {
    let server = MockServer::start();
    server.billing(Relay::NotFound);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ecochat.toml");
    let text = binary::mock_config(&server.base_url(), "gpt-4o", "pricing = \"relay\"\n");
    std::fs::write(&path, text).unwrap();
    let config = path.display().to_string();
    let t = Tmux::start(&["--config", &config], &[(KEY_ENV, TEST_KEY)], 100, 30);
    t.wait_for("Enter send", WAIT);
    let cached = wait_for_cache(&t);
    assert!(cached.contains("\"prices\": null"), "{cached}");
    assert_eq!(pricing_requests(&server), 1);
    t.type_text("你好");
    t.keys(&["Enter"]);
    let screen = t.wait_for(REPLY, WAIT);
    assert!(!screen.contains('¥'), "no price, no cost: {screen}");
    t.keys(&["C-q"]);
    t.wait_exit(WAIT);
    t.relaunch(&["--config", &config], &[(KEY_ENV, TEST_KEY)]);
    t.wait_for("Enter send", WAIT);
    t.type_text("再来");
    t.keys(&["Enter"]);
    t.wait_until(
        |s| s.contains("再来") && s.contains(REPLY),
        WAIT,
        "the reply after the restart",
    );
    assert_eq!(pricing_requests(&server), 1);
}
