//! The route table: every route, the status its success answers with, and how it treats
//! application-scoped keys.

use reqwest::Method;
use serde_json::{Value, json};

/// How a route treats application-scoped keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// No token needed.
    Public,
    /// Organisation-level: app keys get 403.
    Org,
    /// Reading the event-type catalogue: app keys may.
    Catalogue,
    /// Under `/app/{app_id}/...`: app keys reach only their own application (404 otherwise).
    InApp,
    /// Changing or deleting the application itself: app keys get 403.
    AppItself,
    /// Key management: the admin token only.
    AdminOnly,
}

pub(super) struct Route {
    pub(super) method: Method,
    pub(super) path: &'static str,
    pub(super) body: Option<Value>,
    pub(super) ok: u16,
    pub(super) kind: Kind,
}

fn route(method: Method, path: &'static str, body: Option<Value>, ok: u16, kind: Kind) -> Route {
    Route {
        method,
        path,
        body,
        ok,
        kind,
    }
}

/// Every route, destructive ones last.
pub(super) fn routes(receiver_url: &str) -> Vec<Route> {
    use Kind::*;
    use Method as M;
    let url = json!({ "url": receiver_url });
    vec![
        route(M::GET, "/api/v1/health", None, 204, Public),
        route(M::GET, "/api/v1/health/ping", None, 204, Public),
        route(M::GET, "/api/v1/app", None, 200, Org),
        route(
            M::POST,
            "/api/v1/app",
            Some(json!({ "name": "n" })),
            201,
            Org,
        ),
        route(M::GET, "/api/v1/app/{app}", None, 200, InApp),
        route(
            M::PUT,
            "/api/v1/app/{app}",
            Some(json!({ "name": "n" })),
            200,
            AppItself,
        ),
        route(
            M::PATCH,
            "/api/v1/app/{app}",
            Some(json!({ "name": "n" })),
            200,
            AppItself,
        ),
        route(M::GET, "/api/v1/event-type", None, 200, Catalogue),
        route(
            M::POST,
            "/api/v1/event-type",
            Some(json!({ "name": "made.{tag}", "description": "d" })),
            201,
            Org,
        ),
        route(M::GET, "/api/v1/event-type/{et}", None, 200, Catalogue),
        route(
            M::PUT,
            "/api/v1/event-type/{et}",
            Some(json!({ "description": "e" })),
            200,
            Org,
        ),
        route(
            M::PATCH,
            "/api/v1/event-type/{et}",
            Some(json!({ "description": "f" })),
            200,
            Org,
        ),
        route(M::GET, "/api/v1/app/{app}/endpoint", None, 200, InApp),
        route(
            M::POST,
            "/api/v1/app/{app}/endpoint",
            Some(url.clone()),
            201,
            InApp,
        ),
        route(M::GET, "/api/v1/app/{app}/endpoint/{ep}", None, 200, InApp),
        route(
            M::PUT,
            "/api/v1/app/{app}/endpoint/{ep}",
            Some(url.clone()),
            200,
            InApp,
        ),
        route(
            M::PATCH,
            "/api/v1/app/{app}/endpoint/{ep}",
            Some(json!({})),
            200,
            InApp,
        ),
        route(
            M::GET,
            "/api/v1/app/{app}/endpoint/{ep}/secret",
            None,
            200,
            InApp,
        ),
        route(
            M::GET,
            "/api/v1/app/{app}/endpoint/{ep}/headers",
            None,
            200,
            InApp,
        ),
        route(
            M::PUT,
            "/api/v1/app/{app}/endpoint/{ep}/headers",
            Some(json!({ "headers": { "x-a": "1" } })),
            204,
            InApp,
        ),
        route(
            M::PATCH,
            "/api/v1/app/{app}/endpoint/{ep}/headers",
            Some(json!({ "headers": { "x-b": "2" } })),
            204,
            InApp,
        ),
        route(M::GET, "/api/v1/app/{app}/msg", None, 200, InApp),
        route(
            M::POST,
            "/api/v1/app/{app}/msg",
            Some(json!({ "eventType": "{et}", "payload": { "a": 1 } })),
            202,
            InApp,
        ),
        route(M::GET, "/api/v1/app/{app}/msg/{msg}", None, 200, InApp),
        route(
            M::GET,
            "/api/v1/app/{app}/msg/{msg}/endpoint",
            None,
            200,
            InApp,
        ),
        route(
            M::GET,
            "/api/v1/app/{app}/endpoint/{ep}/msg",
            None,
            200,
            InApp,
        ),
        route(
            M::GET,
            "/api/v1/app/{app}/attempt/endpoint/{ep}",
            None,
            200,
            InApp,
        ),
        route(
            M::GET,
            "/api/v1/app/{app}/attempt/msg/{msg}",
            None,
            200,
            InApp,
        ),
        route(
            M::GET,
            "/api/v1/app/{app}/msg/{msg}/attempt/{atmpt}",
            None,
            200,
            InApp,
        ),
        // Endpoint tools, secrets, delivery settings, replays, background tasks and event type
        // schemas.
        route(
            M::POST,
            "/api/v1/app/{app}/endpoint/{ep}/send-example",
            Some(json!({ "eventType": "svix.ping" })),
            200,
            InApp,
        ),
        route(
            M::GET,
            "/api/v1/app/{app}/endpoint/{ep}/stats",
            None,
            200,
            InApp,
        ),
        route(
            M::GET,
            "/api/v1/app/{app}/attempt/endpoint/{ep}/count",
            None,
            200,
            InApp,
        ),
        route(M::GET, "/api/v1/app/{app}/msg/{msg}/raw", None, 200, InApp),
        route(
            M::POST,
            "/api/v1/app/{app}/endpoint/{ep}/secret/rotate",
            Some(json!({})),
            200,
            InApp,
        ),
        route(
            M::GET,
            "/api/v1/app/{app}/endpoint/{ep}/signing",
            None,
            200,
            InApp,
        ),
        route(
            M::PATCH,
            "/api/v1/app/{app}/endpoint/{ep}/signing",
            Some(json!({ "headerStyle": "webhook" })),
            200,
            InApp,
        ),
        route(
            M::GET,
            "/api/v1/app/{app}/endpoint/{ep}/rate-limit-status",
            None,
            200,
            InApp,
        ),
        route(
            M::GET,
            "/api/v1/app/{app}/endpoint/{ep}/delivery-settings",
            None,
            200,
            InApp,
        ),
        route(
            M::PUT,
            "/api/v1/app/{app}/endpoint/{ep}/delivery-settings",
            Some(json!({ "maxConcurrency": 2 })),
            200,
            InApp,
        ),
        route(
            M::POST,
            "/api/v1/app/{app}/msg/{msg}/endpoint/{ep}/resend",
            None,
            202,
            InApp,
        ),
        route(
            M::POST,
            "/api/v1/app/{app}/endpoint/{ep}/recover",
            Some(json!({ "since": "2020-01-01T00:00:00Z" })),
            202,
            InApp,
        ),
        route(
            M::POST,
            "/api/v1/app/{app}/endpoint/{ep}/replay-missing",
            Some(json!({ "since": "2020-01-01T00:00:00Z" })),
            202,
            InApp,
        ),
        route(
            M::POST,
            "/api/v1/app/{app}/endpoint/{ep}/bulk-replay",
            Some(json!({ "since": "2020-01-01T00:00:00Z", "status": 0 })),
            202,
            InApp,
        ),
        route(M::GET, "/api/v1/background-task", None, 200, Org),
        route(M::GET, "/api/v1/background-task/{task}", None, 200, Org),
        route(
            M::GET,
            "/api/v1/event-type/{et}/payload-validation",
            None,
            200,
            Catalogue,
        ),
        route(
            M::PUT,
            "/api/v1/event-type/{et}/payload-validation",
            Some(json!({ "enabled": false })),
            200,
            Org,
        ),
        route(
            M::GET,
            "/api/v1/event-type/{et}/retry-schedule",
            None,
            200,
            Catalogue,
        ),
        route(
            M::PUT,
            "/api/v1/event-type/{et}/retry-schedule",
            Some(json!({ "retrySchedule": [5, 60] })),
            200,
            Org,
        ),
        route(
            M::GET,
            "/api/v1/event-type/export/openapi",
            None,
            200,
            Catalogue,
        ),
        route(M::POST, "/api/v1/event-type/export/openapi", None, 200, Org),
        route(
            M::POST,
            "/api/v1/event-type/import/openapi",
            Some(
                json!({ "dryRun": true, "spec": { "webhooks": { "{et}": { "post": {
                "requestBody": { "content": { "application/json": {
                    "schema": { "type": "object" } } } } } } } } }),
            ),
            200,
            Org,
        ),
        route(
            M::POST,
            "/api/v1/auth/app-portal-access/{app}",
            Some(json!({})),
            200,
            Org,
        ),
        // Three days ahead, so the fixture's application tokens keep working for the rows after.
        route(
            M::POST,
            "/api/v1/auth/app/{app}/expire-all",
            Some(json!({ "expiry": 259_200 })),
            204,
            Org,
        ),
        // Pull feeds, inbound sources and operational webhook endpoints.
        route(M::GET, "/api/v1/events", None, 200, Org),
        route(M::GET, "/api/v1/app/{app}/events", None, 200, InApp),
        route(M::GET, "/ingest/api/v1/source", None, 200, Org),
        route(M::GET, "/ingest/api/v1/source/{src}", None, 200, Org),
        route(M::GET, "/ingest/api/v1/source/{src}/log", None, 200, Org),
        route(
            M::GET,
            "/api/v1/operational-webhook/endpoint",
            None,
            200,
            Org,
        ),
        route(
            M::GET,
            "/api/v1/operational-webhook/endpoint/{opep}",
            None,
            200,
            Org,
        ),
        route(M::GET, "/api/v1/api-key", None, 200, AdminOnly),
        route(
            M::POST,
            "/api/v1/api-key",
            Some(json!({ "name": "k" })),
            201,
            AdminOnly,
        ),
        route(M::GET, "/api/v1/api-key/{key}", None, 200, AdminOnly),
        route(
            M::DELETE,
            "/api/v1/app/{app}/msg/{msg}/attempt/{atmpt}/content",
            None,
            204,
            InApp,
        ),
        route(
            M::DELETE,
            "/api/v1/app/{app}/msg/{msg}/content",
            None,
            204,
            InApp,
        ),
        route(
            M::DELETE,
            "/api/v1/app/{app}/endpoint/{ep}",
            None,
            204,
            InApp,
        ),
        route(M::DELETE, "/api/v1/event-type/{et}", None, 204, Org),
        route(M::DELETE, "/api/v1/api-key/{key}", None, 204, AdminOnly),
        route(M::DELETE, "/api/v1/app/{app}", None, 204, AppItself),
    ]
}
