//! One TLS setup for every HTTP client of the process (chat, model lists, media, images).
//!
//! Each reqwest client built with its own TLS setup reads and parses the system's root
//! certificates again (about 150 files here); clients built from one shared configuration
//! read them once, and not at all until the first client is built.

use std::sync::{Arc, OnceLock};

/// The shared configuration, built on first use; clones share it.
#[derive(Clone, Default)]
pub struct SharedTls(Arc<OnceLock<Option<rustls::ClientConfig>>>);

impl std::fmt::Debug for SharedTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SharedTls")
            .field(&self.0.get().map(Option::is_some))
            .finish()
    }
}

impl SharedTls {
    /// `builder` using the shared configuration. Without usable system roots reqwest builds
    /// its own, which then reports why.
    pub fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        match self.0.get_or_init(build) {
            Some(config) => builder.tls_backend_preconfigured(config.clone()),
            None => builder,
        }
    }

    /// True once the configuration was built (the roots were read).
    pub fn is_built(&self) -> bool {
        self.0.get().is_some()
    }
}

/// What reqwest builds for a client with default TLS settings: TLS 1.2 and 1.3, the platform's
/// verifier over the system roots, HTTP/1.1 (the only version this build speaks).
fn build() -> Option<rustls::ClientConfig> {
    // Err only means another part of the process installed it first.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .inspect_err(|e| tracing::warn!(%e, "no system root certificates"))
        .ok()?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Some(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_configuration_built_on_first_use() {
        let tls = SharedTls::default();
        let other = tls.clone();
        assert!(!tls.is_built(), "nothing is read before a client is built");
        let _ = tls.apply(reqwest::Client::builder()).build();
        assert!(other.is_built(), "a clone sees the one configuration");
    }
}
