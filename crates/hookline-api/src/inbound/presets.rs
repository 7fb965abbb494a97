//! Providers whose public signing scheme is an instance of the generic HMAC scheme, and the
//! handshakes some providers make before sending events (answered, never stored).

use hookline_signature::{
    GenericHmac, HmacAlgorithm, HmacConfig, Scheme, SharedSecret, SignatureEncoding, TemplateValues,
};
use serde_json::{Value, json};

/// The HMAC description of a provider type, when it is one of these:
///
/// - `zoom`: `x-zm-signature: v0=<hex HMAC-SHA256("v0:{ts}:{body}")>`, `x-zm-request-timestamp`
///   within 5 minutes;
/// - `segment`: `X-Signature: <hex HMAC-SHA1(body)>`;
/// - `docusign`: `X-DocuSign-Signature-1: <base64 HMAC-SHA256(body)>`;
/// - `meta`: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body)>` (keyed by the app secret).
pub fn preset(source_type: &str) -> Option<HmacConfig> {
    Some(match source_type {
        "zoom" => HmacConfig {
            prefix: Some("v0=".into()),
            template: "v0:{timestamp}:{body}".into(),
            timestamp_header: Some("x-zm-request-timestamp".into()),
            ..HmacConfig::new("x-zm-signature")
        },
        "segment" => HmacConfig {
            algorithm: HmacAlgorithm::Sha1,
            ..HmacConfig::new("X-Signature")
        },
        "docusign" => HmacConfig {
            encoding: SignatureEncoding::Base64,
            ..HmacConfig::new("X-DocuSign-Signature-1")
        },
        "meta" => HmacConfig {
            prefix: Some("sha256=".into()),
            ..HmacConfig::new("X-Hub-Signature-256")
        },
        _ => return None,
    })
}

/// The answer to a verified handshake request that must not become an event: Slack's
/// `url_verification` (echo the challenge) and Zoom's `endpoint.url_validation` (the plain
/// token with its HMAC under the source's secret).
pub fn post_handshake(source_type: &str, scheme: &Scheme, body: &[u8]) -> Option<Value> {
    let value: Value = serde_json::from_slice(body).ok()?;
    match (source_type, scheme) {
        ("slack", Scheme::Slack(_)) if value.get("type")? == "url_verification" => {
            Some(json!({ "challenge": value.get("challenge")?.clone() }))
        }
        ("zoom", Scheme::Hmac { secret, .. })
            if value.get("event")? == "endpoint.url_validation" =>
        {
            let plain = value.get("payload")?.get("plainToken")?.as_str()?;
            Some(json!({ "plainToken": plain, "encryptedToken": hex_hmac(secret, plain) }))
        }
        _ => None,
    }
}

fn hex_hmac(secret: &SharedSecret, text: &str) -> String {
    let plain = HmacConfig::new("unused");
    let values = TemplateValues {
        body: text.as_bytes(),
        ..TemplateValues::default()
    };
    GenericHmac::new(plain)
        .map(|hmac| hmac.sign(secret, &values))
        .unwrap_or_default()
}

/// Meta's subscription check: `GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C` is
/// answered with `C` when `T` is the source's `verifyToken`.
pub fn meta_challenge<'a>(config: &Value, query: &'a [(String, String)]) -> Option<&'a str> {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let expected = config.get("verifyToken")?.as_str()?;
    let given = param("hub.verify_token")?;
    let same: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), given.as_bytes()).into();
    (param("hub.mode")? == "subscribe" && same)
        .then(|| param("hub.challenge"))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hookline_signature::InboundRequest;

    fn secret() -> SharedSecret {
        SharedSecret::new("zoom-secret-token").expect("secret")
    }

    fn scheme(source_type: &str) -> Scheme {
        let hmac = GenericHmac::new(preset(source_type).expect("preset")).expect("valid preset");
        Scheme::Hmac {
            scheme: hmac,
            secret: secret(),
        }
    }

    #[test]
    fn zoom_requests_verify_per_zooms_documented_message() {
        let body = br#"{"event":"meeting.started","payload":{}}"#;
        // Zoom's docs: message = "v0:" + timestamp + ":" + body; header "v0=" + hex HMAC.
        // Computed independently with Python's hmac module.
        let signature = "v0=c79071935bf4fc1bf06006c9850279ce805d8e92fe5458af4ca91eb06e0174f5";
        let headers = [
            ("x-zm-signature", signature),
            ("x-zm-request-timestamp", "1700000000"),
        ];
        let zoom = scheme("zoom");
        assert_eq!(
            zoom.verify(&InboundRequest::new(&headers, body, 1_700_000_100)),
            Ok(())
        );
        let stale = zoom.verify(&InboundRequest::new(&headers, body, 1_700_000_400));
        assert_eq!(stale.map_err(|e| e.code()), Err("stale_timestamp"));
    }

    #[test]
    fn zoom_url_validation_returns_the_hmac_of_the_plain_token() {
        let body = br#"{"event":"endpoint.url_validation","payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"}}"#;
        let answer = post_handshake("zoom", &scheme("zoom"), body).expect("a handshake");
        assert_eq!(answer["plainToken"], "qgg8vlvZRS6UYooatFL8Aw");
        // HMAC-SHA256("zoom-secret-token", plainToken), computed with Python's hmac module.
        assert_eq!(
            answer["encryptedToken"],
            "d9e0d764a78494688ba3f2d5c0ed4ca311394b4834d959759213424d2df961e3"
        );
        assert!(post_handshake("zoom", &scheme("zoom"), b"{\"event\":\"x\"}").is_none());
    }

    #[test]
    fn meta_subscription_needs_the_verify_token() {
        let config = json!({ "secret": "s", "verifyToken": "vt" });
        let query = |token: &str| {
            vec![
                ("hub.mode".to_owned(), "subscribe".to_owned()),
                ("hub.verify_token".to_owned(), token.to_owned()),
                ("hub.challenge".to_owned(), "1158201444".to_owned()),
            ]
        };
        assert_eq!(meta_challenge(&config, &query("vt")), Some("1158201444"));
        assert_eq!(meta_challenge(&config, &query("nope")), None);
    }

    #[test]
    fn every_preset_is_a_valid_hmac_scheme() {
        for source_type in ["zoom", "segment", "docusign", "meta"] {
            let config = preset(source_type).expect("preset");
            assert!(GenericHmac::new(config).is_ok(), "{source_type}");
        }
        assert!(preset("github").is_none());
    }
}
