//! Balance and relay price fetches for the TUI, off the event loop.

use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::tls::SharedTls;
use crate::app::Action;
use crate::app::cost::{BillingEffect, BillingMsg};
use crate::config::Provider;
use crate::cost::cache::{CachedPrices, RelayPriceCache};
use crate::providers;

/// Starts the work of `effect`; its result comes back as an `Action::Billing`.
pub(super) fn run(
    effect: BillingEffect,
    tx: &UnboundedSender<Action>,
    cache_dir: PathBuf,
    tls: SharedTls,
) {
    let tx = tx.clone();
    match effect {
        BillingEffect::FetchBalance { provider, quiet } => {
            tokio::spawn(async move {
                let result = providers::balance(&provider, &providers::process_env, &tls).await;
                let _ = tx.send(Action::Billing(BillingMsg::Balance {
                    provider: provider.name.clone(),
                    quiet,
                    result,
                }));
            });
        }
        BillingEffect::FetchPrices { providers } => {
            // One task for every relay, so two answers never race to write the cache.
            tokio::spawn(async move {
                for provider in providers {
                    prices(&provider, &cache_dir, &tx, &tls).await;
                }
            });
        }
    }
}

/// The day's cached list of `provider`, else the relay's (cached for the day, and so is a
/// relay without one).
async fn prices(
    provider: &Provider,
    cache_dir: &std::path::Path,
    tx: &UnboundedSender<Action>,
    tls: &SharedTls,
) {
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let mut cache = RelayPriceCache::load(cache_dir);
    if let Some(cached) = cache.fresh(provider, &today) {
        if let Some(prices) = cached.prices.clone() {
            let _ = tx.send(Action::Billing(BillingMsg::Prices {
                provider: provider.name.clone(),
                prices,
            }));
        }
        return;
    }
    let ep = match provider.endpoint(&providers::process_env) {
        Ok(ep) => ep,
        Err(e) => {
            tracing::info!(provider = %provider.name, %e, "no relay prices without an endpoint");
            return;
        }
    };
    let prices = match crate::api::billing::fetch_prices(&ep, provider.currency, tls).await {
        Ok(prices) => Some(prices),
        Err(e) if e.is_unsupported() => {
            tracing::info!(provider = %provider.name, %e, "the relay has no price list today");
            None
        }
        Err(e) => {
            // A network failure says nothing about the relay: ask again next start.
            tracing::warn!(provider = %provider.name, %e, "cannot read the relay's prices");
            return;
        }
    };
    cache.providers.insert(
        provider.name.clone(),
        CachedPrices {
            day: today,
            base_url: provider.base_url.clone().unwrap_or_default(),
            currency: provider.currency,
            prices: prices.clone(),
        },
    );
    if let Err(e) = cache.save(cache_dir) {
        tracing::warn!(%e, "cannot cache the relay's prices");
    }
    if let Some(prices) = prices {
        let _ = tx.send(Action::Billing(BillingMsg::Prices {
            provider: provider.name.clone(),
            prices,
        }));
    }
}
