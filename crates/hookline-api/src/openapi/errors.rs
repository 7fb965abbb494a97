//! The error answers every operation can give, added to each operation of the document so that
//! annotations only list their successes.
//!
//! Which errors apply is derived from the operation itself: `401`/`429` when it needs a token,
//! `404` when its path names a resource, `400`/`409`/`413` when it takes a body, `422` when it
//! takes parameters or a body, `500`/`503` always. An annotation that lists one of these codes
//! itself keeps its own.

use serde_json::{Map, Value, json};

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

fn http_error(description: &str, code: &str, detail: &str) -> Value {
    json!({
        "description": description,
        "content": {
            "application/json": {
                "schema": { "$ref": "#/components/schemas/HttpErrorOut" },
                "example": { "code": code, "detail": detail }
            }
        }
    })
}

/// The reusable responses, for `components.responses`.
pub fn components() -> Value {
    let mut responses = Map::new();
    responses.insert(
        "BadRequest".into(),
        http_error(
            "The request could not be read (malformed JSON, not an object, wrong encoding).",
            "bad_request",
            "the request body is not valid JSON: expected value at line 1 column 1",
        ),
    );
    responses.insert(
        "Unauthorized".into(),
        http_error(
            "No token, a malformed `Authorization` header, or a wrong token.",
            "authentication_failed",
            "invalid token",
        ),
    );
    responses.insert(
        "NotFound".into(),
        http_error(
            "The resource named in the path does not exist.",
            "not_found",
            "application not found",
        ),
    );
    responses.insert(
        "Conflict".into(),
        http_error(
            "A unique value (uid, eventId, name) is already taken.",
            "conflict",
            "an application with this uid already exists",
        ),
    );
    responses.insert(
        "PayloadTooLarge".into(),
        http_error(
            "The body is larger than the configured limit (`HOOKLINE_MAX_PAYLOAD_BYTES`).",
            "payload_too_large",
            "the request body is larger than the configured limit",
        ),
    );
    responses.insert(
        "ValidationError".into(),
        json!({
            "description": "One or more fields are invalid; every failing field is listed with its location.",
            "content": {
                "application/json": {
                    "schema": { "$ref": "#/components/schemas/HTTPValidationError" },
                    "example": { "detail": [
                        { "loc": ["body", "url"], "msg": "must be an http or https URL", "type": "value_error" }
                    ] }
                }
            }
        }),
    );
    let mut too_many = http_error(
        "The key's rate limit is used up; retry after `Retry-After` seconds.",
        "rate_limited",
        "too many requests; retry in 1 second",
    );
    too_many["headers"] = json!({
        "Retry-After": { "description": "Seconds to wait.", "schema": { "type": "integer" } }
    });
    responses.insert("TooManyRequests".into(), too_many);
    responses.insert(
        "Unavailable".into(),
        http_error(
            "The database is not answering; retry later.",
            "unavailable",
            "the database is not answering",
        ),
    );
    responses.insert(
        "InternalError".into(),
        http_error(
            "A bug in Hookline; the details are in its log.",
            "internal_error",
            "internal server error",
        ),
    );
    Value::Object(responses)
}

fn is_public(operation: &Value) -> bool {
    operation["security"].as_array().is_some_and(|list| {
        list.iter()
            .any(|req| req.as_object().is_some_and(Map::is_empty))
    })
}

/// Adds the applicable error responses to every operation of `paths`.
pub fn add_to_operations(paths: &mut Value) {
    let Some(paths) = paths.as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(operation) = item.get_mut(*method) else {
                continue;
            };
            let public = is_public(operation);
            let has_body = operation.get("requestBody").is_some();
            let has_params = operation["parameters"]
                .as_array()
                .is_some_and(|p| !p.is_empty());
            let mut codes: Vec<(&str, &str)> = Vec::new();
            if has_body {
                codes.push(("400", "BadRequest"));
            }
            if !public {
                codes.push(("401", "Unauthorized"));
            }
            if path.contains('{') {
                codes.push(("404", "NotFound"));
            }
            if has_body && matches!(*method, "post" | "put" | "patch") {
                codes.push(("409", "Conflict"));
                codes.push(("413", "PayloadTooLarge"));
            }
            if has_body || has_params {
                codes.push(("422", "ValidationError"));
            }
            if !public {
                codes.push(("429", "TooManyRequests"));
            }
            codes.push(("500", "InternalError"));
            codes.push(("503", "Unavailable"));
            let Some(responses) = operation["responses"].as_object_mut() else {
                continue;
            };
            for (code, name) in codes {
                responses
                    .entry(code)
                    .or_insert_with(|| json!({ "$ref": format!("#/components/responses/{name}") }));
            }
        }
    }
}
