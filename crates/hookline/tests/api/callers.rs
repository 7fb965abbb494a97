//! Calling the API as different kinds of caller: helpers shared by the key, portal, scope,
//! rate-limit and idempotency tests.

use hookline_core::{KeyId, Timestamp};
use hookline_store::keys::{ApiKey, KeyScope};
use hookline_testkit::{TestApp, TestResponse};
use reqwest::Method;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// How a test request authenticates.
#[derive(Debug, Clone)]
pub(crate) enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `Authorization: Bearer <token>` and `Hookline-Environment: <environment>`.
    BearerIn(String, String),
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
        Auth::BearerIn(token, environment) => request
            .bearer_auth(token)
            .header("hookline-environment", environment),
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

/// Stores a key that expired a minute ago, straight into the server's database.
pub(crate) async fn expired_key(app: &TestApp, scope: KeyScope) -> String {
    let store = app.open_store().await;
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
        session_id: None,
    };
    store
        .create_api_key(key, Sha256::digest(token.as_bytes()).into())
        .await
        .expect("store the key");
    token
}
