//! Relay price lists kept in the cache directory for a day (`pricing = "relay"`), including
//! the fact that a relay has none, so it is asked at most once a day.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::book::RelayPrices;
use super::{Currency, Price};
use crate::config::Provider;

/// `relay-prices.json`: one entry per provider.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RelayPriceCache {
    /// Provider name -> what its relay said, and when.
    #[serde(default)]
    pub providers: BTreeMap<String, CachedPrices>,
}

/// One provider's price list as fetched on `day`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedPrices {
    /// The local day of the fetch (`2026-12-04`).
    pub day: String,
    /// The base URL asked: a changed URL is a different relay.
    pub base_url: String,
    /// The currency the prices were derived in.
    pub currency: Currency,
    /// Prices per model; `None` when the relay has no price list (asked again tomorrow).
    pub prices: Option<HashMap<String, Price>>,
}

impl RelayPriceCache {
    /// The cache file inside `cache_dir`.
    pub fn path(cache_dir: &Path) -> PathBuf {
        cache_dir.join("relay-prices.json")
    }

    /// Reads the cache; a missing or damaged file gives an empty one.
    pub fn load(cache_dir: &Path) -> Self {
        std::fs::read(Self::path(cache_dir))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes the cache atomically, owner-only.
    pub fn save(&self, cache_dir: &Path) -> io::Result<()> {
        crate::store::state_file::write_json_atomic(&Self::path(cache_dir), self)
    }

    /// The entry for `provider` fetched on `today` from its current URL in its currency: when
    /// there is one, the relay is not asked again.
    pub fn fresh(&self, provider: &Provider, today: &str) -> Option<&CachedPrices> {
        self.providers.get(&provider.name).filter(|c| {
            c.day == today
                && Some(c.base_url.as_str()) == provider.base_url.as_deref()
                && c.currency == provider.currency
        })
    }

    /// Every cached price list (of any day: old prices beat none for `usage --reprice`).
    pub fn prices(&self) -> RelayPrices {
        self.providers
            .iter()
            .filter_map(|(name, c)| Some((name.clone(), c.prices.clone()?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> Provider {
        let mut p = Provider::new("relay", Some("https://r.test/v1".into()));
        p.relay_pricing = true;
        p
    }

    #[test]
    fn an_entry_is_fresh_for_its_day_url_and_currency_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = RelayPriceCache::default();
        let listed = Price {
            input: Some(1),
            output: Some(2),
            ..Price::default()
        };
        cache.providers.insert(
            "relay".into(),
            CachedPrices {
                day: "2026-12-04".into(),
                base_url: "https://r.test/v1".into(),
                currency: Currency::Cny,
                prices: Some([("m".to_string(), listed)].into()),
            },
        );
        cache.providers.insert(
            "bare".into(),
            CachedPrices {
                day: "2026-12-04".into(),
                base_url: "https://b.test/v1".into(),
                currency: Currency::Cny,
                prices: None,
            },
        );
        cache.save(dir.path()).unwrap();
        let loaded = RelayPriceCache::load(dir.path());
        assert_eq!(loaded, cache);
        assert!(loaded.fresh(&provider(), "2026-12-04").is_some());
        assert!(loaded.fresh(&provider(), "2026-12-05").is_none());
        let mut moved = provider();
        moved.base_url = Some("https://other.test/v1".into());
        assert!(loaded.fresh(&moved, "2026-12-04").is_none());
        let mut usd = provider();
        usd.currency = Currency::Usd;
        assert!(loaded.fresh(&usd, "2026-12-04").is_none());
        let prices = loaded.prices();
        assert_eq!(prices["relay"]["m"], listed);
        assert!(!prices.contains_key("bare"));
    }

    #[test]
    fn a_damaged_file_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(RelayPriceCache::path(dir.path()), "{not json").unwrap();
        assert_eq!(
            RelayPriceCache::load(dir.path()),
            RelayPriceCache::default()
        );
    }
}
