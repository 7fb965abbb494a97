use super::*;

const NOW: i64 = 1_700_000_000;

fn secret() -> SharedSecret {
    SharedSecret::new("It's a Secret to Everybody").expect("non-empty")
}

fn github_like() -> GenericHmac {
    GenericHmac::new(HmacConfig {
        prefix: Some("sha256=".into()),
        ..HmacConfig::new("X-Hub-Signature-256")
    })
    .expect("valid config")
}

fn timestamped() -> GenericHmac {
    GenericHmac::new(HmacConfig {
        algorithm: HmacAlgorithm::Sha512,
        encoding: SignatureEncoding::Base64,
        template: "{id}.{timestamp}.{body}".into(),
        timestamp_header: Some("X-Timestamp".into()),
        id_header: Some("X-Delivery".into()),
        ..HmacConfig::new("X-Signature")
    })
    .expect("valid config")
}

fn timestamped_headers(signature: &str, ts: &str) -> Vec<(String, String)> {
    vec![
        ("x-signature".into(), signature.into()),
        ("x-timestamp".into(), ts.into()),
        ("x-delivery".into(), "d-1".into()),
    ]
}

fn sign_timestamped(secret: &SharedSecret, body: &[u8], ts: &str) -> String {
    let values = TemplateValues {
        body,
        timestamp: ts,
        id: "d-1",
    };
    timestamped().sign(secret, &values)
}

fn check(
    scheme: &GenericHmac,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(), &'static str> {
    let req = InboundRequest::new(&headers, body, NOW);
    scheme.verify(&secret(), &req).map_err(|e| e.code())
}

#[test]
fn reproduces_the_github_vector() {
    let sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    let headers = vec![("X-Hub-Signature-256".to_owned(), sig.to_owned())];
    assert_eq!(check(&github_like(), &headers, b"Hello, World!"), Ok(()));
    assert_eq!(
        check(&github_like(), &headers, b"Hello, World?"),
        Err("bad_signature")
    );
    let values = TemplateValues {
        body: b"Hello, World!",
        ..TemplateValues::default()
    };
    assert_eq!(github_like().sign(&secret(), &values), sig);
}

#[test]
fn timestamped_scheme_accepts_a_valid_request() {
    let sig = sign_timestamped(&secret(), b"{}", "1700000000");
    let headers = timestamped_headers(&sig, "1700000000");
    assert_eq!(check(&timestamped(), &headers, b"{}"), Ok(()));
    let req = InboundRequest::new(&headers, b"{}", NOW);
    assert_eq!(timestamped().delivery_id(&req), Some("d-1".into()));
}

#[test]
fn one_changed_body_byte_is_refused() {
    let sig = sign_timestamped(&secret(), b"{\"a\":1}", "1700000000");
    let headers = timestamped_headers(&sig, "1700000000");
    assert_eq!(
        check(&timestamped(), &headers, b"{\"a\":2}"),
        Err("bad_signature")
    );
}

#[test]
fn another_secret_is_refused() {
    let other = SharedSecret::new("not the secret").expect("non-empty");
    let sig = sign_timestamped(&other, b"{}", "1700000000");
    let headers = timestamped_headers(&sig, "1700000000");
    assert_eq!(check(&timestamped(), &headers, b"{}"), Err("bad_signature"));
}

#[test]
fn stale_timestamp_is_refused_even_when_signed() {
    let sig = sign_timestamped(&secret(), b"{}", "1699999000");
    let headers = timestamped_headers(&sig, "1699999000");
    assert_eq!(
        check(&timestamped(), &headers, b"{}"),
        Err("stale_timestamp")
    );
}

#[test]
fn each_missing_header_is_refused() {
    let sig = sign_timestamped(&secret(), b"{}", "1700000000");
    let full = timestamped_headers(&sig, "1700000000");
    for skip in 0..full.len() {
        let mut headers = full.clone();
        let (name, _) = headers.remove(skip);
        let req = InboundRequest::new(&headers, b"{}", NOW);
        let result = timestamped().verify(&secret(), &req);
        assert!(
            matches!(&result, Err(VerifyError::MissingHeader(n)) if n.eq_ignore_ascii_case(&name)),
            "{name}: {result:?}"
        );
    }
}

#[test]
fn missing_prefix_or_bad_encoding_is_malformed() {
    let headers = vec![("X-Hub-Signature-256".to_owned(), "757107ea".to_owned())];
    assert_eq!(
        check(&github_like(), &headers, b""),
        Err("malformed_signature_header")
    );
    let headers = vec![("X-Hub-Signature-256".to_owned(), "sha256=zz".to_owned())];
    assert_eq!(
        check(&github_like(), &headers, b""),
        Err("malformed_signature_header")
    );
}

#[test]
fn non_utf8_body_is_signed_byte_exact() {
    let body = [0xff, 0xfe, 0x00, 0x80];
    let ts = "1700000000";
    let sig = sign_timestamped(&secret(), &body, ts);
    let headers = timestamped_headers(&sig, ts);
    assert_eq!(check(&timestamped(), &headers, &body), Ok(()));
    let content = [b"d-1.1700000000.".as_slice(), &body].concat();
    let expected = hmac(HmacAlgorithm::Sha512, secret().as_bytes(), &[&content]);
    assert_eq!(sig, encode_base64(&expected));
}

#[test]
fn inconsistent_configs_are_refused() {
    let code = |config: HmacConfig| GenericHmac::new(config).map(|_| ()).map_err(|e| e.code());
    assert_eq!(code(HmacConfig::new("")), Err("invalid_header_name"));
    assert_eq!(code(HmacConfig::new("X Sig")), Err("invalid_header_name"));
    let ts = HmacConfig {
        template: "{timestamp}.{body}".into(),
        ..HmacConfig::new("X-Sig")
    };
    assert_eq!(code(ts), Err("timestamp_without_header"));
    let id = HmacConfig {
        template: "{id}{body}".into(),
        ..HmacConfig::new("X-Sig")
    };
    assert_eq!(code(id), Err("id_without_header"));
}

#[test]
fn deserializes_with_defaults_and_validates() {
    let json = r#"{"header":"X-Sig","algorithm":"sha1","template":"{timestamp}:{body}",
                   "timestampHeader":"X-Ts"}"#;
    let scheme: GenericHmac = serde_json::from_str(json).expect("valid config");
    assert_eq!(scheme.config().encoding, SignatureEncoding::Hex);
    assert_eq!(scheme.config().tolerance_secs, 300);
    let bad = r#"{"header":"X-Sig","template":"{timestamp}:{body}"}"#;
    assert!(serde_json::from_str::<GenericHmac>(bad).is_err());
    let round = serde_json::to_string(&scheme).expect("serializes");
    assert_eq!(
        serde_json::from_str::<GenericHmac>(&round).ok(),
        Some(scheme)
    );
}

#[test]
fn encodings_parse_by_name() {
    assert_eq!(
        "BASE64".parse::<SignatureEncoding>(),
        Ok(SignatureEncoding::Base64)
    );
    assert!("b32".parse::<SignatureEncoding>().is_err());
}
