//! Prices derived from a new-api relay's `/api/pricing` ratios and `/api/status` settings
//! (relay-tasks §4.4–4.5). Both eras of `/api/pricing` have the same core fields; newer relays
//! add tiered `billing_expr` items, which have no single price and are left out.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Currency, Money, Price};

/// Quota a relay counts per US dollar (`QuotaPerUnit`); ratio 1 is $2 per million tokens.
pub const QUOTA_PER_USD: f64 = 500_000.0;
/// US dollars per million tokens at model ratio 1.
const USD_PER_MILLION_AT_RATIO_1: f64 = 2.0;

/// What `/api/status` says about money.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RelayStatus {
    /// `USD`, `CNY`, `TOKENS` or `CUSTOM` (new-api since 2025-09; absent before: USD).
    pub display_type: Option<String>,
    /// CNY the user pays for $1 of quota (充值价格); `None` when the relay does not say.
    pub price: Option<f64>,
    /// CNY per USD for the face value (default 7.3 on the relay).
    pub usd_exchange_rate: Option<f64>,
    /// Quota per display unit (500,000).
    pub quota_per_unit: Option<f64>,
    /// The relay's version string.
    pub version: Option<String>,
}

impl RelayStatus {
    /// Reads a `/api/status` body; `None` when it is not one (HTML, an error, `success:false`).
    pub fn parse(body: &[u8]) -> Option<RelayStatus> {
        let v: Value = serde_json::from_slice(body).ok()?;
        if v.get("success").and_then(Value::as_bool) == Some(false) {
            return None;
        }
        let data = v.get("data")?.as_object()?;
        let num = |k: &str| data.get(k).and_then(number);
        Some(RelayStatus {
            display_type: data
                .get("quota_display_type")
                .and_then(Value::as_str)
                .map(|s| s.trim().to_ascii_uppercase()),
            price: num("price"),
            usd_exchange_rate: num("usd_exchange_rate"),
            quota_per_unit: num("quota_per_unit"),
            version: data
                .get("version")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    /// The sign the relay shows amounts with: `¥` for CNY, none for raw tokens, else `$`.
    pub fn symbol(&self) -> &'static str {
        match self.display_type.as_deref() {
            Some("CNY") => "¥",
            Some("TOKENS") => "",
            _ => "$",
        }
    }

    /// The currency of the relay's own amounts (`_usd` fields hold CNY on a CNY site).
    pub fn display_currency(&self) -> Option<Currency> {
        match self.display_type.as_deref() {
            Some("CNY") => Some(Currency::Cny),
            Some("TOKENS") => None,
            _ => Some(Currency::Usd),
        }
    }
}

/// Numbers as numbers or numeric strings.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f| f.is_finite())
}

/// Prices per model from a `/api/pricing` body, in `currency`: the relay's US dollar figures,
/// times the relay's recharge `price` for CNY (what the user actually pays). `None` when the
/// body is not a price list, or CNY is wanted and the relay does not say its recharge price.
pub fn prices(
    pricing_body: &[u8],
    status: Option<&RelayStatus>,
    currency: Currency,
) -> Option<HashMap<String, Price>> {
    let v: Value = serde_json::from_slice(pricing_body).ok()?;
    if v.get("success").and_then(Value::as_bool) == Some(false) {
        return None;
    }
    let items = v.get("data")?.as_array()?;
    let factor = match currency {
        Currency::Usd => 1.0,
        Currency::Cny => status?.price.filter(|p| *p > 0.0)?,
    };
    // An sk- token cannot see its own group; `default` is what a new token gets.
    let group = v
        .pointer("/group_ratio/default")
        .and_then(number)
        .unwrap_or(1.0);
    let mut out = HashMap::new();
    for item in items {
        if let Some((name, price)) = item_price(item, group * factor, currency) {
            out.insert(name, price);
        }
    }
    Some(out)
}

/// One model's price; `None` for a tiered or unreadable item.
fn item_price(item: &Value, factor: f64, currency: Currency) -> Option<(String, Price)> {
    let name = item.get("model_name")?.as_str()?.trim();
    if name.is_empty() {
        return None;
    }
    let tiered = item
        .get("billing_expr")
        .and_then(Value::as_str)
        .is_some_and(|e| !e.trim().is_empty());
    if tiered {
        return None;
    }
    let num = |k: &str| item.get(k).and_then(number);
    let micros = |amount: f64| Money::from_decimal(amount * factor, currency).map(|m| m.micros);
    let price = if num("quota_type") == Some(1.0) {
        Price {
            currency,
            call: micros(num("model_price")?),
            ..Price::default()
        }
    } else {
        let ratio = num("model_ratio")?;
        let input = ratio * USD_PER_MILLION_AT_RATIO_1;
        let completion = num("completion_ratio").unwrap_or(1.0);
        Price {
            currency,
            input: micros(input),
            output: micros(input * completion),
            cached_input: num("cache_ratio").and_then(|r| micros(input * r)),
            call: None,
        }
    };
    Some((name.to_string(), price))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// relay-tasks §4.5, NA-2504's `/api/pricing`.
    const OLD_ERA: &str = r#"{"success":true,
 "data":[{"model_name":"gpt-4o","quota_type":0,"model_ratio":1.25,"model_price":0,"owner_by":"","completion_ratio":4,"enable_groups":["default","vip"]},
         {"model_name":"mj_imagine","quota_type":1,"model_ratio":0,"model_price":0.1,"owner_by":"","completion_ratio":0,"enable_groups":["default"]}],
 "group_ratio":{"default":1,"vip":1},
 "usable_group":{"default":"默认分组","vip":"vip分组"}}"#;

    /// NA-2608 adds cache ratios, vendors, tiered expressions.
    const NEW_ERA: &str = r#"{"success":true,
 "data":[{"model_name":"deepseek-chat","quota_type":0,"model_ratio":0.135,"model_price":0,"completion_ratio":4,"cache_ratio":0.1,"description":"","icon":"DeepSeek","tags":"","vendor_id":3,"enable_groups":["default"],"supported_endpoint_types":["openai"],"billing_mode":"ratio","pricing_version":"v2"},
         {"model_name":"tiered-model","quota_type":0,"model_ratio":1,"completion_ratio":1,"billing_mode":"expr","billing_expr":"tokens > 200000 ? 2 : 1"},
         {"model_name":"suno_music","quota_type":1,"model_price":0.2}],
 "group_ratio":{"default":0.5},
 "vendors":[{"id":3,"name":"DeepSeek"}],"supported_endpoint":{},"auto_groups":[],"pricing_version":"v2"}"#;

    /// relay-tasks §4.6 E-BA-6.
    const STATUS: &str = r#"{"success":true,"message":"","data":{"version":"v0.9.0","quota_per_unit":500000,"display_in_currency":true,"quota_display_type":"CNY","usd_exchange_rate":7.3,"price":1,"server_address":"https://api.example.cn"}}"#;

    fn status() -> RelayStatus {
        RelayStatus::parse(STATUS.as_bytes()).unwrap()
    }

    #[test]
    fn ratios_become_prices_per_million_tokens() {
        let p = prices(OLD_ERA.as_bytes(), None, Currency::Usd).unwrap();
        // model_ratio 1.25 → $2.50 in; × completion_ratio 4 → $10 out: gpt-4o's list price.
        let gpt = p["gpt-4o"];
        assert_eq!((gpt.input, gpt.output), (Some(2_500_000), Some(10_000_000)));
        assert_eq!(gpt.currency, Currency::Usd);
        assert_eq!(p["mj_imagine"].call, Some(100_000));
        assert_eq!(p["mj_imagine"].input, None);
    }

    #[test]
    fn cny_prices_are_dollars_times_the_recharge_price() {
        let mut s = status();
        let p = prices(OLD_ERA.as_bytes(), Some(&s), Currency::Cny).unwrap();
        assert_eq!(
            p["gpt-4o"].input,
            Some(2_500_000),
            "price 1: ¥1 buys $1 of quota"
        );
        s.price = Some(7.3);
        let p = prices(OLD_ERA.as_bytes(), Some(&s), Currency::Cny).unwrap();
        assert_eq!(p["gpt-4o"].input, Some(18_250_000));
        assert_eq!(p["mj_imagine"].call, Some(730_000));
        // Without the relay's recharge price there is no honest CNY figure.
        assert_eq!(prices(OLD_ERA.as_bytes(), None, Currency::Cny), None);
    }

    #[test]
    fn the_newer_era_adds_cache_prices_and_group_ratios_and_skips_tiers() {
        let p = prices(NEW_ERA.as_bytes(), Some(&status()), Currency::Cny).unwrap();
        // 0.135 × 2 × group 0.5 = ¥0.135/M in, × 4 out, × 0.1 cached.
        let ds = p["deepseek-chat"];
        assert_eq!(ds.input, Some(135_000));
        assert_eq!(ds.output, Some(540_000));
        assert_eq!(ds.cached_input, Some(13_500));
        assert_eq!(p["suno_music"].call, Some(100_000));
        assert!(!p.contains_key("tiered-model"));
    }

    #[test]
    fn error_bodies_and_html_are_not_price_lists() {
        for body in [
            r#"{"success":false,"message":"pricing is disabled"}"#,
            "<!doctype html><html><title>New API</title></html>",
            r#"{"error":{"message":"Invalid URL (GET /api/pricing)","type":"invalid_request_error"}}"#,
        ] {
            assert_eq!(prices(body.as_bytes(), None, Currency::Usd), None, "{body}");
            assert_eq!(RelayStatus::parse(body.as_bytes()), None, "{body}");
        }
    }

    #[test]
    fn the_status_names_the_display_currency() {
        let s = status();
        assert_eq!(
            (s.symbol(), s.display_currency()),
            ("¥", Some(Currency::Cny))
        );
        assert_eq!(s.version.as_deref(), Some("v0.9.0"));
        // NA-2504 has no quota_display_type: USD.
        let old = RelayStatus::parse(
            br#"{"success":true,"data":{"version":"v0.6.11","quota_per_unit":500000,"display_in_currency":true,"price":7.3}}"#,
        )
        .unwrap();
        assert_eq!((old.symbol(), old.price), ("$", Some(7.3)));
        let tokens = RelayStatus {
            display_type: Some("TOKENS".into()),
            ..RelayStatus::default()
        };
        assert_eq!((tokens.symbol(), tokens.display_currency()), ("", None));
    }
}
