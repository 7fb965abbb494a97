//! Inbound Standard Webhooks, as sent by Svix, Clerk, Resend, Hookline itself and anyone
//! following the spec: `webhook-*` headers, or the same content under `svix-*` names.
//!
//! An HMAC (`whsec_`) key checks `v1` entries, an ed25519 (`whpk_`) key checks `v1a`
//! entries; the timestamp must be within five minutes of now.

use crate::standard::{HeaderNames, WebhookHeaders};
use crate::{DEFAULT_TOLERANCE_SECS, InboundRequest, VerifyError, VerifyingKey};

/// The header set the request uses: `webhook-*` unless it carries only `svix-*` signatures.
/// Refusals then name the headers the sender actually used.
fn header_names(req: &InboundRequest<'_>) -> HeaderNames {
    let standard = HeaderNames::STANDARD;
    let svix = HeaderNames::SVIX;
    if req.header(standard.signature).is_none() && req.header(svix.signature).is_some() {
        svix
    } else {
        standard
    }
}

/// Accepts a request whose headers are present, whose timestamp is within five minutes of
/// now, and whose signature header has an entry that verifies under `key`.
pub fn verify(key: &VerifyingKey, req: &InboundRequest<'_>) -> Result<(), VerifyError> {
    verify_with_tolerance(key, req, DEFAULT_TOLERANCE_SECS)
}

/// [`verify`] with a chosen timestamp tolerance, in seconds either way.
pub fn verify_with_tolerance(
    key: &VerifyingKey,
    req: &InboundRequest<'_>,
    tolerance_secs: u64,
) -> Result<(), VerifyError> {
    let names = header_names(req);
    let headers = WebhookHeaders {
        id: req.require(names.id)?,
        timestamp: req.require(names.timestamp)?,
        signature: req.require(names.signature)?,
    };
    key.verify_named(&names, &headers, req.body(), req.now_secs(), tolerance_secs)
}

/// The message id (`webhook-id`, else `svix-id`): the same on every retry, so it is the
/// dedupe key.
pub fn delivery_id(req: &InboundRequest<'_>) -> Option<String> {
    req.header_id(HeaderNames::STANDARD.id)
        .or_else(|| req.header_id(HeaderNames::SVIX.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::signature_header;
    use crate::{Ed25519SecretKey, SigningSecret};

    const TS: i64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn key() -> VerifyingKey {
        VerifyingKey::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("spec secret")
    }

    fn headers(prefix: &str, signature: &str) -> Vec<(String, String)> {
        vec![
            (
                format!("{prefix}-id"),
                "msg_p5jXN8AQM9LWM0D4loKWxJek".into(),
            ),
            (format!("{prefix}-timestamp"), "1614265330".into()),
            (format!("{prefix}-signature"), signature.into()),
        ]
    }

    fn check(
        key: &VerifyingKey,
        headers: &[(String, String)],
        body: &[u8],
        now: i64,
    ) -> Result<(), VerifyError> {
        verify(key, &InboundRequest::new(&headers, body, now))
    }

    #[test]
    fn spec_vector_is_accepted_under_both_header_sets() {
        for prefix in ["webhook", "svix", "Webhook"] {
            let h = headers(prefix, SPEC_SIGNATURE);
            assert_eq!(check(&key(), &h, BODY, TS), Ok(()), "{prefix}");
        }
    }

    #[test]
    fn one_changed_body_byte_is_refused() {
        let h = headers("webhook", SPEC_SIGNATURE);
        let result = check(&key(), &h, br#"{"test": 2432232315}"#, TS);
        assert_eq!(result, Err(VerifyError::NoMatchingSignature));
    }

    #[test]
    fn another_secret_is_refused() {
        let other = VerifyingKey::Hmac(SigningSecret::generate());
        let h = headers("webhook", SPEC_SIGNATURE);
        assert_eq!(
            check(&other, &h, BODY, TS),
            Err(VerifyError::NoMatchingSignature)
        );
    }

    #[test]
    fn stale_timestamp_is_refused() {
        let h = headers("webhook", SPEC_SIGNATURE);
        let result = check(&key(), &h, BODY, TS + 301).map_err(|e| e.code());
        assert_eq!(result, Err("stale_timestamp"));
        let req = InboundRequest::new(&h, BODY, TS + 301);
        assert_eq!(verify_with_tolerance(&key(), &req, 600), Ok(()));
    }

    #[test]
    fn each_missing_header_is_refused_by_its_own_name() {
        for prefix in ["webhook", "svix"] {
            for skip in 0..2 {
                let mut h = headers(prefix, SPEC_SIGNATURE);
                let (name, _) = h.remove(skip);
                let result = check(&key(), &h, BODY, TS);
                assert_eq!(result, Err(VerifyError::MissingHeader(name)));
            }
        }
        let mut h = headers("webhook", SPEC_SIGNATURE);
        h.pop();
        let result = check(&key(), &h, BODY, TS);
        assert_eq!(
            result,
            Err(VerifyError::MissingHeader("webhook-signature".into()))
        );
    }

    #[test]
    fn ed25519_public_key_verifies_v1a() {
        let secret = Ed25519SecretKey::generate();
        let signature = signature_header(&[&secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", TS, BODY);
        let h = headers("webhook", &format!("{SPEC_SIGNATURE} {signature}"));
        let public = VerifyingKey::Ed25519(secret.public_key());
        assert_eq!(check(&public, &h, BODY, TS), Ok(()));
        let stranger = VerifyingKey::Ed25519(Ed25519SecretKey::generate().public_key());
        assert_eq!(
            check(&stranger, &h, BODY, TS),
            Err(VerifyError::NoMatchingSignature)
        );
    }

    #[test]
    fn delivery_id_prefers_webhook_id_then_svix_id() {
        let h = headers("svix", SPEC_SIGNATURE);
        let req = InboundRequest::new(&h, BODY, TS);
        assert_eq!(
            delivery_id(&req).as_deref(),
            Some("msg_p5jXN8AQM9LWM0D4loKWxJek")
        );
        let mut both = headers("webhook", SPEC_SIGNATURE);
        both.push(("svix-id".into(), "msg_other".into()));
        let req = InboundRequest::new(&both, BODY, TS);
        assert_eq!(
            delivery_id(&req).as_deref(),
            Some("msg_p5jXN8AQM9LWM0D4loKWxJek")
        );
    }
}
