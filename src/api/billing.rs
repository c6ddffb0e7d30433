//! A relay's balance (`/dashboard/billing/*`, `/api/usage/token/`) and its price list
//! (`/api/pricing`, `/api/status`), as relay-tasks §4 describes them.
//!
//! Every request goes to the provider's own host (derived from `base_url`) and redirects are
//! not followed, so the key can never be sent anywhere else. Only the billing and token-usage
//! routes get the key; the status and pricing pages are public.

use std::collections::HashMap;

use futures_util::StreamExt;
use serde_json::Value;

use super::client::Endpoint;
use super::tls::SharedTls;
use crate::cost::money::decimal;
use crate::cost::relay::{self, RelayStatus};
use crate::cost::{Currency, Price};

/// Most bytes read of one answer: a price list of a few thousand models is well under this.
const MAX_BODY: usize = 8 << 20;
/// Limits at or above this mean an unlimited token (new-api reports 1e8).
const UNLIMITED_LIMIT: f64 = 1.0e8;

/// Why a balance or price list could not be read; each is one sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillingError {
    /// The relay has no such page, or answers it with something that is not one.
    #[error("{host} does not report {what}: {why}")]
    Unsupported {
        host: String,
        what: &'static str,
        why: String,
    },
    /// The relay refused the key.
    #[error("{host} refused the API key from {key_source} (HTTP {status}){detail}")]
    Refused {
        host: String,
        key_source: String,
        status: u16,
        detail: String,
    },
    /// No answer at all.
    #[error("cannot reach {host}: {detail}")]
    Network { host: String, detail: String },
}

impl BillingError {
    /// True when asking again today is pointless: the relay lacks the pages.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, BillingError::Unsupported { .. })
    }
}

/// A key's balance in the relay's display currency, in micro-units of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// `¥`, `$`, or nothing for a relay that shows raw quota.
    pub symbol: &'static str,
    /// The key's limit; `None` for an unlimited token.
    pub limit: Option<i64>,
    /// Spent so far.
    pub used: i64,
    /// What is left; `None` for an unlimited token.
    pub remaining: Option<i64>,
}

impl Balance {
    /// `remaining ¥2,023.84 · used ¥6.96 · limit ¥2,030.80`, or `unlimited · used ¥1.62`.
    pub fn line(&self) -> String {
        let amount = |micros: i64| format!("{}{}", self.symbol, decimal(micros, 2));
        match (self.remaining, self.limit) {
            (Some(left), Some(limit)) => format!(
                "remaining {} · used {} · limit {}",
                amount(left),
                amount(self.used),
                amount(limit)
            ),
            _ => format!("unlimited · used {}", amount(self.used)),
        }
    }

    /// The remaining amount alone, for the status bar (`¥2,023.84`, `unlimited`).
    pub fn short(&self) -> String {
        match self.remaining {
            Some(left) => format!("{}{}", self.symbol, decimal(left, 2)),
            None => "unlimited".to_string(),
        }
    }

    /// True when a limited balance is under `threshold` units of the display currency.
    pub fn is_below(&self, threshold: f64) -> bool {
        self.remaining
            .is_some_and(|left| (left as f64) < threshold * crate::cost::MICROS_PER_UNIT as f64)
    }
}

/// The balance from a subscription and a usage body (and, when the relay has them, its status
/// and the token's own usage). Pure: what `fetch_balance` does once the bodies are in.
pub fn parse_balance(
    subscription: &Value,
    usage: &Value,
    status: Option<&RelayStatus>,
    token: Option<&Value>,
) -> Option<Balance> {
    let limit = subscription.get("hard_limit_usd").and_then(Value::as_f64)?;
    // `total_usage` is in hundredths of the display currency.
    let used = usage.get("total_usage").and_then(Value::as_f64)? / 100.0;
    let unlimited_token = token
        .and_then(|t| t.pointer("/data/unlimited_quota"))
        .and_then(Value::as_bool)
        == Some(true);
    let micros = |x: f64| (x * crate::cost::MICROS_PER_UNIT as f64).round() as i64;
    let unlimited = unlimited_token || limit >= UNLIMITED_LIMIT;
    Some(Balance {
        symbol: status.map_or("$", RelayStatus::symbol),
        limit: (!unlimited).then(|| micros(limit)),
        used: micros(used),
        remaining: (!unlimited).then(|| micros(limit - used)),
    })
}

/// Where the relay's own pages are: the base URL without its `/v1`.
pub fn origin(base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    match base.strip_suffix("/v1") {
        Some(origin) => origin.to_string(),
        None => reqwest::Url::parse(base)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| base.to_string()),
    }
}

/// One GET to the provider's host, answered with JSON.
struct Getter<'a> {
    ep: &'a Endpoint,
    http: reqwest::Client,
    host: String,
}

impl<'a> Getter<'a> {
    fn new(ep: &'a Endpoint, tls: &SharedTls) -> Result<Getter<'a>, BillingError> {
        let host = ep.host();
        let http = tls
            .apply(reqwest::Client::builder())
            .connect_timeout(ep.connect_timeout)
            .timeout(ep.connect_timeout + ep.idle_timeout)
            .user_agent(concat!("ecochat/", env!("CARGO_PKG_VERSION")))
            // A redirect could lead the key to another host; these pages never need one.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| BillingError::Network {
                host: host.clone(),
                detail: e.to_string(),
            })?;
        Ok(Getter { ep, http, host })
    }

    fn unsupported(&self, what: &'static str, why: String) -> BillingError {
        BillingError::Unsupported {
            host: self.host.clone(),
            what,
            why,
        }
    }

    /// GETs `url` and reads a JSON object; `what` names the answer in error sentences.
    async fn json(
        &self,
        url: &str,
        with_key: bool,
        what: &'static str,
    ) -> Result<Value, BillingError> {
        let mut rb = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json");
        if with_key && let Some(key) = &self.ep.api_key {
            rb = rb.bearer_auth(key);
        }
        let response = rb.send().await.map_err(|e| BillingError::Network {
            host: self.host.clone(),
            detail: if e.is_timeout() {
                "no answer in time".to_string()
            } else {
                without_url(&e)
            },
        })?;
        let status = response.status().as_u16();
        let path = response.url().path().to_string();
        let html = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.contains("html"));
        let body = read_capped(response).await;
        let text = String::from_utf8_lossy(&body);
        let json: Option<Value> = serde_json::from_str(text.trim())
            .ok()
            .filter(Value::is_object);
        let message = json.as_ref().and_then(error_message);
        if status == 401 || (status == 403 && with_key) {
            return Err(BillingError::Refused {
                host: self.host.clone(),
                key_source: self.ep.key_source.clone(),
                status,
                detail: message.map(|m| format!(": {m}")).unwrap_or_default(),
            });
        }
        if html || (json.is_none() && text.trim_start().starts_with('<')) {
            return Err(self.unsupported(what, format!("{path} answered with a web page")));
        }
        if !(200..300).contains(&status) {
            let why = match message {
                Some(m) => format!("{path} answered HTTP {status} ({m})"),
                None => format!("{path} answered HTTP {status}"),
            };
            return Err(self.unsupported(what, why));
        }
        match (json, message) {
            (_, Some(m)) => Err(self.unsupported(what, format!("{path} answered an error: {m}"))),
            (Some(v), None) => Ok(v),
            (None, None) => Err(self.unsupported(what, format!("{path} did not answer JSON"))),
        }
    }
}

/// A reqwest error without the URL in it (a base URL may carry a secret in its query).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "the relay");
    }
    text
}

/// The error sentence of an error body: `{"error":{"message"}}`, new-api's `success:false`,
/// cleaned for the terminal and cut short.
fn error_message(v: &Value) -> Option<String> {
    let message = match v.get("error") {
        Some(Value::Object(e)) => e.get("message").and_then(Value::as_str).unwrap_or("error"),
        Some(Value::String(s)) => s.as_str(),
        _ if v.get("success").and_then(Value::as_bool) == Some(false) => v
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("success: false"),
        _ => return None,
    };
    let clean = crate::sanitize::sanitize(message).replace(['\n', '\r'], " ");
    Some(super::error::truncate_chars(clean.trim(), 160))
}

async fn read_capped(response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        let room = MAX_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room <= chunk.len() {
            break;
        }
    }
    body
}

/// Reads the key's balance: `/dashboard/billing/subscription` and `…/usage` under the base URL,
/// plus `/api/status` (display currency) and `/api/usage/token/` (unlimited tokens) where the
/// relay has them.
pub async fn fetch_balance(ep: &Endpoint, tls: &SharedTls) -> Result<Balance, BillingError> {
    let get = Getter::new(ep, tls)?;
    let base = ep.base_url.trim_end_matches('/');
    let origin = origin(base);
    const WHAT: &str = "a balance";
    let sub = get
        .json(
            &format!("{base}/dashboard/billing/subscription"),
            true,
            WHAT,
        )
        .await?;
    let usage = get
        .json(&format!("{base}/dashboard/billing/usage"), true, WHAT)
        .await?;
    let status = get
        .json(&format!("{origin}/api/status"), false, WHAT)
        .await
        .ok()
        .and_then(|v| RelayStatus::parse(v.to_string().as_bytes()));
    // The trailing slash is the route's own; without it the relay redirects.
    let token = get
        .json(&format!("{origin}/api/usage/token/"), true, WHAT)
        .await
        .ok();
    parse_balance(&sub, &usage, status.as_ref(), token.as_ref()).ok_or_else(|| {
        get.unsupported(
            WHAT,
            "/dashboard/billing/subscription has no hard_limit_usd".to_string(),
        )
    })
}

/// Reads the relay's price list (`/api/pricing`, with `/api/status` for the recharge price)
/// and derives per-model prices in `currency`.
pub async fn fetch_prices(
    ep: &Endpoint,
    currency: Currency,
    tls: &SharedTls,
) -> Result<HashMap<String, Price>, BillingError> {
    let get = Getter::new(ep, tls)?;
    let origin = origin(&ep.base_url);
    const WHAT: &str = "prices";
    let pricing = get
        .json(&format!("{origin}/api/pricing"), false, WHAT)
        .await?;
    let status = get
        .json(&format!("{origin}/api/status"), false, WHAT)
        .await
        .ok()
        .and_then(|v| RelayStatus::parse(v.to_string().as_bytes()));
    relay::prices(pricing.to_string().as_bytes(), status.as_ref(), currency).ok_or_else(|| {
        let why = match currency {
            Currency::Cny => "/api/pricing or its recharge price in /api/status is missing",
            Currency::Usd => "/api/pricing holds no price list",
        };
        get.unsupported(WHAT, why.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn a_cny_site_balance_is_limit_minus_usage() {
        let status = RelayStatus {
            display_type: Some("CNY".into()),
            ..RelayStatus::default()
        };
        let b = parse_balance(
            &v(r#"{"hard_limit_usd":2030.803724}"#),
            &v(r#"{"object":"list","total_usage":695.9646}"#),
            Some(&status),
            None,
        )
        .unwrap();
        assert_eq!(
            b.line(),
            "remaining ¥2,023.84 · used ¥6.96 · limit ¥2,030.80"
        );
        assert!(!b.is_below(100.0) && b.is_below(3000.0));
    }

    #[test]
    fn an_unlimited_token_says_unlimited() {
        let b = parse_balance(
            &v(r#"{"hard_limit_usd":100000000}"#),
            &v(r#"{"total_usage":162.469}"#),
            None,
            None,
        )
        .unwrap();
        assert_eq!(b.line(), "unlimited · used $1.62");
        assert_eq!(b.short(), "unlimited");
        let token = v(r#"{"code":true,"data":{"unlimited_quota":true}}"#);
        let b = parse_balance(
            &v(r#"{"hard_limit_usd":4.1}"#),
            &v(r#"{"total_usage":0}"#),
            None,
            Some(&token),
        )
        .unwrap();
        assert_eq!(b.limit, None);
    }

    #[test]
    fn origins_drop_the_v1() {
        assert_eq!(origin("https://api.ecovai.cn/v1"), "https://api.ecovai.cn");
        assert_eq!(origin("http://127.0.0.1:8080/v1/"), "http://127.0.0.1:8080");
        assert_eq!(origin("https://x.test/api/openai"), "https://x.test");
    }

    #[test]
    fn error_bodies_become_one_clean_line() {
        let m = error_message(&v(
            r#"{"error":{"message":"record\nnot found\u001b[31m","type":"upstream_error"}}"#,
        ))
        .unwrap();
        assert!(!m.contains('\u{1b}') && !m.contains('\n'), "{m:?}");
        assert!(m.starts_with("record not found"), "{m}");
        assert_eq!(
            error_message(&v(r#"{"success":false,"message":"pricing is disabled"}"#)).as_deref(),
            Some("pricing is disabled")
        );
        assert_eq!(error_message(&v(r#"{"object":"list"}"#)), None);
    }
}
