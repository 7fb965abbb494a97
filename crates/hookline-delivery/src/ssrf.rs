//! SSRF guard: decides whether the sender may connect to a resolved address.
//!
//! Endpoint URLs are chosen by tenants, so a URL such as `http://169.254.169.254/` or a hostname that
//! resolves to `10.0.0.5` would let a tenant make Hookline reach into its own network. The sender
//! resolves the host itself, then asks [`TargetPolicy::check`] about every address *before* it
//! connects, and connects only to the address it checked (so DNS rebinding cannot swap it).
//!
//! This module is pure: it classifies addresses and never opens a socket.
//!
//! - [`classify`] names the range an address belongs to ([`AddressClass`]); only
//!   [`AddressClass::Public`] is allowed by default. IPv6 forms that carry an IPv4 address
//!   (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) are judged by the IPv4 address they carry.
//! - [`TargetPolicy`] adds the operator's allowlist (`HOOKLINE_ALLOWED_TARGETS`), the only way to
//!   permit a refused address, e.g. a receiver on the same private network.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use AddressClass::*;

/// Name of the environment variable that holds the operator's allowlist.
pub const ALLOWED_TARGETS_ENV: &str = "HOOKLINE_ALLOWED_TARGETS";

/// The range an address belongs to; every variant except [`AddressClass::Public`] is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// Globally routable; deliveries may connect.
    Public,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`), IPv6 unique local `fc00::/7`, deprecated
    /// site-local `fec0::/10`, and local-use NAT64 `64:ff9b:1::/48`.
    Private,
    /// `169.254.0.0/16` (including the cloud metadata service `169.254.169.254`), `fe80::/10`.
    LinkLocal,
    /// Carrier-grade NAT shared space `100.64.0.0/10`.
    SharedCgnat,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// `0.0.0.0`, `::`; connecting to them reaches the local host.
    Unspecified,
    /// `255.255.255.255`.
    Broadcast,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// `198.18.0.0/15`, `2001:2::/48`.
    Benchmarking,
    /// `0/8`, `192.0.0/24`, `192.88.99/24` (retired 6to4 relays), `240/4`, `100::/64`,
    /// ORCHIDv2 `2001:20::/28`, and IPv6 outside global unicast `2000::/3`.
    Reserved,
}

impl AddressClass {
    /// Every refused class, for listing their codes (e.g. in API documentation).
    pub const REFUSED: [Self; 10] = [
        Loopback,
        Private,
        LinkLocal,
        SharedCgnat,
        Multicast,
        Unspecified,
        Broadcast,
        Documentation,
        Benchmarking,
        Reserved,
    ];

    /// Whether deliveries may connect to addresses of this class without an allowlist entry.
    pub fn is_public(self) -> bool {
        self == Self::Public
    }

    /// Stable machine-readable code, recorded on refused attempts; never changes once released.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Loopback => "ssrf_loopback",
            Self::Private => "ssrf_private",
            Self::LinkLocal => "ssrf_link_local",
            Self::SharedCgnat => "ssrf_shared_cgnat",
            Self::Multicast => "ssrf_multicast",
            Self::Unspecified => "ssrf_unspecified",
            Self::Broadcast => "ssrf_broadcast",
            Self::Documentation => "ssrf_documentation",
            Self::Benchmarking => "ssrf_benchmarking",
            Self::Reserved => "ssrf_reserved",
        }
    }

    /// Human-readable description of the range, for logs and the API.
    pub fn description(&self) -> &'static str {
        match self {
            Self::Public => "public address",
            Self::Loopback => "loopback address",
            Self::Private => "private network address (RFC 1918 or unique local)",
            Self::LinkLocal => "link-local address (includes cloud metadata 169.254.169.254)",
            Self::SharedCgnat => "carrier-grade NAT shared address (100.64.0.0/10)",
            Self::Multicast => "multicast address",
            Self::Unspecified => "unspecified address (reaches this host)",
            Self::Broadcast => "broadcast address",
            Self::Documentation => "documentation-only address",
            Self::Benchmarking => "benchmarking-only address",
            Self::Reserved => "reserved, non-routable address",
        }
    }
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// Special IPv4 ranges, first match wins (so the `/32`s come before the ranges that hold them).
const V4_RANGES: &[(Ipv4Addr, u32, AddressClass)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 32, Unspecified),
    (Ipv4Addr::new(255, 255, 255, 255), 32, Broadcast),
    (Ipv4Addr::new(0, 0, 0, 0), 8, Reserved),
    (Ipv4Addr::new(10, 0, 0, 0), 8, Private),
    (Ipv4Addr::new(100, 64, 0, 0), 10, SharedCgnat),
    (Ipv4Addr::new(127, 0, 0, 0), 8, Loopback),
    (Ipv4Addr::new(169, 254, 0, 0), 16, LinkLocal),
    (Ipv4Addr::new(172, 16, 0, 0), 12, Private),
    (Ipv4Addr::new(192, 0, 0, 0), 24, Reserved),
    (Ipv4Addr::new(192, 0, 2, 0), 24, Documentation),
    (Ipv4Addr::new(192, 88, 99, 0), 24, Reserved),
    (Ipv4Addr::new(192, 168, 0, 0), 16, Private),
    (Ipv4Addr::new(198, 18, 0, 0), 15, Benchmarking),
    (Ipv4Addr::new(198, 51, 100, 0), 24, Documentation),
    (Ipv4Addr::new(203, 0, 113, 0), 24, Documentation),
    (Ipv4Addr::new(224, 0, 0, 0), 4, Multicast),
    (Ipv4Addr::new(240, 0, 0, 0), 4, Reserved),
];

/// Special IPv6 ranges not handled by [`embedded_ipv4`]; first match wins.
#[rustfmt::skip]
const V6_RANGES: &[(Ipv6Addr, u32, AddressClass)] = &[
    (Ipv6Addr::UNSPECIFIED, 128, Unspecified),
    (Ipv6Addr::LOCALHOST, 128, Loopback),
    // Local-use NAT64 (RFC 8215): the operator picks where the IPv4 address sits inside the
    // prefix, so reading it from a guessed position could pass a private address. Refuse the
    // prefix; an operator who relies on it allowlists it.
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48, Private),
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64, Reserved),
    (Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 0), 48, Benchmarking),
    (Ipv6Addr::new(0x2001, 0x20, 0, 0, 0, 0, 0, 0), 28, Reserved),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32, Documentation),
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20, Documentation),
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7, Private),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, LinkLocal),
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, Private),
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, Multicast),
    // Everything else outside global unicast 2000::/3 is unallocated or special: fail closed.
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 3, Reserved),
    (Ipv6Addr::new(0x4000, 0, 0, 0, 0, 0, 0, 0), 2, Reserved),
    (Ipv6Addr::new(0x8000, 0, 0, 0, 0, 0, 0, 0), 1, Reserved),
];

/// Whether `addr` lies in `net/len`, for addresses of `BITS` bits held in a `u128`.
fn in_prefix<const BITS: u32>(addr: u128, net: u128, len: u32) -> bool {
    let shift = BITS - len;
    addr.checked_shr(shift) == net.checked_shr(shift)
}

/// Names the range `ip` belongs to. IPv6 addresses that embed an IPv4 address (see
/// [`embedded_ipv4`]) get the class of the embedded address.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let addr = u128::from(u32::from(ip));
    V4_RANGES
        .iter()
        .find(|(net, len, _)| in_prefix::<32>(addr, u128::from(u32::from(*net)), *len))
        .map_or(Public, |(_, _, class)| *class)
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if let Some(v4) = embedded_ipv4(ip) {
        return classify_v4(v4);
    }
    let addr = u128::from(ip);
    V6_RANGES
        .iter()
        .find(|(net, len, _)| in_prefix::<128>(addr, u128::from(*net), *len))
        .map_or(Public, |(_, _, class)| *class)
}

/// The IPv4 address a connection to `ip` ends up reaching or being judged by, if `ip` is one of:
/// IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d` (deprecated; not `::` or `::1`),
/// NAT64 `64:ff9b::a.b.c.d` (RFC 6052), 6to4 `2002:AABB:CCDD::/48` (bits 16..48), or Teredo
/// `2001:0::/32` (the client address is the bitwise NOT of the last 32 bits).
pub fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let addr = u128::from(ip);
    // Truncation keeps exactly the low 32 bits, which is where these forms put the address.
    let low32 = addr as u32;
    let s = ip.segments();
    let mapped = ip.to_ipv4_mapped().is_some();
    let compatible = addr >> 32 == 0 && addr > 1; // not `::` or `::1`
    let nat64 = in_prefix::<128>(addr, 0x64_ff9b_u128 << 96, 96);
    if mapped || compatible || nat64 {
        Some(Ipv4Addr::from(low32))
    } else if s[0] == 0x2002 {
        Some(Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2])))
    } else if s[0] == 0x2001 && s[1] == 0 {
        Some(Ipv4Addr::from(!low32))
    } else {
        None
    }
}

/// Why a delivery was not allowed to connect to an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refused to connect to {ip}{via}: {class}; allow it with HOOKLINE_ALLOWED_TARGETS",
    via = via_note(.embedded)
)]
pub struct RefusedAddress {
    ip: IpAddr,
    class: AddressClass,
    embedded: Option<Ipv4Addr>,
}

fn via_note(embedded: &Option<Ipv4Addr>) -> String {
    embedded.map_or_else(String::new, |v4| format!(" (embeds {v4})"))
}

impl RefusedAddress {
    /// The address that was refused, as given to [`TargetPolicy::check`].
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// The range that caused the refusal; never [`AddressClass::Public`].
    pub fn class(&self) -> AddressClass {
        self.class
    }

    /// The IPv4 address embedded in an IPv6 address, when that is what was judged.
    pub fn embedded_ipv4(&self) -> Option<Ipv4Addr> {
        self.embedded
    }

    /// Stable machine-readable code of the refusal, e.g. `ssrf_private`.
    pub fn code(&self) -> &'static str {
        self.class.code()
    }
}

/// An entry of `HOOKLINE_ALLOWED_TARGETS` could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetListError {
    /// The entry is neither an IP address nor a CIDR.
    #[error(
        "HOOKLINE_ALLOWED_TARGETS entry {entry:?} is not an IP address or CIDR (e.g. 10.0.0.0/8)"
    )]
    Invalid {
        /// The offending entry, trimmed.
        entry: String,
        /// Why it did not parse.
        #[source]
        source: ipnet::AddrParseError,
    },
    /// The entry has host bits set, so it is unclear whether one host or the network was meant.
    #[error(
        "HOOKLINE_ALLOWED_TARGETS entry {entry:?} has host bits set; write {network} for the \
         whole network or {host} for one address"
    )]
    HostBitsSet {
        /// The offending entry, trimmed.
        entry: String,
        /// The network the entry lies in.
        network: IpNet,
        /// The single address the entry names.
        host: IpNet,
    },
}

/// Which addresses deliveries may connect to: public addresses, plus the operator's allowlist.
///
/// The default policy has an empty allowlist and refuses every non-public address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    /// Networks the operator explicitly allowed; they override every refusal.
    allowed: Vec<IpNet>,
    /// Deliver only to `https` URLs (`HOOKLINE_HTTPS_ONLY`).
    https_only: bool,
}

impl TargetPolicy {
    /// A policy that additionally allows the given networks, whatever their class.
    pub fn new(allowed: impl IntoIterator<Item = IpNet>) -> Self {
        Self {
            allowed: allowed.into_iter().collect(),
            https_only: false,
        }
    }

    /// The same policy, refusing (or again allowing) plain `http` URLs.
    pub fn with_https_only(mut self, https_only: bool) -> Self {
        self.https_only = https_only;
        self
    }

    /// Whether only `https` URLs may be delivered to.
    pub fn https_only(&self) -> bool {
        self.https_only
    }

    /// Refuses a plain `http` URL when the policy is https-only; says why in a sentence.
    pub fn check_scheme(&self, scheme: &str) -> Result<(), &'static str> {
        if self.https_only && !scheme.eq_ignore_ascii_case("https") {
            return Err(
                "must be an https URL: this server delivers only over TLS (HOOKLINE_HTTPS_ONLY)",
            );
        }
        Ok(())
    }

    /// Parses a comma-separated list of CIDRs or plain addresses (taken as `/32` or `/128`), as
    /// found in `HOOKLINE_ALLOWED_TARGETS`. Blank entries are ignored, so `""` allows nothing
    /// extra. A CIDR with host bits set (`10.0.0.5/8`) is rejected rather than widened.
    pub fn parse(list: &str) -> Result<Self, TargetListError> {
        let mut allowed = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let net = match entry.parse::<IpNet>() {
                Ok(net) => net,
                Err(source) => match entry.parse::<IpAddr>() {
                    Ok(ip) => IpNet::from(ip),
                    Err(_) => {
                        let entry = entry.to_owned();
                        return Err(TargetListError::Invalid { entry, source });
                    }
                },
            };
            if net.trunc() != net {
                return Err(TargetListError::HostBitsSet {
                    entry: entry.to_owned(),
                    network: net.trunc(),
                    host: IpNet::from(net.addr()),
                });
            }
            allowed.push(net);
        }
        Ok(Self::new(allowed))
    }

    /// The operator's allowlisted networks.
    pub fn allowed(&self) -> &[IpNet] {
        &self.allowed
    }

    /// Whether the operator allowlisted `ip`. An IPv4 address and its IPv4-mapped IPv6 form
    /// (`::ffff:a.b.c.d`) are the same destination, so an entry for either form matches both.
    pub fn is_allowlisted(&self, ip: IpAddr) -> bool {
        let alias = match ip {
            IpAddr::V4(v4) => Some(IpAddr::V6(v4.to_ipv6_mapped())),
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
        };
        self.allowed
            .iter()
            .any(|net| net.contains(&ip) || alias.is_some_and(|a| net.contains(&a)))
    }

    /// Allows `ip` if it is allowlisted or public; otherwise says which range refused it.
    pub fn check(&self, ip: IpAddr) -> Result<(), RefusedAddress> {
        if self.is_allowlisted(ip) {
            return Ok(());
        }
        match classify(ip) {
            Public => Ok(()),
            class => Err(RefusedAddress {
                ip,
                class,
                embedded: match ip {
                    IpAddr::V6(v6) => embedded_ipv4(v6),
                    IpAddr::V4(_) => None,
                },
            }),
        }
    }
}

#[cfg(test)]
#[path = "ssrf_tests.rs"]
mod tests;
