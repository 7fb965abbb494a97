//! Checking message payloads against their event type's schema, when the event type asks for it.
//!
//! Compiled schemas are cached by event type and reused while the stored schema is unchanged,
//! so a validated ingest costs one indexed lookup plus the check itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jsonschema::Validator;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::wire::Checks;
use crate::wire::schema::{check_payload, compile, newest};

/// A schema as stored and its compiled form.
type Compiled = (Value, Arc<Validator>);

/// Compiled payload schemas by event type; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct PayloadSchemas {
    compiled: Arc<Mutex<HashMap<String, Compiled>>>,
}

impl PayloadSchemas {
    fn validator(&self, event_type: &str, schema: &Value) -> ApiResult<Arc<Validator>> {
        let mut cache = self
            .compiled
            .lock()
            .map_err(|_| ApiError::Internal("payload schema cache poisoned".into()))?;
        if let Some((cached, validator)) = cache.get(event_type)
            && cached == schema
        {
            return Ok(Arc::clone(validator));
        }
        let validator = Arc::new(compile(schema).map_err(|(_, reason)| {
            ApiError::Internal(format!(
                "stored schema of {event_type} does not compile: {reason}"
            ))
        })?);
        cache.insert(
            event_type.to_owned(),
            (schema.clone(), Arc::clone(&validator)),
        );
        Ok(validator)
    }
}

/// Refuses a payload that does not match its event type's newest schema, when validation is on
/// for that event type (`422` at `body.payload...`, naming the schema path).
pub async fn check(state: &AppState, event_type: &str, payload: &str) -> ApiResult<()> {
    let Some(schemas) = state.store.validating_schemas(event_type).await? else {
        return Ok(());
    };
    let Some(schema) = newest(&schemas) else {
        return Ok(());
    };
    let validator = state.payload_schemas.validator(event_type, schema)?;
    let payload: Value = serde_json::from_str(payload)
        .map_err(|e| ApiError::field(&["body", "payload"], format!("is not valid JSON: {e}")))?;
    let mut checks = Checks::default();
    check_payload(&mut checks, &validator, &payload);
    checks.done()
}
