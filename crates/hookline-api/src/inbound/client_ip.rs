//! Who is posting: the client address behind trusted proxies, and a source's allowlist.
//!
//! `X-Forwarded-For` is believed only as far as the operator says: starting from the TCP peer,
//! each hop that is a configured trusted proxy hands over to the address it reports, read
//! right to left. A client cannot spoof its way past the allowlist by sending the header itself,
//! because its own entries sit left of the first untrusted hop.

use std::net::IpAddr;

use ipnet::IpNet;

/// The client's address: the peer itself, or, when the peer is a trusted proxy, the right-most
/// `X-Forwarded-For` address that is not a trusted proxy.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let mut client = peer.to_canonical();
    if !is_trusted(client, trusted) {
        return client;
    }
    let hops: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect();
    for hop in hops.into_iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            // An entry no proxy would write: stop at the last hop we could vouch for.
            return client;
        };
        client = ip.to_canonical();
        if !is_trusted(client, trusted) {
            return client;
        }
    }
    client
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

/// True when `allowlist` is empty (no restriction) or contains `ip`.
pub fn allowed(ip: IpAddr, allowlist: &[IpNet]) -> bool {
    allowlist.is_empty() || allowlist.iter().any(|net| net.contains(&ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().expect("cidr")).collect()
    }

    #[test]
    fn the_peer_is_the_client_when_it_is_not_a_trusted_proxy() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = client_ip(ip("203.0.113.9"), ["198.51.100.1"], &trusted);
        assert_eq!(got, ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_hands_over_to_the_address_it_reports() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = client_ip(ip("10.0.0.2"), ["198.51.100.7"], &trusted);
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn entries_left_of_the_first_untrusted_hop_are_ignored() {
        // The client claims to be 10.1.1.1, a trusted-looking address, before the real hops.
        let trusted = nets(&["10.0.0.0/8"]);
        let chain = ["10.1.1.1, 198.51.100.7", "10.0.0.3"];
        let got = client_ip(ip("10.0.0.2"), chain, &trusted);
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn garbage_in_the_header_stops_at_the_last_trusted_hop() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = client_ip(ip("10.0.0.2"), ["not-an-ip"], &trusted);
        assert_eq!(got, ip("10.0.0.2"));
    }

    #[test]
    fn ipv4_mapped_peers_are_read_as_ipv4() {
        let got = client_ip(ip("::ffff:192.0.2.1"), [], &[]);
        assert_eq!(got, ip("192.0.2.1"));
    }

    #[test]
    fn an_empty_allowlist_allows_everyone() {
        assert!(allowed(ip("192.0.2.1"), &[]));
        let list = nets(&["192.0.2.0/24", "2001:db8::/32"]);
        assert!(allowed(ip("192.0.2.200"), &list));
        assert!(allowed(ip("2001:db8::1"), &list));
        assert!(!allowed(ip("198.51.100.1"), &list));
    }
}
