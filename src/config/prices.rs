//! The money keys: a model's prices, a provider's currency, relay pricing and balance display.

use toml::Spanned;

use super::error::ConfigError;
use super::raw::{Flag, Num, Text};
use super::schema::Provider;
use super::spans::Doc;
use crate::cost::{Currency, Money, Price};

/// Highest price accepted per million tokens or per call: catches a price typed per token
/// thousandfold, without refusing any real one.
const MAX_PRICE: f64 = 100_000.0;

/// Reads `input_price`, `output_price`, `cached_input_price` and `call_price`, in that order.
pub(super) fn read_price(
    doc: Doc<'_>,
    [input, output, cached, call]: [Option<Spanned<Num>>; 4],
) -> Result<Price, ConfigError> {
    let input_span = input.as_ref().map(Spanned::span);
    let output_span = output.as_ref().map(Spanned::span);
    let cached_span = cached.as_ref().map(Spanned::span);
    let micros = |key: &str, v: Option<Spanned<Num>>| -> Result<Option<i64>, ConfigError> {
        let amount = doc.num(key, v, 0.0, MAX_PRICE)?;
        // The currency is the provider's, set once the whole provider is read.
        Ok(amount.and_then(|a| Money::from_decimal(a, Currency::Cny).map(|m| m.micros)))
    };
    let price = Price {
        currency: Currency::Cny,
        input: micros("input_price", input)?,
        output: micros("output_price", output)?,
        cached_input: micros("cached_input_price", cached)?,
        call: micros("call_price", call)?,
    };
    // One token price without the other would make up the missing half.
    match (input_span.clone(), output_span) {
        (Some(span), None) => {
            let msg = "set output_price too (prices are per million tokens in and out)";
            return Err(doc.invalid("input_price", &span, msg));
        }
        (None, Some(span)) => {
            let msg = "set input_price too (prices are per million tokens in and out)";
            return Err(doc.invalid("output_price", &span, msg));
        }
        _ => {}
    }
    if let (Some(span), None) = (cached_span, input_span) {
        let msg = "set input_price and output_price too";
        return Err(doc.invalid("cached_input_price", &span, msg));
    }
    Ok(price)
}

/// Reads `currency`, `pricing`, `show_balance` and `low_balance` into `p`.
pub(super) fn read_billing(
    doc: Doc<'_>,
    p: &mut Provider,
    currency: Option<Spanned<Text>>,
    pricing: Option<Spanned<Text>>,
    show_balance: Option<Flag>,
    low_balance: Option<Spanned<Num>>,
) -> Result<(), ConfigError> {
    if let Some(code) = currency {
        p.currency = Currency::parse(&code.get_ref().0).ok_or_else(|| {
            let msg = format!("{:?} is not \"CNY\" or \"USD\"", code.get_ref().0);
            doc.invalid("currency", &code.span(), msg)
        })?;
    }
    if let Some(how) = pricing {
        p.relay_pricing = match how.get_ref().0.as_str() {
            "relay" => true,
            "config" => false,
            other => {
                let msg = format!("{other:?} is not \"relay\" or \"config\"");
                return Err(doc.invalid("pricing", &how.span(), msg));
            }
        };
    }
    p.show_balance = show_balance.is_some_and(|f| f.0);
    p.low_balance = doc.num("low_balance", low_balance, 0.0, 1e9)?;
    Ok(())
}
