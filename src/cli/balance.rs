//! `ecochat balance [PROVIDER]`: what is left on a provider's key, asked of the relay.

use std::io::Write;

use crate::api::billing::Balance;
use crate::config::{Config, Provider};

/// The provider `ecochat balance` asks: the one named, else the default model's.
pub fn pick<'a>(cfg: &'a Config, name: Option<&str>) -> Result<&'a Provider, String> {
    match name {
        Some(name) => cfg.provider(name).ok_or_else(|| {
            let names: Vec<&str> = cfg.providers.iter().map(|p| p.name.as_str()).collect();
            format!(
                "no provider named {name:?} (configured: {})",
                names.join(", ")
            )
        }),
        None => cfg
            .resolve(&cfg.default_model)
            .map(|(p, _)| p)
            .map_err(|e| e.to_string()),
    }
}

/// `ecovai: remaining ¥12.34 · used ¥0.66 · limit ¥13.00`.
pub fn write(provider: &Provider, balance: &Balance, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{}: {}", provider.name, balance.line())?;
    out.flush()
}
