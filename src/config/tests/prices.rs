//! The money keys: prices, currency, relay pricing, balance display.

use super::{error_of, parse, with_model};
use crate::cost::{Currency, Price};

#[test]
fn model_prices_are_read_in_the_providers_currency() {
    let text = with_model(
        "input_price = 2\noutput_price = 8\ncached_input_price = 0.5\ncall_price = 0.01",
    )
    .replace("base_url", "currency = \"USD\"\nbase_url");
    let config = parse(&text).unwrap();
    let p = config.provider("p").unwrap();
    assert_eq!(p.currency, Currency::Usd);
    assert_eq!(
        *p.models[0].price,
        Price {
            currency: Currency::Usd,
            input: Some(2_000_000),
            output: Some(8_000_000),
            cached_input: Some(500_000),
            call: Some(10_000),
        }
    );
}

#[test]
fn defaults_are_cny_config_prices_and_no_balance() {
    let config = parse(&with_model("")).unwrap();
    let p = config.provider("p").unwrap();
    assert_eq!(p.currency, Currency::Cny);
    assert!(!p.relay_pricing && !p.show_balance);
    assert_eq!(p.low_balance, None);
    assert!(p.models[0].price.is_empty());
}

#[test]
fn provider_billing_keys_are_read() {
    let text = with_model("").replace(
        "base_url",
        "pricing = \"relay\"\nshow_balance = true\nlow_balance = 5\nbase_url",
    );
    let config = parse(&text).unwrap();
    let p = config.provider("p").unwrap();
    assert!(p.relay_pricing && p.show_balance);
    assert_eq!(p.low_balance, Some(5.0));
}

#[test]
fn bad_money_keys_say_where_and_why() {
    let e = error_of(&with_model("input_price = 2"));
    assert!(
        e.contains("input_price") && e.contains("output_price too"),
        "{e}"
    );
    let e = error_of(&with_model("input_price = -1\noutput_price = 1"));
    assert!(e.contains("input_price"), "{e}");
    let e = error_of(&with_model("cached_input_price = 1"));
    assert!(e.contains("cached_input_price"), "{e}");
    let e = error_of(&with_model("").replace("base_url", "currency = \"EUR\"\nbase_url"));
    assert!(e.contains("currency") && e.contains("EUR"), "{e}");
    let e = error_of(&with_model("").replace("base_url", "pricing = \"relai\"\nbase_url"));
    assert!(e.contains("pricing"), "{e}");
}
