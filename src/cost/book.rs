//! Which price applies to a reply: the config's, with gaps filled from the relay's list.

use std::collections::HashMap;

use super::{Money, Price};
use crate::config::Provider;

/// Prices read from relays (`pricing = "relay"`), per provider name, then per model id, in
/// that provider's currency.
pub type RelayPrices = HashMap<String, HashMap<String, Price>>;

/// The price of the model behind `label` (`provider:model`, as stored with a reply); `None`
/// when neither the config nor the relay prices it.
pub fn price_of(providers: &[Provider], relay: &RelayPrices, label: &str) -> Option<Price> {
    let label = label
        .strip_suffix(crate::chat::IMAGES_MARK)
        .unwrap_or(label);
    let (name, model) = label.split_once(':')?;
    let provider = providers.iter().find(|p| p.name == name)?;
    let config = Price {
        currency: provider.currency,
        ..provider.model(model).map(|m| *m.price).unwrap_or_default()
    };
    let relay = relay
        .get(name)
        .and_then(|models| models.get(model))
        .copied()
        .unwrap_or_default();
    let price = config.or(relay);
    (!price.is_empty()).then_some(price)
}

/// Gives `provider`'s model `id` the relay's price where the config leaves gaps, adding the
/// model to its list when unlisted: pipe mode prices its one reply from the cached relay list
/// without asking the relay.
pub fn fill_from_relay(provider: &mut Provider, id: &str, relay: &RelayPrices) {
    let Some(listed) = relay.get(&provider.name).and_then(|m| m.get(id)) else {
        return;
    };
    match provider.models.iter_mut().find(|m| m.id == id) {
        Some(m) => {
            let own = Price {
                currency: provider.currency,
                ..*m.price
            };
            *m.price = own.or(*listed);
        }
        None => {
            let mut m = crate::config::ModelSpec::new(id);
            *m.price = *listed;
            provider.models.push(m);
        }
    }
}

/// Sums of `costs`, one per currency, in a stable order (CNY first).
pub fn totals(costs: impl IntoIterator<Item = Money>) -> Vec<Money> {
    let mut by: std::collections::BTreeMap<super::Currency, Money> = Default::default();
    for c in costs {
        *by.entry(c.currency).or_insert(Money::new(0, c.currency)) += c;
    }
    by.into_values().collect()
}

/// Amounts joined for display: `¥0.0246`, `¥0.02 + $0.01`.
pub fn totals_text(totals: &[Money]) -> String {
    totals
        .iter()
        .map(|m| m.display())
        .collect::<Vec<_>>()
        .join(" + ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelSpec;
    use crate::cost::Currency;

    fn providers() -> Vec<Provider> {
        let mut p = Provider::new("relay", Some("https://r.test/v1".into()));
        p.currency = Currency::Usd;
        let mut m = ModelSpec::new("priced");
        *m.price = Price {
            currency: Currency::Usd,
            call: Some(5),
            ..Price::default()
        };
        p.models = vec![m, ModelSpec::new("plain")];
        vec![p]
    }

    #[test]
    fn config_prices_apply_and_relay_prices_fill_the_gaps() {
        let mut relay = RelayPrices::new();
        let listed = Price {
            currency: Currency::Usd,
            input: Some(1),
            output: Some(2),
            ..Price::default()
        };
        relay.insert(
            "relay".into(),
            [
                ("priced".to_string(), listed),
                ("plain".to_string(), listed),
            ]
            .into(),
        );
        let p = price_of(&providers(), &relay, "relay:priced").unwrap();
        assert_eq!((p.input, p.call), (Some(1), Some(5)));
        assert_eq!(price_of(&providers(), &relay, "relay:plain"), Some(listed));
        assert_eq!(
            price_of(&providers(), &RelayPrices::new(), "relay:plain"),
            None,
            "no price, no cost"
        );
        assert_eq!(price_of(&providers(), &relay, "other:plain"), None);
        let image = format!("relay:priced{}", crate::chat::IMAGES_MARK);
        assert!(price_of(&providers(), &relay, &image).is_some());
    }

    #[test]
    fn the_relay_list_fills_a_pipe_runs_price() {
        let listed = Price {
            currency: Currency::Usd,
            input: Some(1),
            output: Some(2),
            ..Price::default()
        };
        let relay: RelayPrices = [(
            "relay".to_string(),
            [
                ("priced".to_string(), listed),
                ("unlisted".to_string(), listed),
            ]
            .into(),
        )]
        .into();
        let mut p = providers().remove(0);
        fill_from_relay(&mut p, "priced", &relay);
        fill_from_relay(&mut p, "unlisted", &relay);
        fill_from_relay(&mut p, "unknown", &relay);
        let all = [p];
        let priced = price_of(&all, &RelayPrices::new(), "relay:priced").unwrap();
        assert_eq!((priced.input, priced.call), (Some(1), Some(5)));
        assert_eq!(
            price_of(&all, &RelayPrices::new(), "relay:unlisted"),
            Some(listed)
        );
        assert_eq!(price_of(&all, &RelayPrices::new(), "relay:unknown"), None);
    }

    #[test]
    fn totals_keep_currencies_apart() {
        let t = totals([
            Money::new(10, Currency::Usd),
            Money::new(20_000, Currency::Cny),
            Money::new(5_000, Currency::Cny),
        ]);
        assert_eq!(totals_text(&t), "¥0.025 + $0.00001");
    }
}
