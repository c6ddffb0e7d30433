//! What replies cost: prices per million tokens and per call, in integer micro-units.
//!
//! Pure code: the prices come from the config or a relay's `/api/pricing` (see `relay`), the
//! token counts from what the server reported; nothing here does I/O.

pub mod book;
pub mod cache;
pub mod money;
pub mod relay;
pub mod summary;

pub use money::{Currency, MICROS_PER_UNIT, Money};

use crate::api::Usage;

/// Tokens in the unit prices are quoted for.
const TOKENS_PER_PRICE: i128 = 1_000_000;

/// What a model costs, in one currency. Token prices are per million tokens; `call` is per
/// request (images, Midjourney, Suno, video, or a relay's fee per call on top of tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Price {
    /// What every amount below is in.
    pub currency: Currency,
    /// Micro-units per million prompt tokens.
    pub input: Option<i64>,
    /// Micro-units per million completion tokens.
    pub output: Option<i64>,
    /// Micro-units per million prompt tokens served from the provider's cache (else `input`).
    pub cached_input: Option<i64>,
    /// Micro-units per request.
    pub call: Option<i64>,
}

impl Price {
    /// True when no price is known: such a model shows tokens only.
    pub fn is_empty(&self) -> bool {
        self.tokens().is_none() && self.call.is_none()
    }

    /// The input and output prices, when both are known (one alone would make up the other).
    fn tokens(&self) -> Option<(i64, i64)> {
        Some((self.input?, self.output?))
    }

    /// The cost of one reply that reported `usage`; `None` when it cannot be known: no price,
    /// or token prices and no usage (or free-api's `{1,1,2}` placeholder).
    pub fn cost(&self, usage: Option<&Usage>) -> Option<Money> {
        let usage = usage.filter(|u| !u.is_placeholder());
        let call = i128::from(self.call.unwrap_or(0));
        let tokens = match (self.tokens(), usage) {
            (Some((input, output)), Some(u)) => {
                let cached = u.cached_tokens.unwrap_or(0).min(u.prompt_tokens);
                let fresh = u.prompt_tokens - cached;
                let cached_price = self.cached_input.unwrap_or(input);
                // One division for the whole sum, so parts under a micro-unit are not lost.
                let scaled = i128::from(fresh) * i128::from(input)
                    + i128::from(cached) * i128::from(cached_price)
                    + i128::from(u.completion_tokens) * i128::from(output);
                (scaled + TOKENS_PER_PRICE / 2) / TOKENS_PER_PRICE
            }
            (Some(_), None) => return None,
            (None, _) if self.call.is_none() => return None,
            (None, _) => 0,
        };
        let micros = i64::try_from(tokens + call).unwrap_or(i64::MAX);
        Some(Money::new(micros, self.currency))
    }

    /// This price with the gaps filled from `other` (the config's price wins over the relay's);
    /// prices in another currency are not mixed in.
    pub fn or(self, other: Price) -> Price {
        if self.is_empty() {
            return other;
        }
        if other.currency != self.currency {
            return self;
        }
        let tokens_set = self.tokens().is_some();
        Price {
            currency: self.currency,
            input: if tokens_set { self.input } else { other.input },
            output: if tokens_set {
                self.output
            } else {
                other.output
            },
            cached_input: self
                .cached_input
                .or(if tokens_set { None } else { other.cached_input }),
            call: self.call.or(other.call),
        }
    }
}

/// `1234` as `1,234 tok`, the token part of a cost line.
pub fn tokens_text(n: u64) -> String {
    format!("{} tok", money::group_thousands(n))
}

/// The line under a finished reply: `¥0.0123 · 1,234 tok`, or `¥0.10` for a priced call
/// without token counts.
pub fn reply_line(cost: Money, usage: Option<&Usage>) -> String {
    match usage.filter(|u| !u.is_placeholder()) {
        Some(u) => format!("{} · {}", cost.display(), tokens_text(u.total_tokens)),
        None => cost.display(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(prompt: u64, completion: u64) -> Usage {
        Usage {
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: prompt + completion,
            ..Usage::default()
        }
    }

    /// ¥2 per million in, ¥8 out: deepseek-chat's list price.
    fn deepseek() -> Price {
        Price {
            input: Some(2_000_000),
            output: Some(8_000_000),
            ..Price::default()
        }
    }

    #[test]
    fn a_reply_costs_its_tokens_at_their_prices() {
        let cost = deepseek().cost(Some(&usage(1_000, 234))).unwrap();
        // 1000 × 2 / 1e6 + 234 × 8 / 1e6 = 0.002 + 0.001872
        assert_eq!(cost.micros, 3_872);
        assert_eq!(cost.display(), "¥0.0039");
        assert_eq!(
            reply_line(cost, Some(&usage(1_000, 234))),
            "¥0.0039 · 1,234 tok"
        );
    }

    #[test]
    fn cached_prompt_tokens_cost_the_cached_price() {
        let price = Price {
            cached_input: Some(500_000),
            ..deepseek()
        };
        let mut u = usage(1_000_000, 0);
        u.cached_tokens = Some(600_000);
        // 400k × ¥2/M + 600k × ¥0.5/M
        assert_eq!(price.cost(Some(&u)).unwrap().micros, 800_000 + 300_000);
        // Without a cached price they cost the input price.
        assert_eq!(deepseek().cost(Some(&u)).unwrap().micros, 2_000_000);
        // More cached than prompt tokens (a confused relay) never goes negative.
        u.cached_tokens = Some(5_000_000);
        assert_eq!(price.cost(Some(&u)).unwrap().micros, 500_000);
    }

    #[test]
    fn a_call_price_is_added_to_tokens_or_stands_alone() {
        let per_call = Price {
            call: Some(100_000),
            ..Price::default()
        };
        assert_eq!(per_call.cost(None).unwrap().display(), "¥0.10");
        let with_fee = Price {
            call: Some(10_000),
            ..deepseek()
        };
        assert_eq!(
            with_fee.cost(Some(&usage(1_000_000, 0))).unwrap().micros,
            2_010_000
        );
    }

    #[test]
    fn no_price_or_no_usage_means_no_cost() {
        assert_eq!(Price::default().cost(Some(&usage(10, 10))), None);
        assert_eq!(deepseek().cost(None), None);
        assert_eq!(
            deepseek().cost(Some(&usage(1, 1))),
            None,
            "free-api placeholder"
        );
        let half = Price {
            input: Some(1),
            ..Price::default()
        };
        assert!(half.is_empty());
        assert_eq!(half.cost(Some(&usage(10, 10))), None);
    }

    #[test]
    fn a_hundred_thousand_replies_add_up_exactly() {
        // ¥0.0123 a reply: 1,000 prompt tokens at ¥4.5/M and 1,200 completion at ¥6.5/M.
        let price = Price {
            input: Some(4_500_000),
            output: Some(6_500_000),
            ..Price::default()
        };
        let u = usage(1_000, 1_200);
        let mut total = Money::default();
        let mut float = 0.0_f64;
        for _ in 0..100_000 {
            let c = price.cost(Some(&u)).unwrap();
            total += c;
            float += c.micros as f64 / 1e6;
        }
        assert_eq!(total.micros, 1_230_000_000);
        assert_eq!(total.display(), "¥1,230.00");
        // The same sum in floating point is off, which is why amounts are integers.
        assert_ne!(float, 1230.0);
    }

    #[test]
    fn config_prices_win_over_relay_prices() {
        let relay = Price {
            input: Some(1),
            output: Some(2),
            cached_input: Some(3),
            call: Some(4),
            currency: Currency::Cny,
        };
        let config = Price {
            call: Some(9),
            ..Price::default()
        };
        let merged = config.or(relay);
        assert_eq!(
            (merged.input, merged.output, merged.call),
            (Some(1), Some(2), Some(9))
        );
        let both = deepseek().or(relay);
        assert_eq!((both.input, both.cached_input), (Some(2_000_000), None));
        assert_eq!(Price::default().or(relay), relay);
        let usd = Price {
            currency: Currency::Usd,
            ..deepseek()
        };
        assert_eq!(usd.or(relay), usd);
    }
}
