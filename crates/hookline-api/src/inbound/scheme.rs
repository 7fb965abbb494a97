//! A source's `type` and `config` (the contract's union) turned into a verification [`Scheme`].
//!
//! The same function checks a config when a source is created or changed (every problem becomes
//! a 422 naming `body.config.<field>`) and rebuilds the scheme from the stored config on each
//! inbound request.

use hookline_signature::{GenericHmac, HmacConfig, Scheme, SharedSecret, VerifyingKey};
use serde::Deserialize;
use serde_json::Value;

use super::presets;
use crate::error::FieldError;

/// Source types whose provider signs with Standard Webhooks (the reference's `SvixConfig`).
const STANDARD_WEBHOOKS_TYPES: &[&str] = &[
    "svix",
    "standard-webhooks",
    "beehiiv",
    "brex",
    "clerk",
    "guesty",
    "incident-io",
    "lithic",
    "nash",
    "open-ai",
    "pleo",
    "psi-fi",
    "render",
    "replicate",
    "resend",
    "safebase",
    "sardine",
    "stych",
];

/// Every source type Hookline verifies, in the order the docs list them.
pub const SUPPORTED_TYPES: &[&str] = &[
    "generic-webhook",
    "github",
    "stripe",
    "slack",
    "shopify",
    "zoom",
    "segment",
    "docusign",
    "meta",
    "hmac",
    "basic",
    "bearer",
];

/// True when `source_type` is one Hookline can verify.
pub fn is_supported(source_type: &str) -> bool {
    SUPPORTED_TYPES.contains(&source_type) || STANDARD_WEBHOOKS_TYPES.contains(&source_type)
}

fn supported_list() -> String {
    let mut all: Vec<&str> = SUPPORTED_TYPES.to_vec();
    all.extend_from_slice(STANDARD_WEBHOOKS_TYPES);
    all.join(", ")
}

#[derive(Deserialize)]
struct SecretConfig {
    secret: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HmacSourceConfig {
    secret: Option<String>,
    #[serde(flatten)]
    scheme: HmacConfig,
}

#[derive(Deserialize)]
struct BasicConfig {
    username: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // Read to require it; used by the subscription handshake.
struct MetaConfig {
    verify_token: String,
}

#[derive(Deserialize)]
struct BearerConfig {
    token: String,
}

fn config_error(field: &str, msg: impl Into<String>) -> FieldError {
    if field.is_empty() {
        FieldError::value(&["body", "config"], msg)
    } else {
        FieldError::value(&["body", "config", field], msg)
    }
}

/// Reads `config` as `T`, naming the failing field in the error.
fn read<T: for<'de> Deserialize<'de>>(config: &Value) -> Result<T, FieldError> {
    let config = if config.is_null() {
        Value::Object(Default::default())
    } else {
        config.clone()
    };
    serde_path_to_error::deserialize(config).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." { String::new() } else { path };
        let msg = err.into_inner().to_string();
        match msg
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            Some(missing) => config_error(missing, "is required"),
            None => config_error(&field, msg),
        }
    })
}

/// A provider's shared secret: present and not empty.
fn shared(secret: Option<String>, field: &str) -> Result<SharedSecret, FieldError> {
    let secret = secret.ok_or_else(|| config_error(field, "is required"))?;
    SharedSecret::new(secret).map_err(|e| config_error(field, e.to_string()))
}

/// The header named by `config.idHeader`, whose value is the provider's delivery id for any
/// source type, in place of the scheme's own (e.g. `X-Request-Id` for a `generic-webhook`).
pub fn id_header(config: &Value) -> Result<Option<&str>, FieldError> {
    match config.get("idHeader") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) if axum::http::HeaderName::try_from(name.as_str()).is_ok() => {
            Ok(Some(name))
        }
        Some(_) => Err(config_error("idHeader", "must be a valid HTTP header name")),
    }
}

/// Source types whose secret may be `null` (the provider lets a webhook have none), and then
/// accept unsigned requests.
const UNSIGNED_ALLOWED: &[&str] = &["github", "segment", "docusign"];

/// Checks a source's `config` as given to the API (create, update): everything [`scheme`]
/// checks, and, for the types whose secret may be `null`, that `secret` is there. Only an
/// explicit `null` turns verification off; a config without `secret` (forgotten, or misspelt as
/// `webhookSecret`) would otherwise make a receiver that accepts forged requests.
pub fn check_config(source_type: &str, config: &Value) -> Result<(), FieldError> {
    if UNSIGNED_ALLOWED.contains(&source_type) && config.get("secret").is_none() {
        return Err(config_error(
            "secret",
            "is required: the provider signs requests with it; pass `null` to accept unsigned \
             requests (anyone who knows the ingest URL can then send events)",
        ));
    }
    scheme(source_type, config).map(drop)
}

/// The scheme a source of `source_type` with `config` verifies requests with. A stored config
/// is read as it was accepted: sources created before [`check_config`] required `secret` keep
/// accepting unsigned requests.
pub fn scheme(source_type: &str, config: &Value) -> Result<Scheme, FieldError> {
    id_header(config)?;
    if STANDARD_WEBHOOKS_TYPES.contains(&source_type) {
        let SecretConfig { secret } = read(config)?;
        let secret = secret.ok_or_else(|| config_error("secret", "is required"))?;
        let key =
            VerifyingKey::parse(&secret).map_err(|e| config_error("secret", e.to_string()))?;
        return Ok(Scheme::StandardWebhooks(key));
    }
    if let Some(preset) = presets::preset(source_type) {
        let SecretConfig { secret } = read(config)?;
        if source_type == "meta" {
            read::<MetaConfig>(config)?;
        }
        // Segment and DocuSign let a webhook have no secret (nullable in the contract).
        if secret.is_none() && UNSIGNED_ALLOWED.contains(&source_type) {
            return Ok(Scheme::None);
        }
        let scheme = GenericHmac::new(preset).map_err(|e| config_error("", e.to_string()))?;
        return Ok(Scheme::Hmac {
            scheme,
            secret: shared(secret, "secret")?,
        });
    }
    match source_type {
        "generic-webhook" => Ok(Scheme::None),
        // GitHub lets a webhook have no secret; then nothing can be verified.
        "github" => match read::<SecretConfig>(config)?.secret {
            None => Ok(Scheme::None),
            Some(secret) => Ok(Scheme::Github(shared(Some(secret), "secret")?)),
        },
        "stripe" => Ok(Scheme::Stripe(shared(
            read::<SecretConfig>(config)?.secret,
            "secret",
        )?)),
        "slack" => Ok(Scheme::Slack(shared(
            read::<SecretConfig>(config)?.secret,
            "secret",
        )?)),
        "shopify" => Ok(Scheme::Shopify(shared(
            read::<SecretConfig>(config)?.secret,
            "secret",
        )?)),
        "hmac" => {
            let HmacSourceConfig { secret, scheme } = read(config)?;
            let secret = shared(secret, "secret")?;
            let scheme = GenericHmac::new(scheme).map_err(|e| config_error("", e.to_string()))?;
            Ok(Scheme::Hmac { scheme, secret })
        }
        "basic" => {
            let BasicConfig { username, password } = read(config)?;
            Ok(Scheme::Basic {
                username,
                password: shared(Some(password), "password")?,
            })
        }
        "bearer" => Ok(Scheme::Bearer(shared(
            Some(read::<BearerConfig>(config)?.token),
            "token",
        )?)),
        other => Err(FieldError::value(
            &["body", "type"],
            format!(
                "source type {other:?} is not supported by Hookline; use one of: {}",
                supported_list()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn loc(result: Result<Scheme, FieldError>) -> String {
        result.expect_err("the config is refused").loc.join(".")
    }

    #[test]
    fn provider_types_build_their_schemes() {
        let secret = json!({ "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
        assert_eq!(
            scheme("svix", &secret).map(|s| s.name()),
            Ok("standard-webhooks")
        );
        assert_eq!(
            scheme("clerk", &secret).map(|s| s.name()),
            Ok("standard-webhooks")
        );
        assert_eq!(scheme("stripe", &secret).map(|s| s.name()), Ok("stripe"));
        assert_eq!(scheme("github", &json!({})).map(|s| s.name()), Ok("none"));
        assert_eq!(
            scheme("generic-webhook", &Value::Null).map(|s| s.name()),
            Ok("none")
        );
        let bearer = json!({ "token": "t0k3n" });
        assert_eq!(scheme("bearer", &bearer).map(|s| s.name()), Ok("bearer"));
    }

    #[test]
    fn bad_configs_name_the_field() {
        assert_eq!(loc(scheme("stripe", &json!({}))), "body.config.secret");
        assert_eq!(
            loc(scheme("svix", &json!({ "secret": "nope" }))),
            "body.config.secret"
        );
        assert_eq!(
            loc(scheme("slack", &json!({ "secret": "" }))),
            "body.config.secret"
        );
        assert_eq!(
            loc(scheme("basic", &json!({ "username": "u" }))),
            "body.config.password"
        );
        assert_eq!(loc(scheme("cron", &json!({}))), "body.type");
        let bad_template = json!({ "secret": "s", "header": "X-Sig", "template": "{nope}" });
        let err = scheme("hmac", &bad_template).expect_err("refused");
        assert!(err.msg.contains("{nope}"), "{}", err.msg);
    }

    #[test]
    fn a_configured_id_header_must_be_a_header_name() {
        let config = json!({ "idHeader": "X-Request-Id" });
        assert_eq!(id_header(&config), Ok(Some("X-Request-Id")));
        assert_eq!(id_header(&json!({})), Ok(None));
        let bad = json!({ "idHeader": "not a header" });
        assert_eq!(loc(scheme("generic-webhook", &bad)), "body.config.idHeader");
    }

    #[test]
    fn only_an_explicit_null_secret_accepts_unsigned_requests() {
        for source_type in UNSIGNED_ALLOWED {
            assert_eq!(
                check_config(source_type, &json!({ "secret": null })),
                Ok(()),
                "{source_type}"
            );
            for config in [json!({}), Value::Null, json!({ "webhookSecret": "s3cret" })] {
                let err = check_config(source_type, &config).expect_err(source_type);
                assert_eq!(err.loc.join("."), "body.config.secret", "{source_type}");
                assert!(err.msg.contains("`null`"), "{}", err.msg);
            }
            assert_eq!(
                check_config(source_type, &json!({ "secret": "s3cret" })),
                Ok(())
            );
        }
        // A source stored before the rule keeps working as it was created: unsigned.
        assert_eq!(scheme("github", &json!({})).map(|s| s.name()), Ok("none"));
    }

    #[test]
    fn errors_never_echo_the_secret() {
        let err = scheme("svix", &json!({ "secret": "whsec_!!notbase64secretvalue" }))
            .expect_err("refused");
        assert!(!err.msg.contains("notbase64secretvalue"), "{}", err.msg);
    }
}
