//! One value per configured inbound source: which scheme it uses and with which secret.
//! The HTTP layer stores a [`Scheme`], then calls [`Scheme::verify`] and
//! [`Scheme::delivery_id`] on every request without knowing the provider.

use crate::providers::hmac::GenericHmac;
use crate::providers::{auth, github, shopify, slack, standard_webhooks, stripe};
use crate::{InboundRequest, SharedSecret, VerifyError, VerifyingKey};

/// How an inbound source authenticates its requests, with the key to check them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Standard Webhooks / Svix (`webhook-*` or `svix-*` headers), `whsec_` or `whpk_` key.
    StandardWebhooks(VerifyingKey),
    /// GitHub `X-Hub-Signature-256`, keyed by the webhook secret.
    Github(SharedSecret),
    /// Stripe `Stripe-Signature`, keyed by the endpoint's `whsec_...` string as-is.
    Stripe(SharedSecret),
    /// Slack `X-Slack-Signature`, keyed by the app's signing secret.
    Slack(SharedSecret),
    /// Shopify `X-Shopify-Hmac-Sha256`, keyed by the app's client secret.
    Shopify(SharedSecret),
    /// An operator-described HMAC scheme.
    Hmac {
        /// The checked description of the sender's scheme.
        scheme: GenericHmac,
        /// The shared secret, used as raw bytes.
        secret: SharedSecret,
    },
    /// `Authorization: Bearer <token>`.
    Bearer(SharedSecret),
    /// `Authorization: Basic ...` with these credentials.
    Basic {
        /// The expected user name.
        username: String,
        /// The expected password.
        password: SharedSecret,
    },
    /// No authentication: every request is accepted (use with an IP allowlist).
    None,
}

impl Scheme {
    /// The scheme's stable configuration name, e.g. `standard-webhooks`, `github`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::StandardWebhooks(_) => "standard-webhooks",
            Self::Github(_) => "github",
            Self::Stripe(_) => "stripe",
            Self::Slack(_) => "slack",
            Self::Shopify(_) => "shopify",
            Self::Hmac { .. } => "hmac",
            Self::Bearer(_) => "bearer",
            Self::Basic { .. } => "basic",
            Self::None => "none",
        }
    }

    /// Accepts the request when it is authentic under this scheme; otherwise says why not.
    pub fn verify(&self, req: &InboundRequest<'_>) -> Result<(), VerifyError> {
        match self {
            Self::StandardWebhooks(key) => standard_webhooks::verify(key, req),
            Self::Github(secret) => github::verify(secret, req),
            Self::Stripe(secret) => stripe::verify(secret, req),
            Self::Slack(secret) => slack::verify(secret, req),
            Self::Shopify(secret) => shopify::verify(secret, req),
            Self::Hmac { scheme, secret } => scheme.verify(secret, req),
            Self::Bearer(token) => auth::verify_bearer(token, req),
            Self::Basic { username, password } => auth::verify_basic(username, password, req),
            Self::None => Ok(()),
        }
    }

    /// The sender's id for this delivery, the same on its retries, for dedupe; `None` when
    /// the scheme or this request carries none.
    pub fn delivery_id(&self, req: &InboundRequest<'_>) -> Option<String> {
        match self {
            Self::StandardWebhooks(_) => standard_webhooks::delivery_id(req),
            Self::Github(_) => github::delivery_id(req),
            Self::Stripe(_) => stripe::delivery_id(req),
            Self::Slack(_) => slack::delivery_id(req),
            Self::Shopify(_) => shopify::delivery_id(req),
            Self::Hmac { scheme, .. } => scheme.delivery_id(req),
            Self::Bearer(_) | Self::Basic { .. } | Self::None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::hmac::HmacConfig;

    fn secret() -> SharedSecret {
        SharedSecret::new("It's a Secret to Everybody").expect("non-empty")
    }

    #[test]
    fn dispatches_to_the_provider() {
        let sig = github::sign(&secret(), b"Hello, World!");
        let headers = [
            (github::SIGNATURE_HEADER, sig.as_str()),
            (github::DELIVERY_HEADER, "d1"),
        ];
        let req = InboundRequest::new(&headers, b"Hello, World!", 0);
        let scheme = Scheme::Github(secret());
        assert_eq!(scheme.verify(&req), Ok(()));
        assert_eq!(scheme.delivery_id(&req).as_deref(), Some("d1"));
        // The same request does not pass as another provider's.
        assert!(Scheme::Shopify(secret()).verify(&req).is_err());
        assert_eq!(Scheme::None.verify(&req), Ok(()));
    }

    #[test]
    fn generic_hmac_dispatches_with_its_secret() {
        let config = HmacConfig {
            prefix: Some("sha256=".into()),
            id_header: Some("X-GitHub-Delivery".into()),
            ..HmacConfig::new("X-Hub-Signature-256")
        };
        let scheme = Scheme::Hmac {
            scheme: GenericHmac::new(config).expect("valid"),
            secret: secret(),
        };
        let sig = github::sign(&secret(), b"{}");
        let headers = [
            ("x-hub-signature-256", sig.as_str()),
            ("x-github-delivery", "d2"),
        ];
        let req = InboundRequest::new(&headers, b"{}", 0);
        assert_eq!(scheme.verify(&req), Ok(()));
        assert_eq!(scheme.delivery_id(&req).as_deref(), Some("d2"));
        assert_eq!(scheme.name(), "hmac");
    }

    #[test]
    fn debug_never_prints_secrets() {
        let scheme = Scheme::Basic {
            username: "u".into(),
            password: SharedSecret::new("hunter2").expect("non-empty"),
        };
        assert!(!format!("{scheme:?}").contains("hunter2"));
    }
}
