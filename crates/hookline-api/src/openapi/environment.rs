//! The `Hookline-Environment` header in the document: on every authenticated operation that
//! works within one environment, with the answers it can bring (400 for a malformed value, 404
//! when the admin token names an environment that does not exist).

use serde_json::{Value, json};

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// The reusable parameter, for `components.parameters`.
pub fn parameter() -> Value {
    json!({
        "name": "Hookline-Environment",
        "in": "header",
        "required": false,
        "description": "With the admin token: the environment to act in (`env_...`); the \
            default environment without it. Keys act in their own environment only, which their \
            token names; with a key, a header naming another environment gets 401.",
        "schema": { "type": "string", "pattern": "^env_[0-9A-Za-z]{22}$" },
        "example": "env_2yZwUhtgs5Ai8T9yRQJXAb"
    })
}

fn is_public(operation: &Value) -> bool {
    operation["security"].as_array().is_some_and(|list| {
        list.iter()
            .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
    })
}

/// Adds the header to the operations it applies to (not the public ones, nor `/environment`,
/// which manages every environment at once).
pub fn add_to_operations(paths: &mut Value) {
    let Some(paths) = paths.as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        if path.starts_with("/api/v1/environment") {
            continue;
        }
        for method in METHODS {
            let Some(operation) = item.get_mut(*method) else {
                continue;
            };
            if is_public(operation) {
                continue;
            }
            let reference = json!({ "$ref": "#/components/parameters/HooklineEnvironment" });
            match operation["parameters"].as_array_mut() {
                Some(parameters) => parameters.push(reference),
                None => operation["parameters"] = json!([reference]),
            }
            if let Some(responses) = operation["responses"].as_object_mut() {
                for (code, name) in [("400", "BadRequest"), ("404", "NotFound")] {
                    responses.entry(code).or_insert_with(
                        || json!({ "$ref": format!("#/components/responses/{name}") }),
                    );
                }
            }
        }
    }
}
