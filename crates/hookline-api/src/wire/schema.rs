//! Event-type payload schemas: checking them when they are set, and checking payloads
//! against them when an event type asks for it.
//!
//! Schemas are JSON Schema documents keyed by version (`{"1": {...}}`); the newest version (the
//! largest number) is the one payloads are checked against. Remote `$ref`s are never fetched:
//! a schema that needs one is refused.

use jsonschema::Validator;
use serde_json::Value;

use super::Checks;

/// Splits a JSON pointer (`/properties/a/type`) into its segments.
fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Compiles one schema, or says where it is wrong (a pointer into the schema) and why.
pub fn compile(schema: &Value) -> Result<Validator, (String, String)> {
    jsonschema::validator_for(schema)
        .map_err(|err| (err.instance_path.to_string(), err.to_string()))
}

/// Checks every version of `schemas`, recording failures at `[...at, version, ...path]`.
pub fn check_versions(checks: &mut Checks, at: &[&str], schemas: &Value) {
    let Some(versions) = schemas.as_object() else {
        checks.fail(at, "must be a JSON object of schemas by version");
        return;
    };
    for (version, schema) in versions {
        let mut loc: Vec<&str> = at.to_vec();
        loc.push(version);
        if version.parse::<u64>().is_err() {
            checks.fail(
                &loc,
                "schema versions must be whole numbers (\"1\", \"2\", ...)",
            );
            continue;
        }
        if let Err((pointer, reason)) = compile(schema) {
            let segments = pointer_segments(&pointer);
            loc.extend(segments.iter().map(String::as_str));
            checks.fail(&loc, format!("is not a valid JSON Schema: {reason}"));
        }
    }
}

/// The newest version's schema, if any.
pub fn newest(schemas: &Value) -> Option<&Value> {
    schemas
        .as_object()?
        .iter()
        .filter_map(|(version, schema)| version.parse::<u64>().ok().map(|v| (v, schema)))
        .max_by_key(|(version, _)| *version)
        .map(|(_, schema)| schema)
}

/// Checks `payload` against a compiled schema, recording every failure at
/// `["body", "payload", ...instance path]` with the schema path in the sentence.
pub fn check_payload(checks: &mut Checks, validator: &Validator, payload: &Value) {
    for err in validator.iter_errors(payload) {
        let instance = pointer_segments(err.instance_path.as_str());
        let mut loc = vec!["body", "payload"];
        loc.extend(instance.iter().map(String::as_str));
        checks.fail(
            &loc,
            format!(
                "does not match the event type's schema at {}: {err}",
                err.schema_path
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::ApiError;

    fn failures(schemas: Value) -> Vec<(Vec<String>, String)> {
        let mut checks = Checks::default();
        check_versions(&mut checks, &["body", "schemas"], &schemas);
        match checks.done() {
            Ok(()) => Vec::new(),
            Err(ApiError::Validation(errors)) => {
                errors.into_iter().map(|e| (e.loc, e.msg)).collect()
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_schemas_are_refused_with_the_path_inside_the_schema() {
        let found = failures(json!({ "1": { "properties": { "n": { "type": "integr" } } } }));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].0,
            vec!["body", "schemas", "1", "properties", "n", "type"]
        );
        assert!(failures(json!({ "1": { "type": "object" } })).is_empty());
        assert_eq!(
            failures(json!({ "v1": {} }))[0].0,
            vec!["body", "schemas", "v1"]
        );
        assert_eq!(failures(json!([1]))[0].0, vec!["body", "schemas"]);
    }

    #[test]
    fn unknown_drafts_and_remote_refs_are_refused_not_fetched() {
        assert_eq!(
            failures(json!({ "1": { "$schema": "invalid-uri" } })).len(),
            1
        );
        let remote = json!({ "1": { "$ref": "http://127.0.0.1:9/schema.json" } });
        assert_eq!(failures(remote).len(), 1);
    }

    #[test]
    fn payloads_are_checked_against_the_newest_version() {
        let schemas = json!({
            "1": { "type": "object" },
            "2": { "type": "object", "required": ["id"],
                   "properties": { "id": { "type": "string" } } },
        });
        let validator = compile(newest(&schemas).expect("newest")).expect("compiles");
        let mut checks = Checks::default();
        check_payload(&mut checks, &validator, &json!({ "id": 5 }));
        let Err(ApiError::Validation(errors)) = checks.done() else {
            panic!("expected a failure");
        };
        assert_eq!(errors[0].loc, vec!["body", "payload", "id"]);
        assert!(
            errors[0].msg.contains("/properties/id/type"),
            "{}",
            errors[0].msg
        );
    }
}
