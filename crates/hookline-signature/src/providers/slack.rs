//! Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:{ts}:{body}")>` with
//! `X-Slack-Request-Timestamp: {ts}`, which must be within five minutes of now.

use crate::crypto::{ct_eq, hmac_sha256};
use crate::request::json_string_field;
use crate::timestamp::{check_tolerance, parse_unix_secs};
use crate::{DEFAULT_TOLERANCE_SECS, InboundRequest, SharedSecret, VerifyError};

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Slack-Signature";
/// The header carrying the signed timestamp.
pub const TIMESTAMP_HEADER: &str = "X-Slack-Request-Timestamp";

const PREFIX: &str = "v0=";

fn mac(secret: &SharedSecret, timestamp: &str, body: &[u8]) -> Vec<u8> {
    hmac_sha256(
        secret.as_bytes(),
        &[b"v0:", timestamp.as_bytes(), b":", body],
    )
}

/// The `X-Slack-Signature` value Slack would send for `body` at `timestamp_secs`.
pub fn sign(secret: &SharedSecret, timestamp_secs: i64, body: &[u8]) -> String {
    let mac = mac(secret, &timestamp_secs.to_string(), body);
    format!("{PREFIX}{}", hex::encode(mac))
}

/// Accepts when both headers are present, the timestamp is within five minutes of now,
/// and the signature is `v0=` and the hex HMAC of `v0:{ts}:{body}` (constant-time).
pub fn verify(secret: &SharedSecret, req: &InboundRequest<'_>) -> Result<(), VerifyError> {
    let value = req.require(SIGNATURE_HEADER)?;
    let t = req.require(TIMESTAMP_HEADER)?;
    let timestamp = parse_unix_secs(TIMESTAMP_HEADER, t)?;
    check_tolerance(timestamp, req.now_secs(), DEFAULT_TOLERANCE_SECS)?;
    let signature = value
        .strip_prefix(PREFIX)
        .and_then(|hex_sig| hex::decode(hex_sig).ok())
        .ok_or_else(|| VerifyError::malformed(SIGNATURE_HEADER))?;
    if ct_eq(&signature, &mac(secret, t, req.body())) {
        Ok(())
    } else {
        Err(VerifyError::NoMatchingSignature)
    }
}

/// The Events API `event_id` from a JSON body. Slash commands and interactivity payloads
/// (form-encoded) carry no id, so they get `None` and are not deduplicated.
pub fn delivery_id(req: &InboundRequest<'_>) -> Option<String> {
    json_string_field(req.body(), "event_id")
}

#[cfg(test)]
mod tests {
    use super::*;

    // The worked example from Slack's "Verifying requests from Slack" guide.
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TS: i64 = 1_531_420_618;
    const BODY: &[u8] = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn secret() -> SharedSecret {
        SharedSecret::new(SECRET).expect("non-empty")
    }

    fn check(secret: &SharedSecret, body: &[u8], now: i64) -> Result<(), &'static str> {
        let headers = [
            ("X-Slack-Signature", SIGNATURE),
            ("X-Slack-Request-Timestamp", "1531420618"),
        ];
        verify(secret, &InboundRequest::new(&headers, body, now)).map_err(|e| e.code())
    }

    #[test]
    fn docs_example_is_accepted_and_reproduced() {
        assert_eq!(check(&secret(), BODY, TS), Ok(()));
        assert_eq!(sign(&secret(), TS, BODY), SIGNATURE);
    }

    #[test]
    fn one_changed_body_byte_is_refused() {
        let mut body = BODY.to_vec();
        body[0] = b'T';
        assert_eq!(check(&secret(), &body, TS), Err("bad_signature"));
    }

    #[test]
    fn another_secret_is_refused() {
        let other = SharedSecret::new("8f742231b10e8888abcd99yyyzzz85a6").expect("non-empty");
        assert_eq!(check(&other, BODY, TS), Err("bad_signature"));
    }

    #[test]
    fn stale_timestamp_is_refused() {
        assert_eq!(check(&secret(), BODY, TS + 300), Ok(()));
        assert_eq!(check(&secret(), BODY, TS + 301), Err("stale_timestamp"));
        assert_eq!(check(&secret(), BODY, TS - 301), Err("stale_timestamp"));
    }

    #[test]
    fn each_missing_header_is_refused() {
        let only_sig = [(SIGNATURE_HEADER, SIGNATURE)];
        let result = verify(&secret(), &InboundRequest::new(&only_sig, BODY, TS));
        assert_eq!(result, Err(VerifyError::missing(TIMESTAMP_HEADER)));
        let only_ts = [(TIMESTAMP_HEADER, "1531420618")];
        let result = verify(&secret(), &InboundRequest::new(&only_ts, BODY, TS));
        assert_eq!(result, Err(VerifyError::missing(SIGNATURE_HEADER)));
    }

    #[test]
    fn signature_without_v0_prefix_is_malformed() {
        let headers = [
            (SIGNATURE_HEADER, &SIGNATURE[3..]),
            (TIMESTAMP_HEADER, "1531420618"),
        ];
        let result = verify(&secret(), &InboundRequest::new(&headers, BODY, TS));
        assert_eq!(
            result.map_err(|e| e.code()),
            Err("malformed_signature_header")
        );
    }

    #[test]
    fn delivery_id_is_the_event_id_when_there_is_one() {
        let event = br#"{"type":"event_callback","event_id":"Ev08MFMKH6"}"#;
        let req = InboundRequest::new(&[("a", "b")], event, TS);
        assert_eq!(delivery_id(&req).as_deref(), Some("Ev08MFMKH6"));
        assert_eq!(
            delivery_id(&InboundRequest::new(&[("a", "b")], BODY, TS)),
            None
        );
    }
}
