//! App-portal tokens: `POST /auth/app-portal-access/{app_id}` in the contract's shape, read-only
//! tokens, logout, and the official svix SDK using them.

use hookline_core::Timestamp;
use hookline_testkit::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

use crate::callers::{Auth, call};

#[tokio::test]
async fn app_portal_access_returns_an_app_scoped_token_in_the_contract_shape() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let other = app.create_app("Other").await;
    let access = app
        .post(
            &format!("/api/v1/auth/app-portal-access/{app_id}"),
            json!({ "featureFlags": [] }),
        )
        .await;
    assert_eq!(access.status, 200, "{}", access.body);
    let token = access.str("token");
    assert!(token.starts_with("hl_appsk_"));
    assert!(access.str("url").ends_with(&format!("#key={token}")));

    let portal = Auth::Bearer(token);
    let own = call(
        &app,
        &portal,
        Method::GET,
        &format!("/api/v1/app/{app_id}"),
        None,
    )
    .await;
    assert_eq!(own.status, 200);
    let theirs = call(
        &app,
        &portal,
        Method::GET,
        &format!("/api/v1/app/{other}"),
        None,
    )
    .await;
    assert_eq!(theirs.status, 404);

    // The key carries the contract's default 7-day expiry.
    let keys = app.get("/api/v1/api-key").await;
    let key = &keys.body["data"][0];
    assert_eq!(key["scope"], "application");
    assert_eq!(key["appId"], app_id.as_str());
    let expires =
        Timestamp::parse_rfc3339(key["expiresAt"].as_str().expect("expiry")).expect("RFC 3339");
    let week = std::time::Duration::from_secs(7 * 24 * 3600);
    assert!(
        expires
            > Timestamp::now()
                .plus(week)
                .minus(std::time::Duration::from_secs(60))
    );

    let too_long = app
        .post(
            &format!("/api/v1/auth/app-portal-access/{app_id}"),
            json!({ "expiry": 30 * 24 * 3600 }),
        )
        .await;
    assert_eq!(too_long.status, 422);
    assert_eq!(too_long.body["detail"][0]["loc"], json!(["body", "expiry"]));

    let created = app
        .post(
            "/api/v1/auth/app-portal-access/new-customer",
            json!({ "application": { "name": "New customer" } }),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(app.get("/api/v1/app/new-customer").await.status, 200);
    let missing = app
        .post("/api/v1/auth/app-portal-access/nobody", json!({}))
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn a_read_only_portal_token_can_read_but_not_write() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let access = app
        .post(
            &format!("/api/v1/auth/app-portal-access/{app_id}"),
            json!({ "readOnly": true }),
        )
        .await;
    let portal = Auth::Bearer(access.str("token"));
    let list = format!("/api/v1/app/{app_id}/endpoint");
    assert_eq!(
        call(&app, &portal, Method::GET, &list, None).await.status,
        200
    );
    let write = call(
        &app,
        &portal,
        Method::POST,
        &list,
        Some(json!({ "url": "https://example.com/hook" })),
    )
    .await;
    assert_eq!(write.status, 403);
}

#[tokio::test]
async fn an_app_token_can_log_itself_out_and_other_tokens_cannot() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let access = app
        .post(
            &format!("/api/v1/auth/app-portal-access/{app_id}"),
            json!({}),
        )
        .await;
    let portal = Auth::Bearer(access.str("token"));
    let out = call(&app, &portal, Method::POST, "/api/v1/auth/logout", None).await;
    assert_eq!(out.status, 204, "{}", out.body);
    let after = call(
        &app,
        &portal,
        Method::GET,
        &format!("/api/v1/app/{app_id}"),
        None,
    )
    .await;
    assert_eq!(after.status, 401);

    let admin_logout = app.request(Method::POST, "/api/v1/auth/logout", None).await;
    assert_eq!(admin_logout.status, 403);
    assert_eq!(
        app.get("/api/v1/app").await.status,
        200,
        "the admin token still works"
    );
}

#[tokio::test]
async fn the_official_svix_sdk_gets_and_uses_an_app_portal_token() {
    use hookline_testkit::interop::{python_module_available, run_script};
    if !python_module_available("svix") {
        return;
    }
    let app = spawn_app().await;
    let output = run_script(
        "svix_portal.py",
        vec![
            "--server-url".into(),
            app.address.clone(),
            "--token".into(),
            app.token.clone(),
        ],
        None,
    )
    .await;
    assert!(
        output.status.success(),
        "the SDK's portal flow failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value =
        serde_json::from_slice(output.stdout.trim_ascii()).expect("the script prints JSON");
    assert_eq!(summary["token_prefix"], "hl_appsk");
    assert_eq!(summary["own_list"], 1);
    assert!(
        summary["sent"]
            .as_str()
            .is_some_and(|id| id.starts_with("msg_"))
    );
    assert!(
        summary["brand_new"]
            .as_str()
            .is_some_and(|id| id.starts_with("app_"))
    );
    assert_eq!(summary["apps_status"], 403);
    assert_eq!(summary["other_status"], 404);
    assert_eq!(summary["after_logout_status"], 401);
    assert_eq!(summary["expired_session_status"], 401);
    assert_eq!(summary["other_session_status"], 200);
    assert_eq!(summary["after_expire_all_status"], 401);
}

/// An app-portal token for `app_id`, made for `session` when given.
async fn portal_token(
    app: &hookline_testkit::TestApp,
    app_id: &str,
    session: Option<&str>,
) -> Auth {
    let body = match session {
        Some(session) => json!({ "sessionId": session }),
        None => json!({}),
    };
    let access = app
        .post(&format!("/api/v1/auth/app-portal-access/{app_id}"), body)
        .await;
    assert_eq!(access.status, 200, "{}", access.body);
    Auth::Bearer(access.str("token"))
}

/// The status `auth` gets listing `app_id`'s endpoints.
async fn status_of(app: &hookline_testkit::TestApp, auth: &Auth, app_id: &str) -> u16 {
    call(
        app,
        auth,
        Method::GET,
        &format!("/api/v1/app/{app_id}/endpoint"),
        None,
    )
    .await
    .status
    .as_u16()
}

#[tokio::test]
async fn expire_all_ends_an_applications_tokens_or_one_sessions_at_the_time_asked() {
    let app = spawn_app().await;
    let app_id = app.create_app("Acme").await;
    let other = app.create_app("Other").await;
    let alice = portal_token(&app, &app_id, Some("user_alice")).await;
    let bob = portal_token(&app, &app_id, Some("user_bob")).await;
    let anonymous = portal_token(&app, &app_id, None).await;
    let elsewhere = portal_token(&app, &other, Some("user_alice")).await;
    // A server-to-server key of the application: not a portal token, never expired by this.
    let service = app
        .post(
            "/api/v1/api-key",
            json!({ "name": "billing service", "appId": app_id }),
        )
        .await;
    assert_eq!(service.status, 201, "{}", service.body);
    let service = Auth::Bearer(service.str("token"));
    let reserved = app
        .post(
            "/api/v1/api-key",
            json!({ "name": "app-portal-access", "appId": app_id }),
        )
        .await;
    assert_eq!(reserved.status, 422, "{}", reserved.body);
    assert_eq!(reserved.error_locs(), ["body.name"]);
    let expire = |body: Value| {
        let path = format!("/api/v1/auth/app/{app_id}/expire-all");
        let app = &app;
        async move { app.post(&path, body).await }
    };

    // One session: only its tokens, and only in this application.
    let done = expire(json!({ "sessionIds": ["user_alice"] })).await;
    assert_eq!(done.status, 204, "{}", done.body);
    assert_eq!(status_of(&app, &alice, &app_id).await, 401);
    assert_eq!(status_of(&app, &bob, &app_id).await, 200);
    assert_eq!(status_of(&app, &anonymous, &app_id).await, 200);
    assert_eq!(status_of(&app, &elsewhere, &other).await, 200);

    // Later: the tokens keep working until then, and say when they stop.
    let done = expire(json!({ "expiry": 3600 })).await;
    assert_eq!(done.status, 204, "{}", done.body);
    assert_eq!(status_of(&app, &bob, &app_id).await, 200);
    let keys = app.get("/api/v1/api-key?limit=250").await;
    let soon = Timestamp::now().plus(std::time::Duration::from_secs(3600 + 60));
    let of_app: Vec<&Value> = keys.body["data"]
        .as_array()
        .expect("keys")
        .iter()
        .filter(|k| {
            k["appId"] == app_id.as_str()
                && k["revokedAt"].is_null()
                && k["name"] != "billing service"
        })
        .collect();
    assert_eq!(of_app.len(), 3, "{}", keys.body);
    for key in of_app {
        let expires =
            Timestamp::parse_rfc3339(key["expiresAt"].as_str().expect("expiresAt")).expect("time");
        assert!(expires <= soon, "{key}");
    }

    // All of them, at once.
    let done = expire(json!({})).await;
    assert_eq!(done.status, 204, "{}", done.body);
    assert_eq!(status_of(&app, &bob, &app_id).await, 401);
    assert_eq!(status_of(&app, &anonymous, &app_id).await, 401);
    assert_eq!(status_of(&app, &elsewhere, &other).await, 200);
    assert_eq!(
        status_of(&app, &service, &app_id).await,
        200,
        "API keys stay"
    );

    // Bad input names the field; an unknown application is a 404; app tokens may not.
    let bad = expire(json!({ "expiry": 259_201, "sessionIds": ["ok", "not ok"] })).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(
        bad.error_locs(),
        ["body.expiry", "body.sessionIds.1"],
        "{}",
        bad.body
    );
    let bad_session = app
        .post(
            &format!("/api/v1/auth/app-portal-access/{app_id}"),
            json!({ "sessionId": "spaces are not allowed" }),
        )
        .await;
    assert_eq!(bad_session.status, 422, "{}", bad_session.body);
    assert_eq!(
        bad_session.body["detail"][0]["loc"],
        json!(["body", "sessionId"])
    );
    let missing = app
        .post("/api/v1/auth/app/app_missing/expire-all", json!({}))
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    let by_app_token = call(
        &app,
        &elsewhere,
        Method::POST,
        &format!("/api/v1/auth/app/{other}/expire-all"),
        Some(json!({})),
    )
    .await;
    assert_eq!(by_app_token.status, 403, "{}", by_app_token.body);
}
