//! Stripe: `Stripe-Signature: t=<unix secs>,v1=<hex>[,v1=<hex>...][,v0=<hex>]`, where each
//! `v1` is hex HMAC-SHA256 of `{t}.{body}` keyed by the endpoint secret's UTF-8 bytes (the
//! whole `whsec_...` string, not base64-decoded). Only `v1` entries count: `v0` is Stripe's
//! test-mode scheme and other schemes may appear later. Several `v1` entries appear while
//! a secret is being rolled.

use crate::crypto::{ct_eq, hmac_sha256};
use crate::request::json_string_field;
use crate::timestamp::{check_tolerance, parse_unix_secs};
use crate::{DEFAULT_TOLERANCE_SECS, InboundRequest, SharedSecret, VerifyError};

/// The header carrying timestamp and signatures.
pub const SIGNATURE_HEADER: &str = "Stripe-Signature";

/// The `Stripe-Signature` value Stripe would send for `body` at `timestamp_secs`.
pub fn sign(secret: &SharedSecret, timestamp_secs: i64, body: &[u8]) -> String {
    let t = timestamp_secs.to_string();
    let mac = hmac_sha256(secret.as_bytes(), &[t.as_bytes(), b".", body]);
    format!("t={t},v1={}", hex::encode(mac))
}

/// Accepts when `t` is within five minutes of now and any `v1` entry is the HMAC of
/// `{t}.{body}` (compared in constant time).
pub fn verify(secret: &SharedSecret, req: &InboundRequest<'_>) -> Result<(), VerifyError> {
    let value = req.require(SIGNATURE_HEADER)?;
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for item in value.split(',') {
        match item.trim().split_once('=') {
            Some(("t", t)) if timestamp.is_none() => timestamp = Some(t),
            Some(("v1", sig)) => candidates.push(sig),
            _ => {}
        }
    }
    let t = timestamp.ok_or_else(|| VerifyError::malformed(SIGNATURE_HEADER))?;
    let timestamp = parse_unix_secs(SIGNATURE_HEADER, t)?;
    check_tolerance(timestamp, req.now_secs(), DEFAULT_TOLERANCE_SECS)?;

    let expected = hmac_sha256(secret.as_bytes(), &[t.as_bytes(), b".", req.body()]);
    let matched = candidates
        .iter()
        .filter_map(|sig| hex::decode(sig).ok())
        .any(|sig| ct_eq(&sig, &expected));
    if matched {
        Ok(())
    } else {
        Err(VerifyError::NoMatchingSignature)
    }
}

/// The event's `id` (`evt_...`) from the JSON body: Stripe retries an event with the same
/// id, so it is the dedupe key.
pub fn delivery_id(req: &InboundRequest<'_>) -> Option<String> {
    json_string_field(req.body(), "id")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1Nx","object":"event"}"#;
    const NOW: i64 = 1_700_000_000;
    // Computed independently: HMAC-SHA256("whsec_test_secret", "1700000000." + BODY).
    const V1: &str = "c6542e40fed7d4521a76fc25a7b9540fb6416d1e2c8058380a6bdb712be467cd";

    fn secret() -> SharedSecret {
        SharedSecret::new("whsec_test_secret").expect("non-empty")
    }

    fn check(header: &str, body: &[u8], now: i64) -> Result<(), &'static str> {
        let headers = [("stripe-signature", header)];
        verify(&secret(), &InboundRequest::new(&headers, body, now)).map_err(|e| e.code())
    }

    #[test]
    fn valid_signature_is_accepted_and_reproduced() {
        let header = format!("t=1700000000,v1={V1}");
        assert_eq!(sign(&secret(), NOW, BODY), header);
        assert_eq!(check(&header, BODY, NOW), Ok(()));
    }

    #[test]
    fn any_v1_entry_may_match_and_v0_is_ignored() {
        let header = format!("t=1700000000,v1={},v1={V1},v0={V1}", "00".repeat(32));
        assert_eq!(check(&header, BODY, NOW), Ok(()));
        let only_v0 = format!("t=1700000000,v0={V1}");
        assert_eq!(check(&only_v0, BODY, NOW), Err("bad_signature"));
    }

    #[test]
    fn one_changed_body_byte_is_refused() {
        let header = format!("t=1700000000,v1={V1}");
        let body = br#"{"id":"evt_1Nx","object":"eveny"}"#;
        assert_eq!(check(&header, body, NOW), Err("bad_signature"));
    }

    #[test]
    fn another_secret_is_refused() {
        let other = SharedSecret::new("whsec_other").expect("non-empty");
        assert_eq!(
            check(&sign(&other, NOW, BODY), BODY, NOW),
            Err("bad_signature")
        );
    }

    #[test]
    fn stale_timestamp_is_refused() {
        let header = format!("t=1700000000,v1={V1}");
        assert_eq!(check(&header, BODY, NOW + 300), Ok(()));
        assert_eq!(check(&header, BODY, NOW + 301), Err("stale_timestamp"));
        assert_eq!(check(&header, BODY, NOW - 301), Err("stale_timestamp"));
    }

    #[test]
    fn missing_or_malformed_header_is_refused() {
        let headers = [("content-type", "application/json")];
        let result = verify(&secret(), &InboundRequest::new(&headers, BODY, NOW));
        assert_eq!(result, Err(VerifyError::missing(SIGNATURE_HEADER)));
        assert_eq!(
            check(&format!("v1={V1}"), BODY, NOW),
            Err("malformed_signature_header")
        );
        let bad_t = format!("t=soon,v1={V1}");
        assert_eq!(check(&bad_t, BODY, NOW), Err("invalid_timestamp"));
    }

    #[test]
    fn delivery_id_is_the_event_id() {
        let req = InboundRequest::new(&[("a", "b")], BODY, NOW);
        assert_eq!(delivery_id(&req).as_deref(), Some("evt_1Nx"));
        let req = InboundRequest::new(&[("a", "b")], b"not json", NOW);
        assert_eq!(delivery_id(&req), None);
    }
}
