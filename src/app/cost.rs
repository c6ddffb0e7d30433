//! Pricing finished replies, the session's total, relay price lists and the balance.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::{App, Effect, Notice};
use crate::api::billing::Balance;
use crate::config::Provider;
use crate::cost::book::{RelayPrices, price_of, totals};
use crate::cost::{Money, Price};

/// `show_balance` asks again after a reply at most this often.
const BALANCE_EVERY: Duration = Duration::from_secs(60);

/// What the app knows about money beyond the config.
#[derive(Debug, Default)]
pub struct Billing {
    /// Prices read from relays with `pricing = "relay"`.
    pub relay_prices: RelayPrices,
    /// The last balance heard, and the provider it belongs to.
    pub balance: Option<(String, Balance)>,
    /// When the balance was last asked for.
    asked: Option<Instant>,
    /// A reply ended since the last look: `show_balance` may ask again.
    reply_ended: bool,
}

/// Reports of the billing tasks.
#[derive(Debug)]
pub enum BillingMsg {
    /// The app is up (sent once by the runtime): fetch what `pricing` and `show_balance` need.
    Started,
    /// A balance answer; `quiet` ones (from `show_balance`) only update the status bar.
    Balance {
        provider: String,
        quiet: bool,
        result: Result<Balance, String>,
    },
    /// A relay's price list, per model.
    Prices {
        provider: String,
        prices: HashMap<String, Price>,
    },
}

/// Work for the billing tasks at the edge.
#[derive(Debug, Clone)]
pub enum BillingEffect {
    /// Ask `provider` for its balance.
    FetchBalance {
        provider: Box<Provider>,
        quiet: bool,
    },
    /// Read (from the day's cache, else the relay) the price lists of these providers.
    FetchPrices { providers: Vec<Provider> },
}

/// Prices reply `id` from what the server reported, once it has ended; a reply without a
/// known price keeps no cost (it shows tokens only).
pub(super) fn settle(app: &mut App, id: u64) {
    // A comparison's replies are priced too, shown or not.
    let Some(label) = app.conv.get(id).and_then(|m| m.model.clone()) else {
        return;
    };
    let price = price_of(&app.providers, &app.billing.relay_prices, &label);
    if let Some(m) = app.conv.get_mut(id) {
        // A request that failed before any reply is not charged by relays.
        let failed = matches!(m.status, crate::chat::Status::Failed(_));
        let cost = price
            .filter(|_| !failed)
            .and_then(|p| p.cost(m.usage.as_ref()));
        m.set_cost(cost);
    }
    app.billing.reply_ended = true;
}

/// What this conversation's replies cost so far, one amount per currency: those kept as
/// alternatives too (a comparison's other replies, a retried one), since each was paid for.
pub fn session_totals(app: &App) -> Vec<Money> {
    totals(app.conv.all().filter_map(|m| m.cost))
}

/// The balance to show in the status bar (`show_balance`), and whether it is low.
pub fn status_balance(app: &App) -> Option<(String, bool)> {
    let provider = &app.target.provider;
    if !provider.show_balance {
        return None;
    }
    let (name, balance) = app.billing.balance.as_ref()?;
    (*name == provider.name).then(|| {
        let low = provider.low_balance.is_some_and(|t| balance.is_below(t));
        (balance.short(), low)
    })
}

/// After a reply: asks for the balance again when `show_balance` wants it and a minute passed.
pub(super) fn after_stream(app: &mut App, now: Instant) -> Vec<Effect> {
    if !std::mem::take(&mut app.billing.reply_ended) {
        return Vec::new();
    }
    quiet_balance(app, now)
}

fn quiet_balance(app: &mut App, now: Instant) -> Vec<Effect> {
    let provider = &app.target.provider;
    let due = app
        .billing
        .asked
        .is_none_or(|t| now.saturating_duration_since(t) >= BALANCE_EVERY);
    if !provider.show_balance || provider.is_demo() || !due {
        return Vec::new();
    }
    app.billing.asked = Some(now);
    vec![Effect::Billing(BillingEffect::FetchBalance {
        provider: Box::new(provider.clone()),
        quiet: true,
    })]
}

/// `/balance`: asks the current provider.
pub(in crate::app) fn ask_balance(app: &mut App, now: Instant) -> Vec<Effect> {
    let provider = &app.target.provider;
    if provider.is_demo() {
        app.notice = Some(Notice {
            text: "the offline demo provider has no balance".into(),
            is_error: true,
        });
        return Vec::new();
    }
    app.notice = Some(Notice {
        text: format!("asking {} for the balance…", provider.name),
        is_error: false,
    });
    app.billing.asked = Some(now);
    vec![Effect::Billing(BillingEffect::FetchBalance {
        provider: Box::new(provider.clone()),
        quiet: false,
    })]
}

/// Takes in a billing report.
pub(super) fn on_msg(app: &mut App, msg: BillingMsg, now: Instant) -> Vec<Effect> {
    match msg {
        BillingMsg::Started => {
            let relay: Vec<Provider> = app
                .providers
                .iter()
                .filter(|p| p.relay_pricing && !p.is_demo())
                .cloned()
                .collect();
            let mut effects = quiet_balance(app, now);
            if !relay.is_empty() {
                effects.push(Effect::Billing(BillingEffect::FetchPrices {
                    providers: relay,
                }));
            }
            effects
        }
        BillingMsg::Balance {
            provider,
            quiet,
            result,
        } => {
            match result {
                Ok(balance) => {
                    if !quiet {
                        app.notice = Some(Notice {
                            text: format!("{provider}: {}", balance.line()),
                            is_error: false,
                        });
                    }
                    app.billing.balance = Some((provider, balance));
                }
                Err(e) if !quiet => {
                    app.notice = Some(Notice {
                        text: e,
                        is_error: true,
                    })
                }
                Err(e) => tracing::info!(%provider, %e, "no balance"),
            }
            Vec::new()
        }
        BillingMsg::Prices { provider, prices } => {
            app.billing.relay_prices.insert(provider, prices);
            Vec::new()
        }
    }
}
