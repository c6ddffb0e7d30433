//! Pricing finished replies, the session's total, and balance reports.

use super::App;
use crate::cost::Money;
use crate::cost::book::{price_of, totals};

/// Prices reply `id` from what the server reported, once it has ended; a reply without a
/// known price keeps no cost (it shows tokens only).
pub(super) fn settle(app: &mut App, id: u64) {
    let Some(label) = app
        .conv
        .messages
        .iter()
        .find(|m| m.id == id)
        .and_then(|m| m.model.clone())
    else {
        return;
    };
    let price = price_of(&app.providers, &app.relay_prices, &label);
    if let Some(m) = app.conv.get_mut(id) {
        let cost = price.and_then(|p| p.cost(m.usage.as_ref()));
        if m.cost != cost {
            m.cost = cost;
            m.revision += 1;
        }
    }
}

/// What this conversation's replies cost so far, one amount per currency.
pub fn session_totals(app: &App) -> Vec<Money> {
    totals(app.conv.messages.iter().filter_map(|m| m.cost))
}
