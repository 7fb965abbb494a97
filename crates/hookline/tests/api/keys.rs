//! API keys: created by the admin, shown once, stored hashed, revocable, expiring; app-portal
//! tokens in the contract's shape.

use hookline_core::{AppId, KeyId, Timestamp};
use hookline_store::SqliteStore;
use hookline_store::keys::{ApiKey, KeyScope, KeyStore};
use hookline_testkit::{TestApp, TestResponse, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// How a test request authenticates.
#[derive(Debug, Clone)]
pub(crate) enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// A raw `Authorization` header value.
    Raw(&'static str),
    /// No `Authorization` header.
    Missing,
}

/// Sends a request with the given authentication.
pub(crate) async fn call(
    app: &TestApp,
    auth: &Auth,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> TestResponse {
    let mut request = app.client.request(method, format!("{}{path}", app.address));
    request = match auth {
        Auth::Bearer(token) => request.bearer_auth(token),
        Auth::Raw(value) => request.header("authorization", *value),
        Auth::Missing => request,
    };
    if let Some(body) = body {
        request = request.json(&body);
    }
    TestApp::read(request.send().await.expect("request failed")).await
}

/// Creates a key with the admin token from an `ApiKeyIn` body; returns the created body.
pub(crate) async fn create_key(app: &TestApp, body: Value) -> Value {
    let response = app.post("/api/v1/api-key", body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.body
}

/// The token of a new key from an `ApiKeyIn` body.
pub(crate) async fn key_token(app: &TestApp, body: Value) -> String {
    create_key(app, body).await["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// Stores a key that expired a minute ago, straight into the server's database file.
pub(crate) async fn expired_key(app: &TestApp, scope: KeyScope) -> String {
    let store = SqliteStore::open(&app.data_dir().join("hookline.db")).expect("open the store");
    let token = format!("hl_sk_expired{}", KeyId::generate());
    let now = Timestamp::now();
    let key = ApiKey {
        id: KeyId::generate(),
        name: "expired".into(),
        scope,
        created_at: now.minus(std::time::Duration::from_secs(3600)),
        last_used_at: None,
        expires_at: Some(now.minus(std::time::Duration::from_secs(60))),
        revoked_at: None,
    };
    store
        .create_api_key(key, Sha256::digest(token.as_bytes()).into())
        .await
        .expect("store the key");
    token
}

fn file_contains(path: &std::path::Path, needle: &str) -> bool {
    std::fs::read(path).is_ok_and(|bytes| {
        bytes
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    })
}

#[tokio::test]
async fn an_org_key_is_shown_once_stored_hashed_and_works_until_revoked() {
    let app = spawn_app().await;
    let created = create_key(&app, json!({ "name": "backend" })).await;
    let token = created["token"].as_str().expect("token").to_owned();
    let key_id = created["id"].as_str().expect("id").to_owned();
    assert!(token.starts_with("hl_sk_"), "{token}");
    assert!(key_id.starts_with("key_"));
    assert_eq!(created["scope"], "organization");
    assert_eq!(created["lastUsedAt"], Value::Null);

    let auth = Auth::Bearer(token.clone());
    let apps = call(&app, &auth, Method::GET, "/api/v1/app", None).await;
    assert_eq!(apps.status, 200, "{}", apps.body);

    let listed = app.get("/api/v1/api-key").await;
    assert_eq!(listed.status, 200);
    let entry = &listed.body["data"][0];
    assert_eq!(entry["id"], key_id.as_str());
    assert!(entry.get("token").is_none(), "the token is shown only once");
    assert!(entry["lastUsedAt"].is_string(), "last use is recorded");

    for file in ["hookline.db", "hookline.db-wal"] {
        assert!(
            !file_contains(&app.data_dir().join(file), &token),
            "the token is stored in clear in {file}"
        );
    }

    let revoked = app
        .request(Method::DELETE, &format!("/api/v1/api-key/{key_id}"), None)
        .await;
    assert_eq!(revoked.status, 204);
    let refused = call(&app, &auth, Method::GET, "/api/v1/app", None).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["code"], "authentication_failed");
    let read = app.get(&format!("/api/v1/api-key/{key_id}")).await;
    assert!(read.body["revokedAt"].is_string(), "{}", read.body);
}

#[tokio::test]
async fn an_expired_key_is_refused() {
    let app = spawn_app().await;
    let token = expired_key(&app, KeyScope::Organization).await;
    let refused = call(&app, &Auth::Bearer(token), Method::GET, "/api/v1/app", None).await;
    assert_eq!(refused.status, 401);
}

#[tokio::test]
async fn only_the_admin_token_manages_keys() {
    let app = spawn_app().await;
    let org = Auth::Bearer(key_token(&app, json!({ "name": "org" })).await);
    for (method, path) in [
        (Method::GET, "/api/v1/api-key"),
        (Method::POST, "/api/v1/api-key"),
    ] {
        let body = (method == Method::POST).then(|| json!({ "name": "sneaky" }));
        let response = call(&app, &org, method, path, body).await;
        assert_eq!(response.status, 403, "{path}: {}", response.body);
        assert_eq!(response.body["code"], "forbidden");
    }
}

#[tokio::test]
async fn key_creation_refuses_bad_fields_naming_each() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/api/v1/api-key",
            json!({ "name": " ", "readOnly": true, "expiresAt": "2001-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(response.status, 422, "{}", response.body);
    let locs: Vec<&Value> = response.body["detail"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| &d["loc"])
        .collect();
    assert_eq!(
        locs,
        vec![
            &json!(["body", "name"]),
            &json!(["body", "readOnly"]),
            &json!(["body", "expiresAt"])
        ]
    );
    let unknown_app = app
        .post(
            "/api/v1/api-key",
            json!({ "name": "x", "appId": AppId::generate().as_str() }),
        )
        .await;
    assert_eq!(unknown_app.status, 404);
    let unknown_key = app.get("/api/v1/api-key/key_nope").await;
    assert_eq!(unknown_key.status, 404);
}

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
}
