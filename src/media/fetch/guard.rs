//! Where automatic media fetches may go. A link in a reply is written by the model, so a fetch
//! made without a key press must not become a request into the user's own network: loopback,
//! private, link-local and unique-local addresses are refused unless the host is the provider's
//! own or the user allowed it. Names are checked on the addresses they resolve to, at connect
//! time, so a name cannot rebind to a private address after a check.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Hosts (names or address literals, lower case) that may be private: the provider's own and
/// the config's `media_allow_hosts`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostPolicy {
    allowed: HashSet<String>,
}

/// Why a host was refused, shown in the panel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{host} is a local or private address: not fetched (add it to media_allow_hosts)")]
pub struct Refused {
    pub host: String,
}

impl HostPolicy {
    /// A policy allowing `hosts` (names or addresses, `[::1]` or `::1`) besides public ones.
    pub fn new<'a>(hosts: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            allowed: hosts.into_iter().map(normal_host).collect(),
        }
    }

    /// True when `host` was allowed by name or address.
    pub fn allows_host(&self, host: &str) -> bool {
        self.allowed.contains(&normal_host(host))
    }

    /// Checks the host of `url` when it is an address literal (names are checked as they
    /// resolve, see `GuardedResolver`).
    pub fn check_url(&self, url: &Url) -> Result<(), Refused> {
        let host = url.host_str().unwrap_or_default();
        let Ok(ip) = normal_host(host).parse::<IpAddr>() else {
            return Ok(());
        };
        if is_public(ip) || self.allows_host(host) {
            Ok(())
        } else {
            Err(Refused {
                host: host.to_string(),
            })
        }
    }
}

/// `[::1]` and `::1`, `Example.COM` and `example.com` name the same host.
fn normal_host(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The host of a provider's `base_url`, for `HostPolicy`.
pub fn base_url_host(base_url: &str) -> Option<String> {
    Url::parse(base_url).ok()?.host_str().map(normal_host)
}

/// True for addresses on the public internet: not loopback, private (RFC 1918, shared CGNAT),
/// link-local, unique-local, unspecified, multicast, broadcast or documentation ranges.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10, carrier-grade NAT: a LAN on the other side of the ISP.
        || (a == 100 && (64..128).contains(&b))
        // 198.18.0.0/15, benchmarking; 240.0.0.0/4, reserved.
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique-local, fe80::/10 link-local, fec0::/10 old site-local.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        // 2001:db8::/32, documentation.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // ::ffff:0:0/96 is handled as IPv4; 64:ff9b::/96 (NAT64) may wrap a private one.
        || (first == 0x0064 && ip.segments()[1] == 0xff9b))
}

/// The media client's DNS: the system resolver, with every non-public address dropped unless
/// the name is allowed. Connections go only to what this returns, so DNS rebinding cannot
/// slip a private address past it.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub policy: Arc<HostPolicy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept = filter_addrs(&policy, &host, addrs)?;
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

/// The addresses of `host` a media fetch may connect to; an error when none is left.
pub fn filter_addrs(
    policy: &HostPolicy,
    host: &str,
    addrs: Vec<SocketAddr>,
) -> Result<Vec<SocketAddr>, Refused> {
    if policy.allows_host(host) {
        return Ok(addrs);
    }
    let kept: Vec<SocketAddr> = addrs.into_iter().filter(|a| is_public(a.ip())).collect();
    if kept.is_empty() {
        return Err(Refused {
            host: host.to_string(),
        });
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn local_and_private_addresses_are_not_public() {
        for s in [
            "127.0.0.1",
            "127.0.0.2",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:192.168.1.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(ip(s)), "{s}");
        }
        for s in [
            "1.1.1.1",
            "93.184.216.34",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(s)), "{s}");
        }
    }

    #[test]
    fn literal_hosts_are_refused_unless_allowed() {
        let policy = HostPolicy::new(["127.0.0.1", "NAS.local"]);
        let ok = |u: &str| policy.check_url(&Url::parse(u).unwrap()).is_ok();
        assert!(ok("http://127.0.0.1:8080/a.png"));
        assert!(!ok("http://127.0.0.2/a.png"));
        assert!(!ok("http://[::1]:9/a.png"));
        assert!(!ok("http://192.168.1.1/admin/reboot?confirm=1"));
        assert!(ok("https://93.184.216.34/a.png"));
        // Names are left to the resolver.
        assert!(ok("http://localhost/a.png"));
        assert!(
            HostPolicy::new(["[::1]"])
                .check_url(&Url::parse("http://[::1]/").unwrap())
                .is_ok()
        );
    }

    #[test]
    fn resolved_private_addresses_are_dropped_unless_the_name_is_allowed() {
        let policy = HostPolicy::new(["nas.local"]);
        let a = |s: &str| SocketAddr::new(ip(s), 80);
        // A name that resolves to a private and a public address keeps only the public one.
        assert_eq!(
            filter_addrs(&policy, "rebind.example", vec![a("10.0.0.1"), a("1.1.1.1")]),
            Ok(vec![a("1.1.1.1")])
        );
        assert!(filter_addrs(&policy, "localhost", vec![a("127.0.0.1"), a("::1")]).is_err());
        assert_eq!(
            filter_addrs(&policy, "NAS.local.", vec![a("192.168.1.5")]),
            Ok(vec![a("192.168.1.5")])
        );
    }

    #[test]
    fn base_url_hosts() {
        assert_eq!(
            base_url_host("http://127.0.0.1:4000/v1").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(
            base_url_host("http://[::1]:4000/v1").as_deref(),
            Some("::1")
        );
        assert_eq!(base_url_host("not a url"), None);
    }
}
