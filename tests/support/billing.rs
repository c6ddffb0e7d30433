//! Billing, usage, status and pricing routes of a new-api relay, replaying relay-tasks §4.6.
//!
//! `server.billing(Relay::Cny)` answers the dashboard billing routes (under `/v1` and without
//! it), `/api/usage/token/` and `/api/status` as that kind of relay does; `server.pricing(era)`
//! adds `/api/pricing`. `Relay::NotFound` registers nothing: the mock's default answers every
//! `/v1/` and `/api/` path with new-api's 404 JSON, as one-api does for routes it lacks.

use super::{MockServer, Reply, scenarios};

/// E-BA-1: a USD site's token with $4.10 of quota.
pub const SUB_USD: &str = r#"{"object":"billing_subscription","has_payment_method":true,"soft_limit_usd":4.1,"hard_limit_usd":4.1,"system_hard_limit_usd":4.1,"access_until":0}"#;
/// $1.23 used, in cents.
pub const USAGE_USD: &str = r#"{"object":"list","total_usage":123}"#;
/// E-BA-2: a CNY site; the `_usd` fields hold yuan.
pub const SUB_CNY: &str = r#"{"object":"billing_subscription","has_payment_method":true,"soft_limit_usd":2030.803724,"hard_limit_usd":2030.803724,"system_hard_limit_usd":2030.803724,"access_until":0}"#;
/// E-BA-4: ¥6.96 used, in fen.
pub const USAGE_CNY: &str = r#"{"object":"list","total_usage":695.9646}"#;
/// E-BA-3: an unlimited token.
pub const SUB_UNLIMITED: &str = r#"{"object":"billing_subscription","has_payment_method":true,"soft_limit_usd":100000000,"hard_limit_usd":100000000,"system_hard_limit_usd":100000000,"access_until":1767225600}"#;
/// Spend of the unlimited token, in cents.
pub const USAGE_UNLIMITED: &str = r#"{"object":"list","total_usage":162.469}"#;
/// §4.3: `/api/usage/token/` for a limited token (raw quota).
pub const TOKEN_USAGE: &str = r#"{"code":true,"message":"ok","data":{"object":"token_usage","name":"Default Token","total_granted":1000000,"total_used":12345,"total_available":987655,"unlimited_quota":false,"model_limits":{"gpt-4o-mini":true},"model_limits_enabled":false,"expires_at":0}}"#;
/// E-BA-5 variant: an unlimited token.
pub const TOKEN_USAGE_UNLIMITED: &str = r#"{"code":true,"message":"ok","data":{"object":"token_usage","name":"无限令牌","total_granted":0,"total_used":812345,"total_available":-812345,"unlimited_quota":true,"model_limits":{},"model_limits_enabled":false,"expires_at":0}}"#;
/// E-BA-6: a CNY site at ¥1 per $1 of quota.
pub const STATUS_CNY: &str = r#"{"success":true,"message":"","data":{"version":"v0.9.0","quota_per_unit":500000,"display_in_currency":true,"quota_display_type":"CNY","usd_exchange_rate":7.3,"price":1,"server_address":"https://api.example.cn"}}"#;
/// A USD site of the current era.
pub const STATUS_USD: &str = r#"{"success":true,"message":"","data":{"version":"v0.9.0","quota_per_unit":500000,"display_in_currency":true,"quota_display_type":"USD","usd_exchange_rate":7.3,"price":7.3}}"#;
/// NA-2504: no `quota_display_type` (so USD), recharge price ¥7.3.
pub const STATUS_OLD: &str = r#"{"success":true,"message":"","data":{"version":"v0.6.11","quota_per_unit":500000,"display_in_currency":true,"price":7.3}}"#;
/// E-BA-7: an error with HTTP 200.
pub const ERROR_200: &str = r#"{"error":{"message":"record not found","type":"upstream_error"}}"#;
/// §4.5 NA-2504 `/api/pricing`.
pub const PRICING_OLD: &str = r#"{"success":true,"data":[{"model_name":"gpt-4o","quota_type":0,"model_ratio":1.25,"model_price":0,"owner_by":"","completion_ratio":4,"enable_groups":["default","vip"]},{"model_name":"mj_imagine","quota_type":1,"model_ratio":0,"model_price":0.1,"owner_by":"","completion_ratio":0,"enable_groups":["default"]}],"group_ratio":{"default":1,"vip":1},"usable_group":{"default":"默认分组","vip":"vip分组"}}"#;
/// §4.5 NA-2608 `/api/pricing`: cache ratios, vendors, a tiered item.
pub const PRICING_NEW: &str = r#"{"success":true,"data":[{"model_name":"gpt-4o","quota_type":0,"model_ratio":1.25,"model_price":0,"completion_ratio":4,"cache_ratio":0.5,"description":"","icon":"OpenAI","tags":"","vendor_id":1,"enable_groups":["default"],"supported_endpoint_types":["openai"],"billing_mode":"ratio","pricing_version":"v2"},{"model_name":"deepseek-chat","quota_type":0,"model_ratio":0.135,"model_price":0,"completion_ratio":4,"cache_ratio":0.1,"enable_groups":["default"]},{"model_name":"tiered-model","quota_type":0,"model_ratio":1,"completion_ratio":1,"billing_mode":"expr","billing_expr":"tokens > 200000 ? 2 : 1"},{"model_name":"mj_imagine","quota_type":1,"model_price":0.1}],"group_ratio":{"default":1},"vendors":[{"id":1,"name":"OpenAI"}],"supported_endpoint":{},"auto_groups":[],"pricing_version":"v2"}"#;
/// NA-2608 with the pricing page switched off.
pub const PRICING_DISABLED: &str = r#"{"success":false,"message":"pricing is disabled"}"#;

/// What kind of relay the billing routes imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relay {
    /// A USD site: $4.10 granted, $1.23 used.
    Usd,
    /// A CNY site (numbers in `_usd` fields are yuan): ¥2030.80 granted, ¥6.96 used.
    Cny,
    /// An unlimited token on a CNY site.
    Unlimited,
    /// No such routes: the default 404 JSON for `/v1/` and `/api/` paths.
    NotFound,
    /// A site that answers every path with its web UI (200 text/html).
    Html,
    /// The routes exist but answer E-BA-7's error with HTTP 200.
    ErrorBody,
}

/// Which `/api/pricing` answer to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PricingEra {
    /// NA-2504 (spring 2025).
    Old,
    /// NA-2608 (current).
    New,
    /// 403 `pricing is disabled`.
    Disabled,
}

const BILLING_PATHS: [&str; 4] = [
    "/v1/dashboard/billing/subscription",
    "/v1/dashboard/billing/usage",
    "/dashboard/billing/subscription",
    "/dashboard/billing/usage",
];

impl MockServer {
    /// Answers the billing, token-usage and status routes like `relay` (see the module docs).
    pub fn billing(&self, relay: Relay) -> &Self {
        let json = |body: &str| vec![Reply::json(200, body.as_bytes())];
        let (sub, usage, token, status) = match relay {
            Relay::Usd => (SUB_USD, USAGE_USD, Some(TOKEN_USAGE), STATUS_USD),
            Relay::Cny => (SUB_CNY, USAGE_CNY, Some(TOKEN_USAGE), STATUS_CNY),
            Relay::Unlimited => (
                SUB_UNLIMITED,
                USAGE_UNLIMITED,
                Some(TOKEN_USAGE_UNLIMITED),
                STATUS_CNY,
            ),
            Relay::NotFound => return self,
            Relay::Html => {
                for path in BILLING_PATHS.iter().chain(&[
                    "/api/usage/token/",
                    "/api/status",
                    "/api/pricing",
                ]) {
                    self.on_path("GET", path, vec![scenarios::m6_spa()]);
                }
                return self;
            }
            Relay::ErrorBody => (ERROR_200, ERROR_200, None, STATUS_CNY),
        };
        for (path, body) in BILLING_PATHS.iter().zip([sub, usage, sub, usage]) {
            self.on_path("GET", path, json(body));
        }
        if let Some(token) = token {
            self.on_path("GET", "/api/usage/token/", json(token));
        }
        self.on_path("GET", "/api/status", json(status));
        self
    }

    /// Answers `/api/pricing` as a relay of `era` does.
    pub fn pricing(&self, era: PricingEra) -> &Self {
        let reply = match era {
            PricingEra::Old => Reply::json(200, PRICING_OLD.as_bytes()),
            PricingEra::New => Reply::json(200, PRICING_NEW.as_bytes()),
            PricingEra::Disabled => Reply::json(403, PRICING_DISABLED.as_bytes()),
        };
        self.on_path("GET", "/api/pricing", vec![reply]);
        self
    }
}
