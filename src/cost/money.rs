//! Amounts of money as integer micro-units of a currency, and how they are written.

use std::fmt;
use std::ops::{Add, AddAssign};

/// Micro-units in one yuan or dollar.
pub const MICROS_PER_UNIT: i64 = 1_000_000;

/// The currency a provider charges in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    /// Chinese yuan, shown as `¥` (the default: the relays this client targets bill in it).
    #[default]
    Cny,
    /// US dollars, shown as `$`.
    Usd,
}

impl Currency {
    /// The code as written in the config and stored in the database (`CNY`, `USD`).
    pub fn code(self) -> &'static str {
        match self {
            Currency::Cny => "CNY",
            Currency::Usd => "USD",
        }
    }

    /// The sign written before an amount.
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Cny => "¥",
            Currency::Usd => "$",
        }
    }

    /// Parses a code, case-insensitively (`cny`, `RMB` and `USD` are what people write).
    pub fn parse(code: &str) -> Option<Currency> {
        match code.trim().to_ascii_uppercase().as_str() {
            "CNY" | "RMB" => Some(Currency::Cny),
            "USD" => Some(Currency::Usd),
            _ => None,
        }
    }
}

/// An amount in one currency, in micro-units: sums of many small costs stay exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Money {
    /// Millionths of a yuan or dollar.
    pub micros: i64,
    /// What the amount is in.
    pub currency: Currency,
}

impl Money {
    /// An amount of `micros` millionths of `currency`.
    pub fn new(micros: i64, currency: Currency) -> Money {
        Money { micros, currency }
    }

    /// A decimal amount (a price from the config or a relay), rounded to the nearest micro-unit;
    /// `None` for a value that is not finite or too large to hold.
    pub fn from_decimal(amount: f64, currency: Currency) -> Option<Money> {
        let micros = (amount * MICROS_PER_UNIT as f64).round();
        (micros.is_finite() && micros.abs() < 9.0e18).then(|| Money::new(micros as i64, currency))
    }

    /// True for nothing at all.
    pub fn is_zero(self) -> bool {
        self.micros == 0
    }

    /// With a precision that suits the amount: two decimals from one unit up, four below that,
    /// and down to six so a real cost never reads `¥0.00` (`¥0.0123`, `¥0.000042`).
    pub fn display(self) -> String {
        let decimals = decimals_for(self.micros.unsigned_abs());
        let mut text = decimal(self.micros, decimals);
        // `¥0.10`, not `¥0.1000`: the extra places are for small amounts, not round ones.
        while text.len() - text.find('.').unwrap_or(text.len()) > 3 && text.ends_with('0') {
            text.pop();
        }
        format!("{}{text}", self.currency.symbol())
    }

    /// With exactly two decimals, for balances and totals in tables (`¥12.50`).
    pub fn display_fixed(self) -> String {
        format!("{}{}", self.currency.symbol(), decimal(self.micros, 2))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl Add for Money {
    type Output = Money;
    /// Adds two amounts of the same currency (the caller keeps currencies apart).
    fn add(self, rhs: Money) -> Money {
        Money::new(self.micros.saturating_add(rhs.micros), self.currency)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

/// Decimals that show at least two significant digits of an amount under one unit.
fn decimals_for(micros: u64) -> u32 {
    match micros {
        0 => 2,
        m if m >= MICROS_PER_UNIT as u64 => 2,
        m if m >= 10_000 => 4,
        m if m >= 1_000 => 4,
        m if m >= 100 => 5,
        _ => 6,
    }
}

/// `micros` written with `decimals` decimals (rounded half away from zero) and thousands
/// separators in the whole part.
pub fn decimal(micros: i64, decimals: u32) -> String {
    let decimals = decimals.min(6);
    let step = 10_u64.pow(6 - decimals);
    let abs = micros.unsigned_abs();
    let rounded = (abs + step / 2) / step;
    let scale = 10_u64.pow(decimals);
    let (whole, frac) = (rounded / scale, rounded % scale);
    let sign = if micros < 0 && rounded > 0 { "-" } else { "" };
    let whole = group_thousands(whole);
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = decimals as usize)
    }
}

/// `1234567` as `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(micros: i64) -> String {
        Money::new(micros, Currency::Cny).display()
    }

    #[test]
    fn precision_follows_the_amount_and_never_hides_a_real_cost() {
        assert_eq!(cny(12_345_678), "¥12.35");
        assert_eq!(cny(1_000_000), "¥1.00");
        assert_eq!(cny(12_300), "¥0.0123");
        assert_eq!(cny(1_234), "¥0.0012");
        assert_eq!(cny(123), "¥0.00012");
        assert_eq!(cny(42), "¥0.000042");
        assert_eq!(cny(1), "¥0.000001");
        assert_eq!(cny(0), "¥0.00");
        assert_eq!(cny(100_000), "¥0.10");
        assert_eq!(cny(12_000), "¥0.012");
        assert_eq!(cny(1_234_567_890_000), "¥1,234,567.89");
        for m in 1..20_000 {
            assert_ne!(
                cny(m).trim_start_matches('¥').replace(['0', '.'], ""),
                "",
                "{m}"
            );
        }
    }

    #[test]
    fn currencies_have_their_signs_and_codes() {
        assert_eq!(Money::new(2_500_000, Currency::Usd).display(), "$2.50");
        assert_eq!(
            Money::new(2_500_000, Currency::Cny).display_fixed(),
            "¥2.50"
        );
        assert_eq!(
            Money::new(-1_500_000, Currency::Cny).display_fixed(),
            "¥-1.50"
        );
        assert_eq!(Currency::parse(" usd "), Some(Currency::Usd));
        assert_eq!(Currency::parse("RMB"), Some(Currency::Cny));
        assert_eq!(Currency::parse("EUR"), None);
        assert_eq!(Currency::default().code(), "CNY");
    }

    #[test]
    fn decimals_round_half_away_from_zero() {
        assert_eq!(decimal(5_000, 2), "0.01");
        assert_eq!(decimal(4_999, 2), "0.00");
        assert_eq!(decimal(-5_000, 2), "-0.01");
        assert_eq!(decimal(-4_000, 2), "0.00");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000), "1,000");
    }

    #[test]
    fn decimal_amounts_round_to_the_nearest_micro_unit() {
        let m = Money::from_decimal(0.0000015, Currency::Cny).unwrap();
        assert_eq!(m.micros, 2);
        assert_eq!(
            Money::from_decimal(2.0, Currency::Cny).unwrap().micros,
            2_000_000
        );
        assert!(Money::from_decimal(f64::NAN, Currency::Cny).is_none());
        assert!(Money::from_decimal(1e30, Currency::Cny).is_none());
    }
}
