//! GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`.
//!
//! GitHub signs the body alone, with no timestamp, so replays of a captured request verify;
//! dedupe on [`delivery_id`] is what refuses them.

use crate::crypto::{ct_eq, hmac_sha256};
use crate::{InboundRequest, SharedSecret, VerifyError};

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";
/// The header carrying GitHub's delivery GUID, identical across redeliveries.
pub const DELIVERY_HEADER: &str = "X-GitHub-Delivery";

const PREFIX: &str = "sha256=";

/// The `X-Hub-Signature-256` value GitHub would send for `body`.
pub fn sign(secret: &SharedSecret, body: &[u8]) -> String {
    format!(
        "{PREFIX}{}",
        hex::encode(hmac_sha256(secret.as_bytes(), &[body]))
    )
}

/// Accepts when `X-Hub-Signature-256` is `sha256=` and the hex HMAC-SHA256 of the body
/// under the secret's UTF-8 bytes (compared in constant time).
pub fn verify(secret: &SharedSecret, req: &InboundRequest<'_>) -> Result<(), VerifyError> {
    let value = req.require(SIGNATURE_HEADER)?;
    let signature = value
        .strip_prefix(PREFIX)
        .and_then(|hex_sig| hex::decode(hex_sig).ok())
        .ok_or_else(|| VerifyError::malformed(SIGNATURE_HEADER))?;
    let expected = hmac_sha256(secret.as_bytes(), &[req.body()]);
    if ct_eq(&signature, &expected) {
        Ok(())
    } else {
        Err(VerifyError::NoMatchingSignature)
    }
}

/// The `X-GitHub-Delivery` GUID, the dedupe key.
pub fn delivery_id(req: &InboundRequest<'_>) -> Option<String> {
    req.header_id(DELIVERY_HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    fn secret() -> SharedSecret {
        SharedSecret::new("It's a Secret to Everybody").expect("non-empty")
    }

    fn check(secret: &SharedSecret, signature: &str, body: &[u8]) -> Result<(), &'static str> {
        let headers = [
            ("x-hub-signature-256", signature),
            ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ];
        verify(secret, &InboundRequest::new(&headers, body, 0)).map_err(|e| e.code())
    }

    #[test]
    fn docs_vector_is_accepted_and_reproduced() {
        assert_eq!(check(&secret(), VECTOR, b"Hello, World!"), Ok(()));
        assert_eq!(sign(&secret(), b"Hello, World!"), VECTOR);
    }

    #[test]
    fn one_changed_body_byte_is_refused() {
        assert_eq!(
            check(&secret(), VECTOR, b"Hello, World?"),
            Err("bad_signature")
        );
    }

    #[test]
    fn another_secret_is_refused() {
        let other = SharedSecret::new("It's a Secret to Nobody").expect("non-empty");
        assert_eq!(
            check(&other, VECTOR, b"Hello, World!"),
            Err("bad_signature")
        );
    }

    #[test]
    fn missing_or_malformed_header_is_refused() {
        let headers = [("X-GitHub-Delivery", "x")];
        let result = verify(
            &secret(),
            &InboundRequest::new(&headers, b"Hello, World!", 0),
        );
        assert_eq!(result, Err(VerifyError::missing(SIGNATURE_HEADER)));
        let unprefixed = &VECTOR["sha256=".len()..];
        let result = check(&secret(), unprefixed, b"Hello, World!");
        assert_eq!(result, Err("malformed_signature_header"));
        let sha1 = "sha1=3dca279e731c97c38e3019a075dee9ebbd0a99f0";
        assert_eq!(
            check(&secret(), sha1, b"Hello, World!"),
            Err("malformed_signature_header")
        );
    }

    #[test]
    fn delivery_id_is_the_delivery_guid() {
        let headers = [("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")];
        let req = InboundRequest::new(&headers, b"", 0);
        assert_eq!(
            delivery_id(&req).as_deref(),
            Some("72d3162e-cc78-11e3-81ab-4c9367dc0958")
        );
        assert_eq!(
            delivery_id(&InboundRequest::new(&[("a", "b")], b"", 0)),
            None
        );
    }
}
