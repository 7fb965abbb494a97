//! The OpenAPI document: served, complete, and in step with the router.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hookline_testkit::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

async fn fetch_document(address: &str) -> Value {
    let response = reqwest::get(format!("{address}/api/v1/openapi.json"))
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "the document is JSON"
    );
    response.json().await.expect("the document parses as JSON")
}

/// Every (method, path template) the document lists.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(*method).is_some() {
                ops.insert(((*method).to_owned(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn the_document_is_served_without_a_token_with_the_contract_names() {
    let app = spawn_app().await;
    let doc = fetch_document(&app.address).await;
    assert_eq!(doc["openapi"], "3.1.0");
    for schema in [
        "ApplicationIn",
        "ApplicationOut",
        "ApplicationPatch",
        "EndpointIn",
        "EndpointOut",
        "EndpointSecretOut",
        "EventTypeIn",
        "EventTypeOut",
        "MessageIn",
        "MessageOut",
        "MessageAttemptOut",
        "ListResponse_ApplicationOut_",
        "ListResponse_MessageAttemptOut_",
        "HttpErrorOut",
        "HTTPValidationError",
        "ValidationError",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "component {schema} is missing"
        );
    }
    for event in [
        "endpoint.created",
        "endpoint.disabled",
        "message.attempt.failing",
        "message.attempt.exhausted",
        "message.attempt.recovered",
        "background_task.finished",
    ] {
        let body = &doc["webhooks"][event]["post"]["requestBody"]["content"]["application/json"];
        assert!(body["schema"]["$ref"].is_string(), "webhook {event}");
        assert_eq!(body["example"]["type"], event);
        let component = body["schema"]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .expect("a component reference");
        assert!(
            doc["components"]["schemas"].get(component).is_some(),
            "webhook {event}: component {component} is missing"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"],
        "bearer"
    );
}

/// The inbound and pull operations carry the contract's operation ids and component names, so
/// that generated clients name them as the Svix SDKs do.
#[tokio::test]
async fn the_inbound_and_pull_operations_carry_the_contract_names() {
    let app = spawn_app().await;
    let doc = fetch_document(&app.address).await;
    for (method, path, id) in [
        ("get", "/ingest/api/v1/source", "v1.ingest.source.list"),
        ("post", "/ingest/api/v1/source", "v1.ingest.source.create"),
        (
            "put",
            "/ingest/api/v1/source/{source_id}",
            "v1.ingest.source.upsert",
        ),
        (
            "post",
            "/ingest/api/v1/source/{source_id}/token/rotate",
            "v1.ingest.source.rotate-token",
        ),
        (
            "get",
            "/ingest/api/v1/source/{source_id}/log",
            "v1.ingest.log.list",
        ),
        (
            "put",
            "/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}",
            "v1.ingest.endpoint.upsert",
        ),
        (
            "post",
            "/ingest/api/v1/source/{source_id}/endpoint/{endpoint_id}/secret/rotate",
            "v1.ingest.endpoint.rotate-secret",
        ),
        ("get", "/api/v1/app/{app_id}/events", "v1.message.events"),
        ("get", "/api/v1/events", "v1.events.stream"),
        (
            "get",
            "/api/v1/app/{app_id}/poller/{sink_id}",
            "v1.message.poller.poll",
        ),
        (
            "get",
            "/api/v1/app/{app_id}/polling-endpoint/{sink_id}/consumer/{consumer_id}",
            "v1.message.pollerv2.consumer-poll",
        ),
        (
            "post",
            "/api/v1/app/{app_id}/polling-endpoint/{sink_id}/consumer/{consumer_id}/commit",
            "v1.message.pollerv2.consumer-commit",
        ),
    ] {
        assert_eq!(
            doc["paths"][path][method]["operationId"], id,
            "{method} {path}"
        );
    }
    for schema in [
        "IngestSourceIn",
        "IngestSourceOut",
        "IngestSourcePatch",
        "ListResponse_IngestSourceOut_",
        "RotateTokenOut",
        "IngestLogOut",
        "ListResponse_IngestLogOut_",
        "IngestEndpointIn",
        "IngestEndpointUpsertIn",
        "IngestEndpointOut",
        "ListResponse_IngestEndpointOut_",
        "IngestEndpointSecretIn",
        "IngestEndpointSecretOut",
        "IngestEndpointHeadersIn",
        "IngestEndpointHeadersOut",
        "MessageEventsOut",
        "PollingEndpointOut",
        "PollingEndpointMessageOut",
        "PollerV2PollOut",
        "PollerV2MessageOut",
        "PollingEndpointConsumerSeekIn",
        "PollingEndpointConsumerSeekOut",
        "PollerV2CommitIn",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "component {schema} is missing"
        );
    }
    // A source's endpoints receive every event: the filters they ignore are not offered.
    let ingest_in = &doc["components"]["schemas"]["IngestEndpointIn"]["properties"];
    assert!(ingest_in.get("url").is_some());
    assert!(ingest_in.get("eventTypes").is_none() && ingest_in.get("channels").is_none());
    // The receiving URL needs no key, and the stream is Server-Sent Events.
    for method in ["get", "post"] {
        assert_eq!(
            doc["paths"]["/in/{source}"][method]["security"],
            json!([{}])
        );
    }
    assert!(
        doc["paths"]["/api/v1/app/{app_id}/events/stream"]["get"]["responses"]["200"]["content"]
            .get("text/event-stream")
            .is_some()
    );
}

#[tokio::test]
async fn every_operation_documents_its_success_its_errors_and_examples() {
    let app = spawn_app().await;
    let doc = fetch_document(&app.address).await;
    for (method, path) in operations(&doc) {
        let op = &doc["paths"][&path][&method];
        let name = format!("{} {path}", method.to_uppercase());
        assert!(op["operationId"].is_string(), "{name}: no operationId");
        assert!(
            op["summary"].is_string(),
            "{name}: no summary (doc comment)"
        );
        assert!(
            op["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{name}: no tag"
        );
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|code| code.starts_with('2')),
            "{name}: no success response"
        );
        assert!(responses.contains_key("500"), "{name}: no 500");
        let public = op["security"].as_array().is_some_and(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
        });
        if !public {
            assert!(responses.contains_key("401"), "{name}: no 401");
        }
        if path.contains('{') {
            assert!(responses.contains_key("404"), "{name}: no 404");
        }
        if op.get("requestBody").is_some() {
            assert!(responses.contains_key("422"), "{name}: no 422");
            let schema = &op["requestBody"]["content"]["application/json"]["schema"]["$ref"];
            let component = schema
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .unwrap_or_else(|| panic!("{name}: the body is not a named component"));
            assert!(
                doc["components"]["schemas"][component]["example"].is_object(),
                "{name}: {component} has no example"
            );
        }
    }
}

/// Source files of the crates that serve HTTP, with test modules cut off.
fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The `.route("path", get(..).post(..))` registrations in `source`: (path, methods).
fn routes_in(source: &str) -> Vec<(String, Vec<String>)> {
    let code: String = source
        .split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let Some(literal) = rest.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some(end) = literal.find('"') else {
            continue;
        };
        let path = literal[..end].to_owned();
        // The method router: up to the parenthesis closing `.route(`.
        let mut depth = 1;
        let mut close = literal.len();
        for (i, c) in literal[end + 1..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = end + 1 + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let router = &literal[end + 1..close];
        let mut methods = Vec::new();
        for method in METHODS {
            let call = format!("{method}(");
            let mut search = router;
            while let Some(pos) = search.find(&call) {
                let before = search[..pos].chars().last();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    methods.push((*method).to_owned());
                    break;
                }
                search = &search[pos + call.len()..];
            }
        }
        found.push((path, methods));
    }
    found
}

#[test]
fn the_route_scanner_reads_axum_registrations() {
    let source = r#"
        Router::new()
            .route("/app", get(list).post(create))
            // .route("/commented", get(nothing))
            .route(
                "/app/{app_id}",
                get(read).put(replace).patch(patch).delete(remove),
            )
            .route("/health", routing::get(ready).head(ready))
    "#;
    assert_eq!(
        routes_in(source),
        vec![
            ("/app".to_owned(), vec!["get".to_owned(), "post".to_owned()]),
            (
                "/app/{app_id}".to_owned(),
                vec!["get", "post", "put", "patch", "delete"]
                    .into_iter()
                    .filter(|m| *m != "post")
                    .map(str::to_owned)
                    .collect()
            ),
            (
                "/health".to_owned(),
                vec!["get".to_owned(), "head".to_owned()]
            ),
        ]
    );
}

/// A route added anywhere in the server's code without a `#[utoipa::path]` annotation listed in
/// `routes/spec.rs` fails this test. Routes are matched by their template; a router nested under
/// a prefix (`/api/v1`) matches the document's path that ends with its template.
#[tokio::test]
async fn every_route_in_the_code_is_in_the_document() {
    let app = spawn_app().await;
    let doc = fetch_document(&app.address).await;
    let documented = operations(&doc);
    let crates = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&crates).expect("crates directory") {
        let dir = entry.expect("entry").path();
        // The testkit's receivers are test servers, not Hookline's API.
        if dir.ends_with("hookline-testkit") {
            continue;
        }
        let src = dir.join("src");
        if src.is_dir() {
            source_files(&src, &mut files);
        }
    }
    let mut missing = Vec::new();
    let mut seen = 0;
    for file in files {
        let source = std::fs::read_to_string(&file).expect("read source");
        for (path, methods) in routes_in(&source) {
            seen += 1;
            assert!(
                !methods.is_empty(),
                "{}: cannot read the methods of {path}",
                file.display()
            );
            for method in methods {
                let known = documented
                    .iter()
                    .any(|(m, p)| *m == method && p.ends_with(&path));
                if !known {
                    missing.push(format!(
                        "{} {path} ({})",
                        method.to_uppercase(),
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(
        seen >= 20,
        "the scan found only {seen} routes; is it reading the right files?"
    );
    assert!(
        missing.is_empty(),
        "routes without a documented operation (annotate the handler with #[utoipa::path] and \
         list it in crates/hookline-api/src/routes/spec.rs):\n  {}",
        missing.join("\n  ")
    );
}

/// Each documented operation is answered by its route: without a token, authenticated ones say
/// 401 (never the fallback 404 or a 405), public ones answer with a documented status.
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = spawn_app().await;
    let doc = fetch_document(&app.address).await;
    let client = reqwest::Client::new();
    for (method, path) in operations(&doc) {
        let op = &doc["paths"][&path][&method];
        let concrete: String = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "x" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let response = client
            .request(method.clone(), format!("{}{concrete}", app.address))
            .send()
            .await
            .expect("request");
        let status = response.status();
        let public = op["security"].as_array().is_some_and(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
        });
        if public {
            assert!(
                op["responses"].get(status.as_str()).is_some(),
                "{method} {path}: public route answered an undocumented {status}"
            );
        } else {
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path}: expected the route to ask for a token"
            );
        }
    }
}

#[tokio::test]
async fn the_docs_page_renders_the_document() {
    let app = spawn_app().await;
    let response = reqwest::get(format!("{}/docs", app.address))
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("text")
            .starts_with("text/html")
    );
    let page = response.text().await.expect("body");
    assert!(page.contains("data-url=\"/api/v1/openapi.json\""), "{page}");
}
