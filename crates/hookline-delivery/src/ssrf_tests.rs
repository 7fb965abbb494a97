//! The SSRF classifier's table tests (pure: no address here is ever connected to).

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("test addresses are valid")
}

/// Each line: a refused class's code, then addresses in it (IPv4, IPv6, and IPv4 embedded in
/// IPv6). The Teredo lines hold clients 10.0.0.1 and 192.0.2.45 (RFC 4380's example), stored
/// inverted in the last 32 bits.
const REFUSED: &str = "
    ssrf_loopback 127.0.0.1 127.255.255.254 ::1 ::ffff:127.0.0.1 64:ff9b::7f00:1
    ssrf_private 10.0.0.1 172.16.5.4 172.31.255.255 192.168.1.1 fc00::1 fd12:3456::1 fec0::1
    ssrf_private 64:ff9b:1::808:808 ::ffff:10.0.0.1 ::a00:1 64:ff9b::a00:1 ::ffff:192.168.0.1
    ssrf_private 2002:0a00:0001:: 2002:c0a8:0101::1 2001:0:4136:e378:8000:63bf:f5ff:fffe
    ssrf_link_local 169.254.169.254 169.254.0.1 fe80::1 febf::1 ::ffff:169.254.169.254
    ssrf_link_local 64:ff9b::a9fe:a9fe 2002:a9fe:a9fe::
    ssrf_shared_cgnat 100.64.0.1 100.127.255.254 ::ffff:100.64.0.1
    ssrf_multicast 224.0.0.1 239.255.255.250 ff02::1 ff0e::1 ::ffff:224.0.0.1
    ssrf_unspecified 0.0.0.0 :: ::ffff:0.0.0.0
    ssrf_broadcast 255.255.255.255 ::ffff:255.255.255.255
    ssrf_documentation 192.0.2.1 198.51.100.7 203.0.113.200 2001:db8::1 3fff::1
    ssrf_documentation 2001:0:4136:e378:8000:63bf:3fff:fdd2
    ssrf_benchmarking 198.18.0.1 198.19.255.255 2001:2::1
    ssrf_reserved 240.0.0.1 254.1.2.3 0.1.2.3 192.0.0.8 100::1 ::ffff:0:0:1
    ssrf_reserved 64:ff9b:2::1 1fff::1 4000::1 8000::1";

const PUBLIC: &str = "8.8.8.8 1.1.1.1 93.184.216.34 172.32.0.1 100.128.0.1 \
    2606:4700:4700::1111 2a00:1450:4001::200e 2000::1 3ffe::1 \
    ::ffff:8.8.8.8 64:ff9b::808:808 2002:0808:0808::1";

fn refused_table() -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    REFUSED.lines().filter_map(|line| {
        let mut words = line.split_whitespace();
        Some((words.next()?, words.collect()))
    })
}

#[test]
fn every_special_range_is_refused_with_its_class() {
    let policy = TargetPolicy::default();
    for (code, addrs) in refused_table() {
        for addr in addrs {
            let refused = policy.check(ip(addr)).expect_err(addr);
            assert_eq!((refused.ip(), refused.code()), (ip(addr), code));
            assert_eq!(classify(ip(addr)), refused.class());
        }
    }
}

#[test]
fn every_refused_class_is_tested_and_has_a_unique_code() {
    let mut codes: Vec<_> = AddressClass::REFUSED
        .iter()
        .map(AddressClass::code)
        .collect();
    for code in &codes {
        assert!(refused_table().any(|(c, _)| c == *code), "{code} untested");
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), AddressClass::REFUSED.len());
    assert!(!codes.contains(&Public.code()));
}

#[test]
fn public_addresses_are_allowed() {
    for addr in PUBLIC.split_whitespace() {
        assert_eq!(classify(ip(addr)), Public, "{addr}");
        assert_eq!(TargetPolicy::default().check(ip(addr)), Ok(()), "{addr}");
    }
}

#[test]
fn embedded_ipv4_is_unwrapped_from_every_form() {
    let forms = "::ffff:10.0.0.1 ::10.0.0.1 64:ff9b::10.0.0.1 2002:a00:1:: \
        2001:0:4136:e378:8000:63bf:f5ff:fffe";
    for v6 in forms.split_whitespace().map(|a| a.parse().expect("valid")) {
        assert_eq!(embedded_ipv4(v6), Some(Ipv4Addr::new(10, 0, 0, 1)), "{v6}");
    }
    for plain in ["::", "::1", "2606:4700:4700::1111", "fe80::1"] {
        assert_eq!(
            embedded_ipv4(plain.parse().expect("valid")),
            None,
            "{plain}"
        );
    }
}

#[test]
fn refusal_names_the_address_the_range_and_the_way_out() {
    let policy = TargetPolicy::default();
    let err = policy.check(ip("10.0.0.1")).expect_err("private");
    assert_eq!(
        err.to_string(),
        "refused to connect to 10.0.0.1: private network address (RFC 1918 or unique local); \
         allow it with HOOKLINE_ALLOWED_TARGETS"
    );
    let err = policy
        .check(ip("64:ff9b::a9fe:a9fe"))
        .expect_err("metadata");
    assert_eq!(err.embedded_ipv4(), Some(Ipv4Addr::new(169, 254, 169, 254)));
    let msg = "refused to connect to 64:ff9b::a9fe:a9fe (embeds 169.254.169.254): link-local";
    assert!(err.to_string().starts_with(msg), "{err}");
}

#[test]
fn allowlisted_host_is_allowed_but_its_neighbours_are_not() {
    let policy = TargetPolicy::parse("127.0.0.1/32").expect("valid list");
    assert_eq!(policy.check(ip("127.0.0.1")), Ok(()));
    assert_eq!(policy.check(ip("::ffff:127.0.0.1")), Ok(()));
    let refused = policy.check(ip("127.0.0.2")).expect_err("not allowlisted");
    assert_eq!(refused.class(), Loopback);
    // Only the IPv4-mapped form is the same destination; NAT64 goes through a translator.
    assert!(policy.check(ip("::1")).is_err());
    assert!(policy.check(ip("64:ff9b::7f00:1")).is_err());
}

#[test]
fn allowlisted_network_permits_private_addresses_inside_it() {
    let policy = TargetPolicy::parse(" 10.0.0.0/8 , ::1 ,").expect("valid list");
    for allowed in ["10.1.2.3", "::ffff:10.1.2.3", "::1"] {
        assert_eq!(policy.check(ip(allowed)), Ok(()), "{allowed}");
    }
    assert!(policy.check(ip("192.168.0.1")).is_err());
    assert!(policy.check(ip("127.0.0.1")).is_err());
    let mapped = TargetPolicy::parse("::ffff:192.168.0.0/112").expect("valid list");
    assert_eq!(mapped.check(ip("192.168.1.1")), Ok(()));
}

#[test]
fn plain_addresses_parse_as_single_hosts_and_blank_lists_allow_nothing_extra() {
    let policy = TargetPolicy::parse("192.168.0.7, fd00::7").expect("valid list");
    let hosts = ["192.168.0.7/32", "fd00::7/128"].map(|n| n.parse::<IpNet>().expect("valid"));
    assert_eq!(policy.allowed(), hosts.as_slice());
    let blank = TargetPolicy::parse(" , ").expect("blank entries are skipped");
    assert_eq!(blank, TargetPolicy::default());
}

#[test]
fn bad_entries_are_named_in_the_error() {
    for (list, bad) in [
        ("10.0.0.0/8,example.com", "example.com"),
        ("10.0.0.0/33", "10.0.0.0/33"),
        ("256.0.0.1", "256.0.0.1"),
        ("::1/129, 10.0.0.0/8", "::1/129"),
        ("10.0.0.0/8;127.0.0.1", "10.0.0.0/8;127.0.0.1"),
    ] {
        let err = TargetPolicy::parse(list).expect_err(list);
        let named = matches!(&err, TargetListError::Invalid { entry, .. } if entry == bad);
        assert!(named, "{list}: {err:?}");
        assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
    }
}

#[test]
fn cidr_with_host_bits_is_rejected_rather_than_widened() {
    let err = TargetPolicy::parse("10.0.0.5/8").expect_err("host bits");
    assert_eq!(
        err.to_string(),
        "HOOKLINE_ALLOWED_TARGETS entry \"10.0.0.5/8\" has host bits set; write 10.0.0.0/8 for \
         the whole network or 10.0.0.5/32 for one address"
    );
}

#[test]
fn the_table_refuses_every_range_and_allows_exactly_the_two_exceptions() {
    // Exception one: public addresses. Exception two: what the operator allowlists, in either
    // family, including the IPv4-mapped form of an allowlisted IPv4 address.
    let policy = TargetPolicy::parse("10.1.0.0/16, fd00:1::/32").expect("valid list");
    for (code, addrs) in refused_table() {
        for addr in addrs {
            let allowlisted = policy.is_allowlisted(ip(addr));
            let verdict = policy.check(ip(addr));
            assert_eq!(verdict.is_ok(), allowlisted, "{code} {addr}");
        }
    }
    for allowed in ["10.1.2.3", "::ffff:10.1.2.3", "fd00:1::5"] {
        assert_eq!(policy.check(ip(allowed)), Ok(()), "{allowed}");
        assert!(!classify(ip(allowed)).is_public(), "{allowed} is private");
    }
    for public in PUBLIC.split_whitespace() {
        assert_eq!(policy.check(ip(public)), Ok(()), "{public}");
    }
    for refused in [
        "10.2.0.1",
        "fd00:2::1",
        "169.254.169.254",
        "::ffff:169.254.169.254",
    ] {
        assert!(policy.check(ip(refused)).is_err(), "{refused}");
    }
}

#[test]
fn https_only_refuses_plain_http_with_a_sentence() {
    let open = TargetPolicy::default();
    assert_eq!(open.check_scheme("http"), Ok(()));
    let strict = TargetPolicy::default().with_https_only(true);
    assert!(strict.https_only());
    assert_eq!(strict.check_scheme("https"), Ok(()));
    assert_eq!(strict.check_scheme("HTTPS"), Ok(()));
    let why = strict.check_scheme("http").expect_err("http is refused");
    assert!(why.contains("HOOKLINE_HTTPS_ONLY"), "{why}");
}
