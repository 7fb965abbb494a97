//! The OpenAPI 3.1 document, generated from the code, and the pages that serve it.
//!
//! # How the document is made
//! - Each handler carries a `#[utoipa::path(...)]` attribute with its method, path, parameters,
//!   body and success responses; the wire types derive `ToSchema`.
//! - `crate::routes::spec` lists every annotated handler: that list is the document's `paths`.
//! - [`document`] adds what is the same everywhere: the bearer security scheme, the error answers
//!   of each operation ([`errors`]), and the operational `webhooks` ([`webhooks`]).
//!
//! # Adding a route
//! 1. Annotate the handler, next to the function (see any handler in `routes/`):
//!    ```text
//!    #[utoipa::path(post, path = "/api/v1/app/{app_id}/thing", tag = "Thing",
//!        operation_id = "v1.thing.create", params(AppPath), request_body = ThingIn,
//!        responses((status = 201, description = "The new thing", body = ThingOut)))]
//!    ```
//!    List only the successes: 400/401/404/409/413/422/429/500/503 are added for you. Public
//!    routes add `security(())`. Reusable parameter sets are in [`params`].
//! 2. Derive `utoipa::ToSchema` on its request and response types.
//! 3. Add the handler to the `paths(...)` list in `routes/spec.rs`.
//!
//! The integration test `openapi::every_route_in_the_code_is_in_the_document` fails when a
//! `.route(...)` in the code has no matching operation, and
//! `every_documented_operation_is_routed` fails when the document names a route the server
//! does not have.

pub mod environment;
pub mod errors;
pub mod links;
pub mod params;
pub mod pull_params;
pub mod webhooks;

use std::sync::LazyLock;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use serde_json::{Value, json};
use utoipa::OpenApi;

use crate::error::{FieldError, HttpErrorOut, ValidationOut};
use crate::state::AppState;

/// What the document says about itself; the paths come from `routes::spec`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hookline API",
        description = "Send, receive and manage webhooks. Wire-compatible with the Svix v1 API: \
            the official Svix SDKs work against Hookline by setting their server URL. \
            Authenticate with `Authorization: Bearer <token>`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(
        HttpErrorOut,
        ValidationOut,
        FieldError,
        webhooks::EndpointCreatedEvent,
        webhooks::EndpointUpdatedEvent,
        webhooks::EndpointDeletedEvent,
        webhooks::EndpointEnabledEvent,
        webhooks::EndpointDisabledEvent,
        webhooks::MessageAttemptFailingEvent,
        webhooks::MessageAttemptExhaustedEvent,
        webhooks::MessageAttemptRecoveredEvent,
        webhooks::BackgroundTaskFinishedEvent,
    )),
    tags(
        (name = "Application", description = "Your customers: each owns endpoints and receives messages."),
        (name = "Event Type", description = "The kinds of events you send; endpoints subscribe to them."),
        (name = "Endpoint", description = "URLs that receive an application's messages."),
        (name = "Message", description = "Events sent to an application, fanned out to its endpoints."),
        (name = "Message Attempt", description = "Every delivery attempt and its outcome."),
        // Pull and inbound (docs-a).
        (name = "Events", description = "Every application's messages in commit order, for consumers that pull."),
        (name = "Ingest Source", description = "Inbound sources: where providers post, and how their requests are verified."),
        (name = "Ingest Endpoint", description = "Where a source's accepted events are forwarded."),
        (name = "Ingest Logs", description = "A source's accepted events, their forwarding attempts, and replay."),
        (name = "Inbound", description = "The provider-facing receiving URL, authenticated by each source's verification scheme."),
        (name = "Health", description = "Liveness and readiness."),
        (name = "Meta", description = "This document, its docs page and the metrics."),
        (name = "Webhook", description = "Operational webhooks Hookline sends about itself."),
        (name = "Background Task", description = "Long jobs (recoveries, replays): their progress and result."),
        (name = "Authentication", description = "App-portal tokens and logging out."),
        (name = "API Key", description = "Organisation and application keys (admin token only)."),
        (name = "Environment", description = "Separate organisations in one Hookline, each with its own applications, event types, sources, keys and deliveries (admin token only). A key works in its own environment only; the admin token chooses one with the `Hookline-Environment` header."),
    )
)]
struct Base;

/// The whole document as JSON.
pub fn document() -> Value {
    let mut openapi = Base::openapi();
    openapi.merge(crate::routes::spec::Routes::openapi());
    openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut doc = serde_json::to_value(&openapi).unwrap_or_else(|_| json!({}));
    errors::add_to_operations(&mut doc["paths"]);
    environment::add_to_operations(&mut doc["paths"]);
    links::add(&mut doc["paths"]);
    doc["components"]["responses"] = errors::components();
    doc["components"]["parameters"] = json!({ "HooklineEnvironment": environment::parameter() });
    doc["components"]["securitySchemes"] = json!({
        "HTTPBearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "HTTP Bearer token passed in the `Authorization` header"
        }
    });
    doc["security"] = json!([{ "HTTPBearer": [] }]);
    doc["webhooks"] = webhooks::section();
    rename_schemas(&mut doc);
    unique_operation_ids(&mut doc["paths"]);
    doc
}

/// The contract's component names where utoipa's differ: `ListResponse_ApplicationOut_` for
/// `ListResponse<ApplicationOut>`, `Metadata` for the label map.
fn contract_name(name: &str) -> Option<String> {
    if name == "BTreeMap" {
        return Some("Metadata".to_owned());
    }
    (name.starts_with("ListResponse_") && !name.ends_with('_')).then(|| format!("{name}_"))
}

fn rename_schemas(doc: &mut Value) {
    fn rewrite(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    if key == "$ref"
                        && let Value::String(target) = item
                        && let Some(name) = target.strip_prefix("#/components/schemas/")
                        && let Some(renamed) = contract_name(name)
                    {
                        *target = format!("#/components/schemas/{renamed}");
                    } else {
                        rewrite(item);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(rewrite),
            _ => {}
        }
    }
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        let names: Vec<String> = schemas.keys().cloned().collect();
        for name in names {
            if let Some(renamed) = contract_name(&name)
                && let Some(schema) = schemas.remove(&name)
            {
                schemas.insert(renamed, schema);
            }
        }
    }
    rewrite(doc);
}

/// One handler serving several methods (GET and HEAD) gets one operation id per method.
fn unique_operation_ids(paths: &mut Value) {
    let mut seen = std::collections::HashSet::new();
    let Some(paths) = paths.as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let Some(id) = operation["operationId"].as_str().map(str::to_owned) else {
                continue;
            };
            if !seen.insert(id.clone()) {
                operation["operationId"] = Value::String(format!("{id}.{method}"));
            }
        }
    }
}

static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| serde_json::to_string(&document()).unwrap_or_else(|_| "{}".to_owned()));

/// The OpenAPI 3.1 document of this server.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "Meta", operation_id = "v1.openapi.get",
    security(()),
    responses((status = 200, description = "This document", content_type = "application/json", body = Object)))]
pub(crate) async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
}

/// The Scalar API reference the docs page loads by default: one exact version, checked by the
/// browser against this hash (Subresource Integrity), so a changed or compromised CDN file is
/// refused instead of run on the API's origin. The hash is `sha384` of
/// `dist/browser/standalone.js` in the npm package `@scalar/api-reference@1.76.0` (MIT), which
/// jsDelivr serves unchanged.
const DOCS_SCRIPT: &str =
    "https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.76.0/dist/browser/standalone.js";
const DOCS_SCRIPT_INTEGRITY: &str =
    "sha384-oH1C0RwqcwbVXkC+r8A+4qRoyEUQdtxAzOwumkxZtQBBcsy61FOoPt7B50OVJYYQ";

/// The docs page, loading the renderer from `script_url` (a copy the operator hosts: no
/// integrity check, since its version is theirs) or from the pinned CDN copy.
fn docs_page_html(script_url: Option<&str>) -> String {
    let script = match script_url {
        Some(url) => format!(r#"<script src="{url}"></script>"#),
        None => format!(
            r#"<script src="{DOCS_SCRIPT}" integrity="{DOCS_SCRIPT_INTEGRITY}" crossorigin="anonymous"></script>"#
        ),
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Hookline API</title>
</head>
<body>
  <noscript>The API reference needs JavaScript. The raw document is at
    <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript>
  <script id="api-reference" data-url="/api/v1/openapi.json"></script>
  {script}
</body>
</html>
"#
    )
}

/// A browsable API reference (Scalar, loaded by the browser from a pinned CDN copy checked with
/// Subresource Integrity, or from `HOOKLINE_DOCS_SCRIPT_URL`).
#[utoipa::path(get, path = "/docs", tag = "Meta", operation_id = "v1.docs.get", security(()),
    responses((status = 200, description = "An HTML page rendering this document", content_type = "text/html", body = String)))]
pub(crate) async fn docs_page(State(state): State<AppState>) -> Html<String> {
    Html(docs_page_html(state.config.docs_script_url.as_deref()))
}

/// `/api/v1/openapi.json` and `/docs`, public.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/docs", get(docs_page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_page_pins_its_renderer_unless_told_where_it_is() {
        let pinned = docs_page_html(None);
        assert!(
            pinned.contains(&format!(r#"src="{DOCS_SCRIPT}""#)),
            "{pinned}"
        );
        assert!(pinned.contains(&format!(r#"integrity="{DOCS_SCRIPT_INTEGRITY}""#)));
        assert!(pinned.contains(r#"crossorigin="anonymous""#));
        assert!(
            DOCS_SCRIPT.contains("@1.76.0/"),
            "an exact version, not a range"
        );
        let hosted = docs_page_html(Some("/assets/scalar.js"));
        assert!(
            hosted.contains(r#"<script src="/assets/scalar.js"></script>"#),
            "{hosted}"
        );
        assert!(!hosted.contains("cdn.jsdelivr.net"));
    }

    /// Every `$ref` in `value`.
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    match (key.as_str(), item) {
                        ("$ref", Value::String(target)) => out.push(target.clone()),
                        _ => refs(item, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_in_the_document_resolves() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        let mut targets = Vec::new();
        refs(&doc, &mut targets);
        assert!(!targets.is_empty());
        for target in targets {
            let pointer = target
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("external reference {target}"));
            assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
        }
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = document();
        let mut seen = std::collections::BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                if let Some(id) = op["operationId"].as_str() {
                    assert!(
                        seen.insert(id.to_owned()),
                        "{method} {path}: duplicate {id}"
                    );
                }
            }
        }
    }

    #[test]
    #[ignore = "prints the document; run with --ignored --nocapture"]
    fn print_the_document() {
        println!(
            "{}",
            serde_json::to_string_pretty(&document()).expect("json")
        );
    }
}
