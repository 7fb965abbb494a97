//! Environments on the wire (a Hookline extension; the contract has none).

use hookline_core::Timestamp;
use hookline_store::environments::Environment;
use serde::{Deserialize, Serialize};
#[allow(unused_imports)]
use serde_json::json;

use super::Checks;
use crate::error::ApiError;

/// `EnvironmentIn`: an environment to create.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"name": "staging"}))]
pub struct EnvironmentIn {
    /// A label (1 to 256 characters); names need not be unique.
    #[schema(min_length = 1, max_length = 256, example = "staging")]
    pub name: String,
}

impl EnvironmentIn {
    /// The trimmed name, or the 422 naming the field.
    pub fn validate(self) -> Result<String, ApiError> {
        let mut checks = Checks::default();
        let name = checks.label(&["body", "name"], &self.name);
        checks.done()?;
        Ok(name)
    }
}

/// `EnvironmentOut`: a registered environment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "env_2yZwUhtgs5Ai8T9yRQJXAb", "name": "staging",
    "createdAt": "2026-01-01T12:00:00Z"}))]
pub struct EnvironmentOut {
    /// `env_...`: what the admin token sends in `Hookline-Environment`, what the environment's
    /// key tokens start with (`hl_sk_env_..._`), and the path segment of its sources'
    /// receiving URLs (`/in/env_.../{source}`).
    pub id: String,
    /// Label.
    pub name: String,
    /// Creation time.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<Environment> for EnvironmentOut {
    fn from(environment: Environment) -> Self {
        Self {
            id: environment.id.to_string(),
            name: environment.name,
            created_at: environment.created_at,
        }
    }
}
