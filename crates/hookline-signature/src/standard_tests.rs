use super::*;
use crate::DEFAULT_TOLERANCE_SECS;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TS: i64 = 1_614_265_330;
const BODY: &[u8] = br#"{"test": 2432232314}"#;
const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

fn secret() -> SigningSecret {
    SigningSecret::parse(SECRET).expect("spec secret parses")
}

fn headers(signature: &str) -> WebhookHeaders<'_> {
    WebhookHeaders {
        id: MSG_ID,
        timestamp: "1614265330",
        signature,
    }
}

fn check(signature: &str, body: &[u8], now: i64) -> Result<(), &'static str> {
    verify(
        &secret(),
        &headers(signature),
        body,
        now,
        DEFAULT_TOLERANCE_SECS,
    )
    .map_err(|e| e.code())
}

#[test]
fn spec_vector_signs_to_the_published_signature() {
    assert_eq!(sign(&secret(), MSG_ID, TS, BODY), SPEC_SIGNATURE);
}

#[test]
fn spec_vector_verifies() {
    assert_eq!(check(SPEC_SIGNATURE, BODY, TS), Ok(()));
}

#[test]
fn one_changed_body_byte_is_refused() {
    let mut body = BODY.to_vec();
    body[5] ^= 1;
    assert_eq!(check(SPEC_SIGNATURE, &body, TS), Err("bad_signature"));
}

#[test]
fn another_secret_is_refused() {
    let other = SigningSecret::generate();
    let signature = sign(&other, MSG_ID, TS, BODY);
    assert_eq!(check(&signature, BODY, TS), Err("bad_signature"));
}

#[test]
fn any_matching_v1_entry_is_enough_and_other_versions_are_ignored() {
    let other = sign(&SigningSecret::generate(), MSG_ID, TS, BODY);
    let header = format!("v2,AAAA {other} {SPEC_SIGNATURE}");
    assert_eq!(check(&header, BODY, TS), Ok(()));
    // The right signature under another version tag does not count.
    let relabelled = SPEC_SIGNATURE.replacen("v1,", "v1a,", 1);
    assert_eq!(check(&relabelled, BODY, TS), Err("bad_signature"));
}

#[test]
fn rotation_header_joins_signatures_with_one_space_and_each_verifies() {
    let old = secret();
    let new = SigningSecret::generate();
    let header = signature_header(&[&new, &old], MSG_ID, TS, BODY);
    let entries: Vec<&str> = header.split(' ').collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1], SPEC_SIGNATURE);
    for key in [old, new] {
        let result = verify(&key, &headers(&header), BODY, TS, DEFAULT_TOLERANCE_SECS);
        assert_eq!(result, Ok(()));
    }
}

#[test]
fn stale_and_future_timestamps_are_refused() {
    let tolerance = DEFAULT_TOLERANCE_SECS as i64;
    assert_eq!(check(SPEC_SIGNATURE, BODY, TS + tolerance), Ok(()));
    assert_eq!(check(SPEC_SIGNATURE, BODY, TS - tolerance), Ok(()));
    assert_eq!(
        check(SPEC_SIGNATURE, BODY, TS + tolerance + 1),
        Err("stale_timestamp")
    );
    assert_eq!(
        check(SPEC_SIGNATURE, BODY, TS - tolerance - 1),
        Err("stale_timestamp")
    );
}

#[test]
fn non_numeric_timestamp_is_refused() {
    let h = WebhookHeaders {
        timestamp: "2021-02-25T15:02:10Z",
        ..headers(SPEC_SIGNATURE)
    };
    let result = verify(&secret(), &h, BODY, TS, 300);
    assert_eq!(result.map_err(|e| e.code()), Err("invalid_timestamp"));
}

#[test]
fn each_missing_header_is_named() {
    let full = headers(SPEC_SIGNATURE);
    let cases = [
        (WebhookHeaders { id: "", ..full }, "webhook-id"),
        (
            WebhookHeaders {
                timestamp: "",
                ..full
            },
            "webhook-timestamp",
        ),
        (
            WebhookHeaders {
                signature: " ",
                ..full
            },
            "webhook-signature",
        ),
    ];
    for (h, name) in cases {
        let result = verify(&secret(), &h, BODY, TS, 300);
        assert_eq!(result, Err(VerifyError::MissingHeader(name.into())));
    }
}

#[test]
fn header_without_any_version_entry_is_malformed() {
    assert_eq!(
        check("g0hM9SsE+OTPJTGt", BODY, TS),
        Err("malformed_signature_header")
    );
    assert_eq!(check("v1, ,x", BODY, TS), Err("malformed_signature_header"));
    assert_eq!(check("v1,not-base64!", BODY, TS), Err("bad_signature"));
}

#[test]
fn ed25519_signatures_round_trip_and_need_the_right_public_key() {
    let key = Ed25519SecretKey::generate();
    let signature = sign_ed25519(&key, MSG_ID, TS, BODY);
    assert!(signature.starts_with("v1a,"), "{signature}");
    let header = format!("{SPEC_SIGNATURE} {signature}");
    let h = headers(&header);
    assert_eq!(verify_ed25519(&key.public_key(), &h, BODY, TS, 300), Ok(()));

    let stranger = Ed25519SecretKey::generate().public_key();
    let result = verify_ed25519(&stranger, &h, BODY, TS, 300);
    assert_eq!(result, Err(VerifyError::NoMatchingSignature));

    let result = verify_ed25519(&key.public_key(), &h, b"{}", TS, 300);
    assert_eq!(result, Err(VerifyError::NoMatchingSignature));
}

#[test]
fn ed25519_signature_covers_the_same_signed_content() {
    let key = Ed25519SecretKey::from_seed(&[9u8; 32]);
    let signature = sign_ed25519(&key, MSG_ID, TS, BODY);
    let raw = decode_base64(&signature["v1a,".len()..]).expect("base64");
    let content = signed_content(MSG_ID, TS, BODY);
    assert_eq!(content, [MSG_ID.as_bytes(), b".1614265330.", BODY].concat());
    assert!(key.public_key().verify_raw(&content, &raw));
}

#[test]
fn mixed_key_kinds_can_share_one_header() {
    let hmac = secret();
    let ed = Ed25519SecretKey::generate();
    let header = [hmac.sign(MSG_ID, TS, BODY), ed.sign(MSG_ID, TS, BODY)].join(" ");
    let h = headers(&header);
    assert_eq!(verify(&hmac, &h, BODY, TS, 300), Ok(()));
    assert_eq!(verify_ed25519(&ed.public_key(), &h, BODY, TS, 300), Ok(()));
}

#[test]
fn ed25519_matches_an_independent_implementation() {
    // Produced with Python `cryptography` from the seed [9; 32] over the spec message.
    let expected = "v1a,03gkYlpahhMthGAtTTwC9vW82McpsIzzNS9N5imrCEcYptblB7WvlENSVkuUt+RsZKw2gHLjjOk9DTtiAg0gDA==";
    let public = "whpk_/RckOFqgx1tk+3jNYC+h2ZH96/drE8WO1wLqyDXp9hg=";
    let key = Ed25519SecretKey::from_seed(&[9u8; 32]);
    assert_eq!(key.public_key().to_string(), public);
    assert_eq!(sign_ed25519(&key, MSG_ID, TS, BODY), expected);
    let public = Ed25519PublicKey::parse(public).expect("valid public key");
    assert_eq!(
        verify_ed25519(&public, &headers(expected), BODY, TS, 300),
        Ok(())
    );
}
