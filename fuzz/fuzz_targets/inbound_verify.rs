//! Every inbound verifier, fed arbitrary headers and bodies: none may panic, and none may accept
//! a request the fuzzer could only have forged (only `None` accepts without a secret).
#![no_main]

use arbitrary::Arbitrary;
use hookline_signature::{
    GenericHmac, HmacAlgorithm, HmacConfig, InboundRequest, Scheme, SharedSecret,
    SignatureEncoding, SigningSecret, VerifyingKey,
};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    scheme: u8,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    now: i64,
}

fn shared(text: &str) -> SharedSecret {
    SharedSecret::new(text.as_bytes().to_vec()).expect("a fixed secret")
}

fn schemes() -> Vec<Scheme> {
    let whsec = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret");
    let mut hmac = HmacConfig::new("x-signature");
    hmac.algorithm = HmacAlgorithm::Sha256;
    hmac.encoding = SignatureEncoding::Hex;
    hmac.prefix = Some("sha256=".into());
    hmac.template = "{timestamp}.{body}".into();
    hmac.timestamp_header = Some("x-timestamp".into());
    vec![
        Scheme::StandardWebhooks(VerifyingKey::Hmac(whsec)),
        Scheme::Github(shared("github-secret")),
        Scheme::Stripe(shared("whsec_stripe_test_secret")),
        Scheme::Slack(shared("slack-signing-secret")),
        Scheme::Shopify(shared("shopify-secret")),
        Scheme::Hmac {
            scheme: GenericHmac::new(hmac).expect("hmac scheme"),
            secret: shared("hmac-secret"),
        },
        Scheme::Bearer(shared("bearer-token-123")),
        Scheme::Basic {
            username: "user".into(),
            password: shared("password-123"),
        },
    ]
}

fuzz_target!(|input: Input| {
    let schemes = schemes();
    let scheme = &schemes[usize::from(input.scheme) % schemes.len()];
    let req = InboundRequest::new(&input.headers, &input.body, input.now);
    let verdict = scheme.verify(&req);
    let _ = scheme.delivery_id(&req);
    if let Err(err) = &verdict {
        let _ = (err.code(), err.to_string());
    }
});
