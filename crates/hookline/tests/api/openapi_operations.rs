//! The document names the endpoint tools, secrets, keys, portal, background task, event type
//! schema, delivery and replay operations as the Svix contract does, so SDKs generated from either
//! document call the same things.

use hookline_testkit::spawn_app;
use serde_json::Value;

async fn document() -> Value {
    let app = spawn_app().await;
    let response = reqwest::get(format!("{}/api/v1/openapi.json", app.address))
        .await
        .expect("request");
    response.json().await.expect("the document is JSON")
}

#[tokio::test]
async fn contract_routes_carry_the_contracts_operation_ids_and_component_names() {
    let doc = document().await;
    // (method, path, operationId, the success status, its body's component).
    let operations = [
        (
            "post",
            "/api/v1/app/{app_id}/endpoint/{endpoint_id}/send-example",
            "v1.endpoint.send-example",
            "200",
            Some("MessageOut"),
        ),
        (
            "get",
            "/api/v1/app/{app_id}/endpoint/{endpoint_id}/stats",
            "v1.endpoint.get-stats",
            "200",
            Some("EndpointStats"),
        ),
        (
            "get",
            "/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}/count",
            "v1.message-attempt.count-by-endpoint",
            "200",
            Some("CountOut"),
        ),
        (
            "get",
            "/api/v1/app/{app_id}/msg/{msg_id}/raw",
            "v1.message.get-raw-payload",
            "200",
            Some("MessageRawPayloadOut"),
        ),
        (
            "delete",
            "/api/v1/app/{app_id}/msg/{msg_id}/content",
            "v1.message.expunge-content",
            "204",
            None,
        ),
        (
            "delete",
            "/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/content",
            "v1.message-attempt.expunge-content",
            "204",
            None,
        ),
        (
            "post",
            "/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret/rotate",
            "v1.endpoint.rotate-secret",
            "200",
            Some("EndpointSecretOut"),
        ),
        (
            "post",
            "/api/v1/auth/app-portal-access/{app_id}",
            "v1.authentication.app-portal-access",
            "200",
            Some("AppPortalAccessOut"),
        ),
        (
            "post",
            "/api/v1/auth/logout",
            "logout_api_v1_auth_logout__post",
            "204",
            None,
        ),
        (
            "get",
            "/api/v1/background-task",
            "v1.background-task.list",
            "200",
            Some("ListResponse_BackgroundTaskOut_"),
        ),
        (
            "get",
            "/api/v1/background-task/{task_id}",
            "v1.background-task.get",
            "200",
            Some("BackgroundTaskOut"),
        ),
        (
            "post",
            "/api/v1/event-type/import/openapi",
            "v1.event-type.import-openapi",
            "200",
            Some("EventTypeImportOpenApiOut"),
        ),
        (
            "get",
            "/api/v1/event-type/{name}/retry-schedule",
            "v1.event-type.get-retry-schedule",
            "200",
            Some("RetryScheduleInOut"),
        ),
        (
            "put",
            "/api/v1/event-type/{name}/retry-schedule",
            "v1.event-type.set-retry-schedule",
            "200",
            Some("RetryScheduleInOut"),
        ),
        (
            "get",
            "/api/v1/app/{app_id}/endpoint/{endpoint_id}/rate-limit-status",
            "v1.endpoint.get-throttling-status",
            "200",
            Some("EndpointThrottleRateStatusOut"),
        ),
        (
            "post",
            "/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend",
            "v1.message-attempt.resend",
            "202",
            None,
        ),
        (
            "post",
            "/api/v1/app/{app_id}/endpoint/{endpoint_id}/recover",
            "v1.endpoint.recover",
            "202",
            Some("ReplayOut"),
        ),
        (
            "post",
            "/api/v1/app/{app_id}/endpoint/{endpoint_id}/replay-missing",
            "v1.endpoint.replay-missing",
            "202",
            Some("ReplayOut"),
        ),
        (
            "post",
            "/api/v1/app/{app_id}/endpoint/{endpoint_id}/bulk-replay",
            "v1.endpoint.bulk-replay",
            "202",
            Some("ReplayOut"),
        ),
    ];
    for (method, path, id, status, body) in operations {
        let op = &doc["paths"][path][method];
        assert_eq!(op["operationId"], id, "{method} {path}");
        let success = &op["responses"][status];
        assert!(success.is_object(), "{method} {path}: no {status} response");
        if let Some(component) = body {
            assert_eq!(
                success["content"]["application/json"]["schema"]["$ref"],
                format!("#/components/schemas/{component}"),
                "{method} {path}: the {status} body"
            );
        }
    }
    for component in [
        "EventExampleIn",
        "EndpointSecretRotateIn",
        "AppPortalAccessIn",
        "ReplayIn",
        "BulkReplayIn",
        "BackgroundTaskStatus",
        "EndpointRateLimitStatus",
        "Duration",
        "EventTypeImportOpenApiIn",
        "EventTypeImportOpenApiOutData",
        "EventTypeFromOpenApi",
    ] {
        assert!(
            doc["components"]["schemas"].get(component).is_some(),
            "component {component} is missing"
        );
    }
}

#[tokio::test]
async fn operations_that_refuse_with_403_or_a_missing_application_say_so() {
    let doc = document().await;
    for (method, path) in [
        ("get", "/api/v1/api-key"),
        ("post", "/api/v1/api-key"),
        ("get", "/api/v1/api-key/{key_id}"),
        ("delete", "/api/v1/api-key/{key_id}"),
        ("post", "/api/v1/auth/logout"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"]["403"].is_object(),
            "{method} {path}: no 403"
        );
    }
    assert!(
        doc["paths"]["/api/v1/api-key"]["post"]["responses"]["404"].is_object(),
        "an unknown appId is a 404"
    );
    assert!(
        doc["paths"]["/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend"]["post"]
            ["responses"]["409"]
            .is_object(),
        "a resend to a disabled endpoint is a 409"
    );
}

#[tokio::test]
async fn replays_link_to_the_background_task_they_start() {
    let doc = document().await;
    for path in [
        "/api/v1/app/{app_id}/endpoint/{endpoint_id}/recover",
        "/api/v1/app/{app_id}/endpoint/{endpoint_id}/replay-missing",
        "/api/v1/app/{app_id}/endpoint/{endpoint_id}/bulk-replay",
    ] {
        let link =
            &doc["paths"][path]["post"]["responses"]["202"]["links"]["v1_background-task_get"];
        assert_eq!(link["operationId"], "v1.background-task.get", "{path}");
        assert_eq!(
            link["parameters"]["task_id"], "$response.body#/id",
            "{path}"
        );
    }
}
