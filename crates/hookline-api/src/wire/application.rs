//! Applications on the wire.

use hookline_core::Timestamp;
use hookline_core::Uid;
use hookline_core::model::{Application, Metadata};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Checks, Patch, nullable};
use crate::error::ApiError;

/// `ApplicationIn`: create or replace an application.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Acme Corp", "uid": "acme", "metadata": {"plan": "pro"}}))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationIn {
    /// Human-readable name (required, not empty).
    #[schema(min_length = 1, example = "Acme Corp")]
    pub name: String,
    /// Optional unique identifier usable in place of the id.
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = r"^[a-zA-Z0-9\-_.]+$",
        example = "acme"
    )]
    pub uid: Option<String>,
    /// Labels.
    pub metadata: Option<Metadata>,
    /// Messages per second per endpoint.
    pub throttle_rate: Option<u16>,
    /// Older name of `throttleRate`.
    pub rate_limit: Option<u16>,
}

/// The validated fields of an [`ApplicationIn`].
#[derive(Debug, Clone, Default)]
pub struct ApplicationFields {
    /// Name.
    pub name: String,
    /// Uid.
    pub uid: Option<Uid>,
    /// Labels.
    pub metadata: Metadata,
    /// Throttle.
    pub throttle_rate: Option<u16>,
}

impl ApplicationIn {
    /// Validates every field, reporting all failures at once.
    pub fn validate(self) -> Result<ApplicationFields, ApiError> {
        let mut checks = Checks::default();
        if self.name.trim().is_empty() {
            checks.fail(&["body", "name"], "must not be empty");
        }
        let uid = checks.take(&["body", "uid"], self.uid.map(Uid::parse).transpose());
        checks.done()?;
        Ok(ApplicationFields {
            name: self.name,
            uid,
            metadata: self.metadata.unwrap_or_default(),
            throttle_rate: self.throttle_rate.or(self.rate_limit),
        })
    }
}

impl ApplicationFields {
    /// Applies these fields to a new or existing application.
    pub fn apply(self, app: &mut Application, now: Timestamp) {
        app.name = self.name;
        app.uid = self.uid;
        app.metadata = self.metadata;
        app.throttle_rate = self.throttle_rate;
        app.updated_at = now;
    }
}

/// `ApplicationPatch`: change some fields.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Acme Corporation"}))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationPatch {
    /// New name.
    #[schema(min_length = 1)]
    pub name: Option<String>,
    /// New uid, or `null` to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<crate::openapi::params::UidSchema>)]
    pub uid: Patch<String>,
    /// New labels.
    pub metadata: Option<Metadata>,
    /// New throttle, or `null` to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u16>)]
    pub throttle_rate: Patch<u16>,
}

impl ApplicationPatch {
    /// Validates and applies the patch to `app`.
    pub fn apply(self, app: &mut Application, now: Timestamp) -> Result<(), ApiError> {
        let mut checks = Checks::default();
        if let Some(name) = self.name {
            if name.trim().is_empty() {
                checks.fail(&["body", "name"], "must not be empty");
            }
            app.name = name;
        }
        if let Some(uid) = self.uid {
            app.uid = checks.take(&["body", "uid"], uid.map(Uid::parse).transpose());
        }
        if let Some(metadata) = self.metadata {
            app.metadata = metadata;
        }
        if let Some(rate) = self.throttle_rate {
            app.throttle_rate = rate;
        }
        checks.done()?;
        app.updated_at = now;
        Ok(())
    }
}

/// `ApplicationOut`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "app_2yZwUhtgs5Ai8T9yRQJXA", "uid": "acme", "name": "Acme Corp",
    "metadata": {"plan": "pro"}, "throttleRate": null, "rateLimit": null,
    "createdAt": "2026-01-01T12:00:00Z", "updatedAt": "2026-01-01T12:00:00Z"}))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationOut {
    /// Id (`app_...`).
    pub id: String,
    /// Uid.
    pub uid: Option<String>,
    /// Name.
    pub name: String,
    /// Labels.
    pub metadata: Metadata,
    /// Throttle.
    pub throttle_rate: Option<u16>,
    /// Older name of `throttleRate`.
    pub rate_limit: Option<u16>,
    /// Creation time.
    #[schema(value_type = String, format = DateTime, example = "2026-01-01T12:00:00Z")]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = String, format = DateTime, example = "2026-01-01T12:00:00Z")]
    pub updated_at: Timestamp,
}

impl From<Application> for ApplicationOut {
    fn from(app: Application) -> Self {
        Self {
            id: app.id.to_string(),
            uid: app.uid.map(|u| u.to_string()),
            name: app.name,
            metadata: app.metadata,
            throttle_rate: app.throttle_rate,
            rate_limit: app.throttle_rate,
            created_at: app.created_at,
            updated_at: app.updated_at,
        }
    }
}
