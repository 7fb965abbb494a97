//! Secret, key and template parsers on arbitrary text: no panics, and whatever parses
//! round-trips through its display form.
#![no_main]

use hookline_signature::{
    Ed25519PublicKey, Ed25519SecretKey, SignedContentTemplate, SigningKey, SigningSecret,
    VerifyingKey,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(secret) = SigningSecret::parse(text) {
        let again = SigningSecret::parse(&secret.to_string()).expect("a secret re-parses");
        assert_eq!(again.as_bytes(), secret.as_bytes());
    }
    if let Ok(key) = Ed25519SecretKey::parse(text) {
        let again = Ed25519SecretKey::parse(&key.to_string()).expect("a key re-parses");
        assert_eq!(again.seed(), key.seed());
    }
    if let Ok(key) = Ed25519PublicKey::parse(text) {
        let again = Ed25519PublicKey::parse(&key.to_string()).expect("a key re-parses");
        assert_eq!(again.as_bytes(), key.as_bytes());
    }
    let _ = SigningKey::parse(text);
    let _ = VerifyingKey::parse(text);
    let _ = SignedContentTemplate::parse(text);
});
