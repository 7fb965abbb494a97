//! Event types on the wire.

use hookline_core::model::EventType;
use hookline_core::{EventTypeName, Timestamp, Uid};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Checks, Patch, nullable};
use crate::error::ApiError;

/// `EventTypeIn` (create) and, without `name`, `EventTypeUpdate` (replace).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"name": "invoice.paid", "description": "An invoice was paid"}))]
#[serde(rename_all = "camelCase")]
pub struct EventTypeIn {
    /// Name, e.g. `invoice.paid` (required on create; taken from the path on replace).
    #[schema(value_type = Option<crate::openapi::params::EventTypeNameSchema>)]
    pub name: Option<String>,
    /// What the event means.
    pub description: String,
    /// Hidden from listings.
    pub archived: Option<bool>,
    /// Marked as deprecated.
    pub deprecated: Option<bool>,
    /// Payload JSON Schemas by version.
    #[schema(value_type = Option<Object>)]
    pub schemas: Option<serde_json::Value>,
    /// Feature flag.
    #[schema(value_type = Option<crate::openapi::params::UidSchema>)]
    pub feature_flag: Option<String>,
    /// Group name.
    pub group_name: Option<String>,
}

fn check_schemas(checks: &mut Checks, schemas: &Option<serde_json::Value>) {
    if let Some(value) = schemas {
        super::schema::check_versions(checks, &["body", "schemas"], value);
    }
}

fn check_flag(checks: &mut Checks, flag: Option<String>) -> Option<String> {
    checks
        .take(&["body", "featureFlag"], flag.map(Uid::parse).transpose())
        .map(|f| f.to_string())
}

impl EventTypeIn {
    /// Validates into a new event type; `path_name` is the name from the URL on replace.
    pub fn into_event_type(
        self,
        path_name: Option<&str>,
        now: Timestamp,
    ) -> Result<EventType, ApiError> {
        let mut checks = Checks::default();
        let raw_name = match (path_name, self.name) {
            (Some(name), _) => Ok(name.to_owned()),
            (None, Some(name)) => Ok(name),
            (None, None) => Err("field required"),
        };
        let name = checks.check(
            &["body", "name"],
            raw_name.and_then(|n| {
                EventTypeName::parse(n)
                    .map_err(|_| "must match ^[a-zA-Z0-9\\-_.]+$ and be at most 256 characters")
            }),
        );
        check_schemas(&mut checks, &self.schemas);
        let feature_flag = check_flag(&mut checks, self.feature_flag);
        let name = checks.finish(name)?;
        Ok(EventType {
            name,
            description: self.description,
            archived: self.archived.unwrap_or(false),
            deprecated: self.deprecated.unwrap_or(false),
            schemas: self.schemas,
            feature_flag,
            group_name: self.group_name,
            created_at: now,
            updated_at: now,
        })
    }
}

/// `EventTypePatch`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"deprecated": true}))]
#[serde(rename_all = "camelCase")]
pub struct EventTypePatch {
    /// New description.
    pub description: Option<String>,
    /// Archive or restore.
    pub archived: Option<bool>,
    /// Deprecate or not.
    pub deprecated: Option<bool>,
    /// New schemas, or `null` to remove them.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Object>)]
    pub schemas: Patch<serde_json::Value>,
    /// New feature flag, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub feature_flag: Patch<String>,
    /// New group name, or `null`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub group_name: Patch<String>,
}

impl EventTypePatch {
    /// Validates and applies the patch.
    pub fn apply(self, et: &mut EventType, now: Timestamp) -> Result<(), ApiError> {
        let mut checks = Checks::default();
        if let Some(description) = self.description {
            et.description = description;
        }
        if let Some(archived) = self.archived {
            et.archived = archived;
        }
        if let Some(deprecated) = self.deprecated {
            et.deprecated = deprecated;
        }
        if let Some(schemas) = self.schemas {
            check_schemas(&mut checks, &schemas);
            et.schemas = schemas;
        }
        if let Some(flag) = self.feature_flag {
            et.feature_flag = check_flag(&mut checks, flag);
        }
        if let Some(group) = self.group_name {
            et.group_name = group;
        }
        checks.done()?;
        et.updated_at = now;
        Ok(())
    }
}

/// `EventTypeOut`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"name": "invoice.paid", "description": "An invoice was paid",
    "archived": false, "deprecated": false, "schemas": null, "featureFlag": null,
    "groupName": null, "createdAt": "2026-01-01T12:00:00Z", "updatedAt": "2026-01-01T12:00:00Z"}))]
#[serde(rename_all = "camelCase")]
pub struct EventTypeOut {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Archived.
    pub archived: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// Schemas.
    #[schema(value_type = Option<Object>)]
    pub schemas: Option<serde_json::Value>,
    /// Feature flag.
    pub feature_flag: Option<String>,
    /// Group name.
    pub group_name: Option<String>,
    /// Creation time.
    #[schema(value_type = String, format = DateTime, example = "2026-01-01T12:00:00Z")]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = String, format = DateTime, example = "2026-01-01T12:00:00Z")]
    pub updated_at: Timestamp,
}

impl From<EventType> for EventTypeOut {
    fn from(et: EventType) -> Self {
        Self {
            name: et.name.to_string(),
            description: et.description,
            archived: et.archived,
            deprecated: et.deprecated,
            schemas: et.schemas,
            feature_flag: et.feature_flag,
            group_name: et.group_name,
            created_at: et.created_at,
            updated_at: et.updated_at,
        }
    }
}
