//! Every route under every kind of caller: the admin token, an organisation key, an app key on
//! its own application and on another, a read-only app key, a revoked key, an expired key, no
//! key, and malformed `Authorization` headers; and across environments, the admin token acting
//! in another environment and an organisation key of one environment on another's resources.

mod fixture;
mod table;

use hookline_store::keys::KeyScope;
use hookline_testkit::app::TEST_TOKEN;
use hookline_testkit::{TestApp, TestReceiver, spawn_app};
use reqwest::Method;
use serde_json::json;

use crate::callers::{Auth, call, create_key, expired_key, key_token};
use crate::environments::{admin_in, create_environment, key_in};
use fixture::{Fixture, fixture};
use table::{Kind, Route, routes};

/// What a caller should get on a route, given whose application the path names.
#[derive(Debug, Clone, Copy)]
enum Caller {
    Admin,
    OrgKey,
    OwnAppKey,
    OtherAppKey,
    ReadOnlyAppKey,
    /// An organisation key of one environment on the resources of another.
    OtherEnvironmentKey,
    Refused,
}

fn is_read(method: &Method) -> bool {
    *method == Method::GET || *method == Method::HEAD
}

/// Whether the path names one of the fixture's resources.
fn names_a_resource(path: &str) -> bool {
    [
        "{app}", "{et}", "{ep}", "{msg}", "{atmpt}", "{key}", "{task}", "{src}", "{opep}",
    ]
    .iter()
    .any(|placeholder| path.contains(placeholder))
}

/// Upserts: on another environment's names they create that name in the caller's own
/// environment (where it is free), after which it legitimately exists there; the table skips
/// them for keys of another environment.
fn is_upsert(route: &Route) -> bool {
    route.method == Method::PUT
        && matches!(route.path, "/api/v1/app/{app}" | "/api/v1/event-type/{et}")
}

/// What an organisation key gets on paths naming another environment's resources: the 404 of
/// a missing resource.
fn elsewhere(route: &Route) -> u16 {
    if names_a_resource(route.path) {
        404
    } else {
        route.ok
    }
}

fn expected(caller: Caller, route: &Route) -> u16 {
    use Kind::*;
    match (caller, route.kind) {
        (_, Public) => route.ok,
        (Caller::Refused, _) => 401,
        (Caller::Admin, _) => route.ok,
        (Caller::OrgKey | Caller::OtherEnvironmentKey, AdminOnly) => 403,
        (Caller::OrgKey, _) => route.ok,
        (Caller::OtherEnvironmentKey, _) => elsewhere(route),
        (Caller::ReadOnlyAppKey, InApp) if !is_read(&route.method) => 403,
        (Caller::OwnAppKey | Caller::OtherAppKey | Caller::ReadOnlyAppKey, Catalogue) => route.ok,
        (Caller::OwnAppKey | Caller::ReadOnlyAppKey, InApp) => route.ok,
        (Caller::OtherAppKey, InApp) => 404,
        (
            Caller::OwnAppKey | Caller::OtherAppKey | Caller::ReadOnlyAppKey,
            Org | AppItself | AdminOnly,
        ) => 403,
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
        if matches!(caller, Caller::OtherEnvironmentKey) && is_upsert(&route) {
            continue;
        }
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
        if matches!(caller, Caller::OtherEnvironmentKey) {
            check_nothing_crosses(app, auth, &route, fx, &path, &response).await;
        }
    }
}

/// An answer to a key of another environment holds none of the fixture's resources, and a
/// refusal is exactly the one for resources that exist nowhere.
async fn check_nothing_crosses(
    app: &TestApp,
    auth: &Auth,
    route: &Route,
    fx: &Fixture,
    path: &str,
    response: &hookline_testkit::TestResponse,
) {
    let text = response.body.to_string();
    for id in fx.ids() {
        assert!(
            path.contains(id) || !text.contains(id),
            "{} {path} shows {id} of another environment: {text}",
            route.method
        );
    }
    if response.status.is_client_error() {
        let nowhere = Fixture::nowhere(&fx.tag);
        let missing = call(
            app,
            auth,
            route.method.clone(),
            &nowhere.fill(route.path),
            nowhere.fill_body(&route.body),
        )
        .await;
        assert_eq!(
            (missing.status, &missing.body),
            (response.status, &response.body),
            "{} {path} tells another environment's resources from missing ones",
            route.method
        );
    }
}

#[tokio::test]
async fn every_route_answers_each_kind_of_caller_as_its_scope_allows() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let receiver_url = receiver.endpoint("/");
    let admin_auth = Auth::Bearer(TEST_TOKEN.to_owned());

    let admin = fixture(&mut app, &admin_auth, &mut receiver, "admin").await;
    check_every_route(&app, &receiver_url, Caller::Admin, &admin_auth, &admin).await;

    let org = fixture(&mut app, &admin_auth, &mut receiver, "org").await;
    let org_auth = Auth::Bearer(key_token(&app, json!({ "name": "org" })).await);
    check_every_route(&app, &receiver_url, Caller::OrgKey, &org_auth, &org).await;

    let own = fixture(&mut app, &admin_auth, &mut receiver, "own").await;
    let own_auth = Auth::Bearer(key_token(&app, json!({ "name": "own", "appId": own.app })).await);
    check_every_route(&app, &receiver_url, Caller::OwnAppKey, &own_auth, &own).await;

    // An app key used on another application's paths; its own app is `own`.
    let other = fixture(&mut app, &admin_auth, &mut receiver, "other").await;
    check_every_route(&app, &receiver_url, Caller::OtherAppKey, &own_auth, &other).await;

    let read_only = fixture(&mut app, &admin_auth, &mut receiver, "readonly").await;
    let read_only_auth = Auth::Bearer(
        key_token(
            &app,
            json!({ "name": "read-only", "appId": read_only.app, "readOnly": true }),
        )
        .await,
    );
    check_every_route(
        &app,
        &receiver_url,
        Caller::ReadOnlyAppKey,
        &read_only_auth,
        &read_only,
    )
    .await;

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

#[tokio::test]
async fn every_route_keeps_each_environment_to_itself() {
    let mut app = spawn_app().await;
    let mut receiver = TestReceiver::start().await;
    let receiver_url = receiver.endpoint("/");
    let first = create_environment(&app, "first").await;
    let second = create_environment(&app, "second").await;

    // Every route works in an environment other than the default one.
    let admin_second = admin_in(&second);
    let admin = fixture(&mut app, &admin_second, &mut receiver, "second-admin").await;
    check_every_route(&app, &receiver_url, Caller::Admin, &admin_second, &admin).await;

    // An organisation key of the first environment on the second's resources, and on the
    // default environment's; then a default environment's key on the second's.
    let first_key = Auth::Bearer(key_in(&app, &first, json!({ "name": "first" })).await);
    let theirs = fixture(&mut app, &admin_second, &mut receiver, "second").await;
    check_every_route(
        &app,
        &receiver_url,
        Caller::OtherEnvironmentKey,
        &first_key,
        &theirs,
    )
    .await;
    let default_admin = Auth::Bearer(TEST_TOKEN.to_owned());
    let default = fixture(&mut app, &default_admin, &mut receiver, "default").await;
    check_every_route(
        &app,
        &receiver_url,
        Caller::OtherEnvironmentKey,
        &first_key,
        &default,
    )
    .await;

    // A key of the default environment on the second's resources (which the runs above left
    // as they were: every write there was refused).
    let default_key = Auth::Bearer(key_token(&app, json!({ "name": "default" })).await);
    check_every_route(
        &app,
        &receiver_url,
        Caller::OtherEnvironmentKey,
        &default_key,
        &theirs,
    )
    .await;
}
