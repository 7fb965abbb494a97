//! Event types as OpenAPI 3.1 `webhooks`: export for consumers to generate types from, import to
//! create event types from an existing spec (`EventTypeImportOpenApiIn`/`Out`).

use std::collections::BTreeMap;

use hookline_core::EventTypeName;
use hookline_core::model::EventType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::Checks;
use super::schema::{check_versions, newest};

/// How deep a webhook definition may nest, `$ref`s followed (this also stops reference cycles).
const MAX_REF_DEPTH: usize = 64;

/// The OpenAPI 3.1 document describing `event_types` as webhooks.
pub fn export(event_types: &[EventType]) -> Value {
    let mut webhooks = Map::new();
    for et in event_types.iter().filter(|et| !et.archived) {
        let schema = et
            .schemas
            .as_ref()
            .and_then(newest)
            .cloned()
            .unwrap_or_else(|| json!({ "type": "object" }));
        let mut operation = json!({
            "operationId": et.name.as_str(),
            "summary": et.name.as_str(),
            "description": et.description,
            "requestBody": { "content": { "application/json": { "schema": schema } } },
            "responses": { "2XX": {
                "description": "Return any 2XX status to indicate that the data was received successfully"
            } },
        });
        if et.deprecated {
            operation["deprecated"] = json!(true);
        }
        if let Some(group) = &et.group_name {
            operation["tags"] = json!([group]);
        }
        webhooks.insert(et.name.to_string(), json!({ "post": operation }));
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Webhooks", "version": "1.0.0" },
        "webhooks": webhooks,
    })
}

/// `EventTypeImportOpenApiIn`: send the spec as exactly one of `spec` or `specRaw` (400
/// otherwise).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EventTypeImportOpenApiIn, example = json!({"dryRun": true, "spec": {
    "openapi": "3.1.0", "info": {"title": "Webhooks", "version": "1.0.0"},
    "webhooks": {"invoice.paid": {"post": {"description": "An invoice was paid",
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"2XX": {"description": "OK"}}}}}}}))]
pub struct ImportIn {
    /// Report what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
    /// Archive existing event types the spec does not list.
    #[serde(default)]
    pub replace_all: bool,
    /// The spec as JSON.
    #[schema(value_type = Option<Object>)]
    pub spec: Option<Value>,
    /// The spec as text: JSON or YAML.
    pub spec_raw: Option<String>,
}

/// `EventTypeFromOpenApi`: one event type found in a spec.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EventTypeFromOpenApi)]
pub struct Imported {
    /// The event type's name (the webhook's key).
    pub name: String,
    /// The operation's description or summary.
    pub description: String,
    /// `{"1": <request body schema>}`, `$ref`s resolved.
    #[schema(value_type = Option<Object>)]
    pub schemas: Option<Value>,
    /// The operation is deprecated.
    pub deprecated: bool,
    /// The operation's first tag.
    pub group_name: Option<String>,
}

/// `EventTypeImportOpenApiOut`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = EventTypeImportOpenApiOut, example = json!({"data": {"modified": ["invoice.paid"], "to_modify": null}}))]
pub struct ImportOut {
    /// What was (or, on a dry run, would be) changed.
    pub data: ImportOutData,
}

/// `EventTypeImportOpenApiOutData`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = EventTypeImportOpenApiOutData)]
pub struct ImportOutData {
    /// Names of the event types created or updated (none on a dry run).
    pub modified: Vec<String>,
    /// On a dry run, the event types that would be created or updated.
    pub to_modify: Option<Vec<Imported>>,
}

/// Replaces local `$ref`s (`#/...`) with what they point to.
fn resolve(spec: &Value, value: &Value, depth: usize) -> Result<Value, String> {
    if depth > MAX_REF_DEPTH {
        return Err("`$ref`s nest too deeply or form a cycle".into());
    }
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let target = reference
                    .strip_prefix('#')
                    .and_then(|pointer| spec.pointer(pointer))
                    .ok_or_else(|| format!("`$ref` {reference} does not point into this spec"))?;
                return resolve(spec, target, depth + 1);
            }
            let mut out = Map::new();
            for (key, child) in map {
                out.insert(key.clone(), resolve(spec, child, depth + 1)?);
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .map(|item| resolve(spec, item, depth + 1))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

fn text(op: &Value, key: &str) -> Option<String> {
    op.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Reads the event types of a spec's `webhooks` (or `x-webhooks`), recording each problem at
/// `["body", "spec", "webhooks", name, ...]`.
pub fn read_spec(checks: &mut Checks, spec: &Value) -> Vec<Imported> {
    let (key, hooks) = match (spec.get("webhooks"), spec.get("x-webhooks")) {
        (Some(Value::Object(h)), _) => ("webhooks", h),
        (_, Some(Value::Object(h))) => ("x-webhooks", h),
        _ => {
            checks.fail(
                &["body", "spec"],
                "has no `webhooks` (or `x-webhooks`) object",
            );
            return Vec::new();
        }
    };
    let mut found = BTreeMap::new();
    for (name, item) in hooks {
        let at = ["body", "spec", key, name.as_str()];
        if let Err(err) = EventTypeName::parse(name.clone()) {
            checks.fail(&at, err.to_string());
            continue;
        }
        let resolved = match resolve(spec, item, 0) {
            Ok(resolved) => resolved,
            Err(reason) => {
                checks.fail(&at, reason);
                continue;
            }
        };
        let Some(op) = resolved
            .get("post")
            .or_else(|| resolved.as_object()?.values().next())
        else {
            checks.fail(&at, "has no operation");
            continue;
        };
        let body = op.get("requestBody");
        let schema = body
            .and_then(|b| b.pointer("/content/application~1json/schema"))
            .cloned();
        let schemas = schema.map(|s| json!({ "1": s }));
        if let Some(schemas) = &schemas {
            let mut loc = at.to_vec();
            loc.extend(["post", "requestBody", "schema"]);
            check_versions(checks, &loc, schemas);
        }
        let description = text(op, "description")
            .or_else(|| text(op, "summary"))
            .or_else(|| body.and_then(|b| text(b, "description")))
            .unwrap_or_default();
        found.insert(
            name.clone(),
            Imported {
                name: name.clone(),
                description,
                schemas,
                deprecated: op
                    .get("deprecated")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                group_name: op
                    .pointer("/tags/0")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
        );
    }
    found.into_values().collect()
}

#[cfg(test)]
mod tests {
    use hookline_core::Timestamp;

    use super::*;
    use crate::error::ApiError;

    fn event_type(name: &str, schemas: Option<Value>) -> EventType {
        EventType {
            name: EventTypeName::parse(name).expect("name"),
            description: format!("{name} happened"),
            archived: false,
            deprecated: false,
            schemas,
            feature_flag: None,
            group_name: None,
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        }
    }

    #[test]
    fn an_export_imports_back_to_the_same_event_types() {
        let schema = json!({ "type": "object", "properties": { "id": { "type": "string" } } });
        let doc = export(&[
            event_type("invoice.paid", Some(json!({ "1": schema.clone() }))),
            event_type("user.created", None),
        ]);
        assert_eq!(doc["openapi"], "3.1.0");
        let mut checks = Checks::default();
        let imported = read_spec(&mut checks, &doc);
        checks.done().expect("valid");
        assert_eq!(imported.len(), 2);
        assert_eq!(imported[0].name, "invoice.paid");
        assert_eq!(imported[0].schemas, Some(json!({ "1": schema })));
        assert_eq!(imported[0].description, "invoice.paid happened");
    }

    #[test]
    fn local_refs_are_resolved_and_bad_ones_named() {
        let spec = json!({
            "openapi": "3.1.0",
            "components": { "schemas": { "Pet": { "type": "object", "required": ["id"] } } },
            "webhooks": {
                "pet.new": { "post": { "summary": "A pet", "requestBody": { "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/Pet" } } } } } },
                "pet.bad": { "post": { "requestBody": { "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/Nope" } } } } } },
            },
        });
        let mut checks = Checks::default();
        let imported = read_spec(&mut checks, &spec);
        assert_eq!(imported.len(), 1);
        assert_eq!(
            imported[0].schemas,
            Some(json!({ "1": { "type": "object", "required": ["id"] } }))
        );
        let Err(ApiError::Validation(errors)) = checks.done() else {
            panic!("the bad ref must be refused");
        };
        assert_eq!(errors[0].loc, vec!["body", "spec", "webhooks", "pet.bad"]);
    }
}
