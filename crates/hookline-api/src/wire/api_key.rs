//! API keys and app-portal tokens on the wire (Hookline extensions, plus the contract's
//! `AppPortalAccessIn`/`AppPortalAccessOut`).

use std::time::Duration;

use hookline_core::Timestamp;
use hookline_store::keys::{ApiKey, KeyScope, PORTAL_KEY_NAME};
use serde::{Deserialize, Serialize};
#[allow(unused_imports)]
use serde_json::json;

use super::Checks;
use super::application::ApplicationIn;
use crate::error::ApiError;

/// `ApiKeyIn`: a key to create.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"name": "billing service", "appId": "acme", "readOnly": false,
    "expiresAt": "2030-01-01T00:00:00Z"}))]
pub struct ApiKeyIn {
    /// A label (1 to 256 characters).
    #[schema(min_length = 1, max_length = 256, example = "billing service")]
    pub name: String,
    /// Binds the key to this application (id or uid); absent = an organisation key.
    #[schema(example = "acme")]
    pub app_id: Option<String>,
    /// With `appId`: the key may only read.
    #[serde(default)]
    pub read_only: bool,
    /// When the key stops working (RFC 3339, in the future); absent = never.
    #[schema(format = DateTime, example = "2030-01-01T00:00:00Z")]
    pub expires_at: Option<String>,
}

/// The validated fields of an [`ApiKeyIn`].
#[derive(Debug, Clone)]
pub struct ApiKeyFields {
    /// Label.
    pub name: String,
    /// The application named, still to be looked up.
    pub app_id: Option<String>,
    /// Read-only flag.
    pub read_only: bool,
    /// Expiry.
    pub expires_at: Option<Timestamp>,
}

impl ApiKeyIn {
    /// Validates every field at `now`, reporting all failures at once.
    pub fn validate(self, now: Timestamp) -> Result<ApiKeyFields, ApiError> {
        let mut checks = Checks::default();
        let name = checks.label(&["body", "name"], &self.name);
        if name == PORTAL_KEY_NAME {
            checks.fail(
                &["body", "name"],
                format!("{PORTAL_KEY_NAME:?} is reserved for app-portal tokens; choose another"),
            );
        }
        if self.read_only && self.app_id.is_none() {
            checks.fail(
                &["body", "readOnly"],
                "only application-scoped keys (with appId) can be read-only",
            );
        }
        let expires_at = match self.expires_at.as_deref() {
            None => None,
            Some(raw) => match Timestamp::parse_rfc3339(raw) {
                Some(at) if at > now => Some(at),
                Some(_) => {
                    checks.fail(&["body", "expiresAt"], "must be in the future");
                    None
                }
                None => {
                    checks.fail(&["body", "expiresAt"], "must be an RFC 3339 date-time");
                    None
                }
            },
        };
        checks.done()?;
        Ok(ApiKeyFields {
            name,
            app_id: self.app_id,
            read_only: self.read_only,
            expires_at,
        })
    }
}

/// `ApiKeyOut`: a key as listed (never with its token).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "key_2yZwUhtgs5Ai8T9yRQJXA", "name": "billing service",
    "scope": "application", "appId": "app_2yZwUhtgs5Ai8T9yRQJXA", "readOnly": false,
    "createdAt": "2026-01-01T12:00:00Z", "lastUsedAt": null, "expiresAt": null, "revokedAt": null}))]
pub struct ApiKeyOut {
    /// `key_...`.
    pub id: String,
    /// Label.
    pub name: String,
    /// `organization` or `application`.
    #[schema(value_type = KeyScopeSchema)]
    pub scope: &'static str,
    /// The application of an application-scoped key.
    pub app_id: Option<String>,
    /// Whether the key may only read.
    pub read_only: bool,
    /// Creation time.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last use, to within a minute.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<Timestamp>,
    /// Expiry, if any.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
    /// Revocation time, if revoked.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
}

/// What an API key may reach, for the document.
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = ApiKeyScope)]
#[allow(dead_code)]
pub enum KeyScopeSchema {
    /// Every route but key management.
    #[schema(rename = "organization")]
    Organization,
    /// One application's routes, and reading event types.
    #[schema(rename = "application")]
    Application,
}

impl From<ApiKey> for ApiKeyOut {
    fn from(key: ApiKey) -> Self {
        let (scope, app_id, read_only) = match key.scope {
            KeyScope::Organization => ("organization", None, false),
            KeyScope::Application { app_id, read_only } => {
                ("application", Some(app_id.to_string()), read_only)
            }
        };
        Self {
            id: key.id.to_string(),
            name: key.name,
            scope,
            app_id,
            read_only,
            created_at: key.created_at,
            last_used_at: key.last_used_at,
            expires_at: key.expires_at,
            revoked_at: key.revoked_at,
        }
    }
}

/// `ApiKeyCreatedOut`: a new key with its token, shown this once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "key_2yZwUhtgs5Ai8T9yRQJXA", "name": "billing service",
    "scope": "organization", "appId": null, "readOnly": false,
    "createdAt": "2026-01-01T12:00:00Z", "lastUsedAt": null, "expiresAt": null, "revokedAt": null,
    "token": "hl_sk_2yZwUhtgs5Ai8T9yRQJXA"}))]
pub struct ApiKeyCreatedOut {
    /// The key.
    #[serde(flatten)]
    pub key: ApiKeyOut,
    /// The secret token; store it now, it cannot be shown again.
    pub token: String,
}

/// Shortest app-portal token lifetime (1 hour), as in the contract.
pub const MIN_PORTAL_EXPIRY: Duration = Duration::from_secs(60 * 60);
/// Longest and default app-portal token lifetime (7 days), as in the contract.
pub const MAX_PORTAL_EXPIRY: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// `AppPortalAccessIn`. `featureFlags` and `capabilities` are accepted and ignored; `sessionId`
/// is kept with the token, for `expire-all`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"expiry": 3600, "readOnly": true}))]
pub struct AppPortalAccessIn {
    /// Creates the application when the path names none.
    pub application: Option<ApplicationIn>,
    /// Token lifetime in seconds (3600 to 604800; default 604800).
    #[schema(minimum = 3600, maximum = 604800, default = 604800)]
    pub expiry: Option<i64>,
    /// A read-only token.
    pub read_only: Option<bool>,
    /// The portal session this token is for (your user's id, say): `expire-all` can then end
    /// one session's tokens. 1 to 64 of `a-z A-Z 0-9 @ _ -`.
    #[schema(
        max_length = 64,
        min_length = 1,
        pattern = "^[a-zA-Z0-9@_-]+$",
        example = "user_1FB8"
    )]
    pub session_id: Option<String>,
}

/// Longest session id, and most session ids one `expire-all` names.
const MAX_SESSION_ID_LEN: usize = 64;
const MAX_SESSION_IDS: usize = 1000;
/// Longest delay `expire-all` accepts (3 days), as in the contract.
pub const MAX_EXPIRE_DELAY: Duration = Duration::from_secs(3 * 24 * 60 * 60);

/// Checks a session id against the contract's shape.
fn check_session_id(id: &str) -> Result<(), &'static str> {
    let shaped = !id.is_empty()
        && id.len() <= MAX_SESSION_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'@' | b'_' | b'-'));
    if shaped {
        Ok(())
    } else {
        Err("must be 1 to 64 characters of a-z, A-Z, 0-9, @, _ and -")
    }
}

/// `ApplicationTokenExpireIn`: when an application's tokens stop working.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"expiry": 60, "sessionIds": ["user_1FB8"]}))]
pub struct ApplicationTokenExpireIn {
    /// Seconds until the tokens stop working (0 to 259200, i.e. 3 days; default 0: at once).
    #[schema(minimum = 0, maximum = 259200)]
    pub expiry: Option<i64>,
    /// Only the tokens made for these app-portal sessions (`sessionId`); all of the
    /// application's tokens when absent or empty. At most 1000.
    #[serde(default)]
    pub session_ids: Vec<String>,
}

impl ApplicationTokenExpireIn {
    /// The delay and the sessions, checked; every failing field is named.
    pub fn validate(self) -> Result<(Duration, Vec<String>), ApiError> {
        let mut checks = Checks::default();
        let delay = match self.expiry {
            None => Duration::ZERO,
            Some(secs) => checks.take(
                &["body", "expiry"],
                u64::try_from(secs)
                    .ok()
                    .filter(|s| *s <= MAX_EXPIRE_DELAY.as_secs())
                    .map(Duration::from_secs)
                    .ok_or("must be between 0 and 259200 seconds (3 days)"),
            ),
        };
        if self.session_ids.len() > MAX_SESSION_IDS {
            checks.fail(&["body", "sessionIds"], "must name at most 1000 sessions");
        }
        for (index, id) in self.session_ids.iter().enumerate() {
            let index = index.to_string();
            checks.check(&["body", "sessionIds", &index], check_session_id(id));
        }
        checks.done()?;
        Ok((delay, self.session_ids))
    }
}

impl AppPortalAccessIn {
    /// The session id, checked.
    pub fn session(&self) -> Result<Option<String>, ApiError> {
        match &self.session_id {
            None => Ok(None),
            Some(id) => check_session_id(id)
                .map(|()| Some(id.clone()))
                .map_err(|msg| ApiError::field(&["body", "sessionId"], msg)),
        }
    }

    /// The token lifetime asked for, checked against the contract's bounds.
    pub fn lifetime(&self) -> Result<Duration, ApiError> {
        let Some(secs) = self.expiry else {
            return Ok(MAX_PORTAL_EXPIRY);
        };
        let range = MIN_PORTAL_EXPIRY.as_secs()..=MAX_PORTAL_EXPIRY.as_secs();
        u64::try_from(secs)
            .ok()
            .filter(|s| range.contains(s))
            .map(Duration::from_secs)
            .ok_or_else(|| {
                ApiError::field(
                    &["body", "expiry"],
                    "must be between 3600 (1 hour) and 604800 (7 days) seconds",
                )
            })
    }
}

/// `AppPortalAccessOut`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"token": "hl_app_2yZwUhtgs5Ai8T9yRQJXA",
    "url": "http://localhost:8071/api/v1/app/app_2yZwUhtgs5Ai8T9yRQJXA#key=hl_app_2yZwUhtgs5Ai8T9yRQJXA"}))]
pub struct AppPortalAccessOut {
    /// An application-scoped token.
    pub token: String,
    /// Where the token is meant to be used, with the token in the fragment.
    pub url: String,
}
