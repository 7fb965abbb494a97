//! Every route under every kind of caller: the admin token, an organisation key, an app key on
//! its own application and on another, a revoked key, an expired key, no key, and malformed
//! `Authorization` headers.

use hookline_store::keys::KeyScope;
use hookline_testkit::app::TEST_TOKEN;
use hookline_testkit::{TestApp, TestReceiver, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

use crate::callers::{Auth, call, create_key, expired_key, key_token};

/// How a route treats application-scoped keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
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

struct Route {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    ok: u16,
    kind: Kind,
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
fn routes(receiver_url: &str) -> Vec<Route> {
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

/// The resources a route's placeholders name.
#[derive(Debug, Clone)]
struct Fixture {
    tag: String,
    app: String,
    et: String,
    ep: String,
    msg: String,
    atmpt: String,
    key: String,
    task: String,
}

impl Fixture {
    fn fill(&self, template: &str) -> String {
        template
            .replace("{tag}", &self.tag)
            .replace("{app}", &self.app)
            .replace("{et}", &self.et)
            .replace("{ep}", &self.ep)
            .replace("{msg}", &self.msg)
            .replace("{atmpt}", &self.atmpt)
            .replace("{key}", &self.key)
            .replace("{task}", &self.task)
    }

    fn fill_body(&self, body: &Option<Value>) -> Option<Value> {
        body.as_ref().map(|b| {
            serde_json::from_str(&self.fill(&b.to_string())).expect("a filled body is JSON")
        })
    }
}

/// An application with an event type, an endpoint, a delivered message and its attempt.
async fn fixture(app: &mut TestApp, receiver: &mut TestReceiver, tag: &str) -> Fixture {
    let app_id = app.create_app(tag).await;
    let et = format!("scoped.{tag}");
    app.create_event_type(&et).await;
    let endpoint = app
        .create_endpoint(&app_id, json!({ "url": receiver.endpoint("/") }))
        .await;
    let msg = app
        .send_message(&app_id, json!({ "eventType": et, "payload": { "n": 1 } }))
        .await;
    let msg_id = msg["id"].as_str().expect("message id");
    // Earlier tables' messages may still be arriving: wait for this one's.
    while receiver.next_request().await.header("webhook-id") != msg_id {}
    let attempt = loop {
        let attempt = app.next_attempt().await;
        if attempt.msg_id.as_str() == msg_id {
            break attempt;
        }
    };
    let key = create_key(app, json!({ "name": format!("throwaway {tag}") })).await;
    let task = app
        .post(
            &format!(
                "/api/v1/app/{app_id}/endpoint/{}/recover",
                endpoint["id"].as_str().expect("endpoint id")
            ),
            json!({ "since": "2020-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(task.status, 202, "{}", task.body);
    Fixture {
        tag: tag.to_owned(),
        app: app_id,
        et,
        ep: endpoint["id"].as_str().expect("endpoint id").to_owned(),
        msg: msg["id"].as_str().expect("message id").to_owned(),
        atmpt: attempt.id.to_string(),
        key: key["id"].as_str().expect("key id").to_owned(),
        task: task.body["id"].as_str().expect("task id").to_owned(),
    }
}

/// What a caller should get on a route, given whose application the path names.
#[derive(Debug, Clone, Copy)]
enum Caller {
    Admin,
    OrgKey,
    OwnAppKey,
    OtherAppKey,
    Refused,
}

fn expected(caller: Caller, route: &Route) -> u16 {
    use Kind::*;
    match (caller, route.kind) {
        (_, Public) => route.ok,
        (Caller::Refused, _) => 401,
        (Caller::Admin, _) => route.ok,
        (Caller::OrgKey, AdminOnly) => 403,
        (Caller::OrgKey, _) => route.ok,
        (Caller::OwnAppKey | Caller::OtherAppKey, Catalogue) => route.ok,
        (Caller::OwnAppKey, InApp) => route.ok,
        (Caller::OtherAppKey, InApp) => 404,
        (Caller::OwnAppKey | Caller::OtherAppKey, Org | AppItself | AdminOnly) => 403,
    }
}

async fn check_every_route(
    app: &TestApp,
    receiver_url: &str,
    caller: Caller,
    auth: &Auth,
    fx: &Fixture,
) {
    for route in routes(receiver_url) {
        let path = fx.fill(route.path);
        let response = call(
            app,
            auth,
            route.method.clone(),
            &path,
            fx.fill_body(&route.body),
        )
        .await;
        let want = expected(caller, &route);
        assert_eq!(
            response.status.as_u16(),
            want,
            "{caller:?} {} {path}: {}",
            route.method,
            response.body
        );
        if want >= 400 {
            assert!(
                response.body["code"].is_string() && response.body["detail"].is_string(),
                "{caller:?} {} {path}: the error body is not the contract's: {}",
                route.method,
                response.body
            );
        }
        if matches!(caller, Caller::OtherAppKey) && route.kind == Kind::InApp {
            // A missing application answers exactly like someone else's.
            let missing = call(
                app,
                auth,
                route.method.clone(),
                &path.replace(&fx.app, "app_2Ad5Lg3XfT6jHbWq9Zk1Rm"),
                fx.fill_body(&route.body),
            )
            .await;
            assert_eq!(
                (missing.status, &missing.body),
                (response.status, &response.body),
                "{} {path} tells another app's resources from missing ones",
                route.method
            );
        }
    }
}

#[tokio::test]
async fn every_route_answers_each_kind_of_caller_as_its_scope_allows() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let receiver_url = receiver.endpoint("/");

    let admin = fixture(&mut app, &mut receiver, "admin").await;
    let admin_auth = Auth::Bearer(TEST_TOKEN.to_owned());
    check_every_route(&app, &receiver_url, Caller::Admin, &admin_auth, &admin).await;

    let org = fixture(&mut app, &mut receiver, "org").await;
    let org_auth = Auth::Bearer(key_token(&app, json!({ "name": "org" })).await);
    check_every_route(&app, &receiver_url, Caller::OrgKey, &org_auth, &org).await;

    let own = fixture(&mut app, &mut receiver, "own").await;
    let own_auth = Auth::Bearer(key_token(&app, json!({ "name": "own", "appId": own.app })).await);
    check_every_route(&app, &receiver_url, Caller::OwnAppKey, &own_auth, &own).await;

    // An app key used on another application's paths; its own app is `own`.
    let other = fixture(&mut app, &mut receiver, "other").await;
    check_every_route(&app, &receiver_url, Caller::OtherAppKey, &own_auth, &other).await;

    let revoked = create_key(&app, json!({ "name": "revoked" })).await;
    let revoke = app
        .request(
            Method::DELETE,
            &format!("/api/v1/api-key/{}", revoked["id"].as_str().expect("id")),
            None,
        )
        .await;
    assert_eq!(revoke.status, 204);
    let expired = expired_key(&app, KeyScope::Organization).await;
    let refused = [
        Auth::Bearer(revoked["token"].as_str().expect("token").to_owned()),
        Auth::Bearer(expired),
        Auth::Bearer("hl_sk_not-a-real-key".into()),
        Auth::Missing,
        Auth::Raw("Basic dXNlcjpwYXNz"),
        Auth::Raw("Bearer"),
        Auth::Raw(TEST_TOKEN),
    ];
    for auth in &refused {
        check_every_route(&app, &receiver_url, Caller::Refused, auth, &other).await;
    }
}
