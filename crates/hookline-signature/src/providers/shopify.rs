//! Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, body)>`.
//!
//! No timestamp is signed; dedupe on [`delivery_id`] refuses replays.

use crate::crypto::{ct_eq, decode_base64, encode_base64, hmac_sha256};
use crate::{InboundRequest, SharedSecret, VerifyError};

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Shopify-Hmac-Sha256";
/// The header carrying the webhook delivery id, identical across retries.
pub const DELIVERY_HEADER: &str = "X-Shopify-Webhook-Id";

/// The `X-Shopify-Hmac-Sha256` value Shopify would send for `body`.
pub fn sign(secret: &SharedSecret, body: &[u8]) -> String {
    encode_base64(&hmac_sha256(secret.as_bytes(), &[body]))
}

/// Accepts when `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the body under the
/// app's client secret (compared in constant time).
pub fn verify(secret: &SharedSecret, req: &InboundRequest<'_>) -> Result<(), VerifyError> {
    let value = req.require(SIGNATURE_HEADER)?;
    let signature = decode_base64(value).ok_or_else(|| VerifyError::malformed(SIGNATURE_HEADER))?;
    let expected = hmac_sha256(secret.as_bytes(), &[req.body()]);
    if ct_eq(&signature, &expected) {
        Ok(())
    } else {
        Err(VerifyError::NoMatchingSignature)
    }
}

/// The `X-Shopify-Webhook-Id`, the dedupe key.
pub fn delivery_id(req: &InboundRequest<'_>) -> Option<String> {
    req.header_id(DELIVERY_HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":820982911946154508,"email":"jon@example.com"}"#;

    fn secret() -> SharedSecret {
        SharedSecret::new("shpss_0123456789abcdef").expect("non-empty")
    }

    fn check(secret: &SharedSecret, signature: &str, body: &[u8]) -> Result<(), &'static str> {
        let headers = [(SIGNATURE_HEADER, signature), (DELIVERY_HEADER, "b54557e4")];
        verify(secret, &InboundRequest::new(&headers, body, 0)).map_err(|e| e.code())
    }

    #[test]
    fn valid_signature_is_accepted() {
        let signature = sign(&secret(), BODY);
        // Cross-check against an independent encoding of the same MAC.
        let mac = hmac_sha256(b"shpss_0123456789abcdef", &[BODY]);
        assert_eq!(decode_base64(&signature), Some(mac));
        assert_eq!(check(&secret(), &signature, BODY), Ok(()));
    }

    #[test]
    fn one_changed_body_byte_is_refused() {
        let signature = sign(&secret(), BODY);
        let mut body = BODY.to_vec();
        body[7] = b'9';
        assert_eq!(check(&secret(), &signature, &body), Err("bad_signature"));
    }

    #[test]
    fn another_secret_is_refused() {
        let other = SharedSecret::new("shpss_other").expect("non-empty");
        let signature = sign(&other, BODY);
        assert_eq!(check(&secret(), &signature, BODY), Err("bad_signature"));
    }

    #[test]
    fn missing_or_malformed_header_is_refused() {
        let headers = [(DELIVERY_HEADER, "b54557e4")];
        let result = verify(&secret(), &InboundRequest::new(&headers, BODY, 0));
        assert_eq!(result, Err(VerifyError::missing(SIGNATURE_HEADER)));
        assert_eq!(
            check(&secret(), "not base64!", BODY),
            Err("malformed_signature_header")
        );
    }

    #[test]
    fn delivery_id_is_the_webhook_id() {
        let headers = [(
            "x-shopify-webhook-id",
            "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        )];
        let req = InboundRequest::new(&headers, BODY, 0);
        assert_eq!(
            delivery_id(&req).as_deref(),
            Some("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
        );
    }
}
