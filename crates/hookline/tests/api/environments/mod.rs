//! Environments: separate organisations in one Hookline. Each has its own applications, event
//! types, sources, keys and deliveries; its keys reach nothing of any other environment, and
//! the admin token chooses one with the `Hookline-Environment` header.

mod delivery;

use hookline_testkit::app::TEST_TOKEN;
use hookline_testkit::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

use crate::callers::{Auth, call};

/// Creates an environment with the admin token; returns its id.
pub(crate) async fn create_environment(app: &TestApp, name: &str) -> String {
    let created = app
        .post("/api/v1/environment", json!({ "name": name }))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.str("id")
}

/// The admin token acting in `environment`.
pub(crate) fn admin_in(environment: &str) -> Auth {
    Auth::BearerIn(TEST_TOKEN.to_owned(), environment.to_owned())
}

/// A new key of `environment` from an `ApiKeyIn` body; returns its token.
pub(crate) async fn key_in(app: &TestApp, environment: &str, body: Value) -> String {
    let created = call(
        app,
        &admin_in(environment),
        Method::POST,
        "/api/v1/api-key",
        Some(body),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.str("token")
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn the_admin_token_creates_lists_reads_and_deletes_environments() {
    let app = spawn_app().await;
    let created = app
        .post("/api/v1/environment", json!({ "name": " staging " }))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.str("id");
    assert!(id.starts_with("env_"), "{id}");
    assert_eq!(created.body["name"], "staging");
    assert!(created.body["createdAt"].is_string());

    let listed = app.get("/api/v1/environment").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(ids(&listed.body), vec![id.clone()]);
    let read = app.get(&format!("/api/v1/environment/{id}")).await;
    assert_eq!((read.status.as_u16(), &read.body), (200, &created.body));

    let empty = app.post("/api/v1/environment", json!({ "name": "" })).await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert_eq!(empty.body["detail"][0]["loc"], json!(["body", "name"]));

    let org_key = crate::callers::key_token(&app, json!({ "name": "org" })).await;
    let by_key = call(
        &app,
        &Auth::Bearer(org_key),
        Method::GET,
        "/api/v1/environment",
        None,
    )
    .await;
    assert_eq!(by_key.status, 403, "{}", by_key.body);

    let deleted = app
        .request(Method::DELETE, &format!("/api/v1/environment/{id}"), None)
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    for method in [Method::GET, Method::DELETE] {
        let gone = app
            .request(method, &format!("/api/v1/environment/{id}"), None)
            .await;
        assert_eq!(gone.status, 404, "{}", gone.body);
    }
    assert_eq!(
        ids(&app.get("/api/v1/environment").await.body),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn keys_reach_their_own_environment_only_and_one_uid_is_two_applications() {
    let app = spawn_app().await;
    let env = create_environment(&app, "staging").await;
    let token = key_in(&app, &env, json!({ "name": "staging org" })).await;
    assert!(token.starts_with(&format!("hl_sk_{env}_")), "{token}");
    let key = Auth::Bearer(token);

    let theirs = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/app",
        Some(json!({ "name": "Acme (staging)", "uid": "acme" })),
    )
    .await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    let ours = app
        .post("/api/v1/app", json!({ "name": "Acme", "uid": "acme" }))
        .await;
    assert_eq!(
        ours.status, 201,
        "the uid is free in the default environment: {}",
        ours.body
    );
    assert_ne!(theirs.str("id"), ours.str("id"));

    let listed = call(&app, &key, Method::GET, "/api/v1/app", None).await;
    assert_eq!(ids(&listed.body), vec![theirs.str("id")]);
    // The server's own layers wrap every environment's answers alike.
    for header in ["x-request-id", "ratelimit-remaining"] {
        assert!(listed.headers.contains_key(header), "{header}");
    }
    assert_eq!(
        ids(&app.get("/api/v1/app").await.body),
        vec![ours.str("id")]
    );
    let chosen = call(&app, &admin_in(&env), Method::GET, "/api/v1/app", None).await;
    assert_eq!(ids(&chosen.body), vec![theirs.str("id")]);

    let by_uid = call(&app, &key, Method::GET, "/api/v1/app/acme", None).await;
    assert_eq!(by_uid.str("id"), theirs.str("id"));
    let other = call(
        &app,
        &key,
        Method::GET,
        &format!("/api/v1/app/{}", ours.str("id")),
        None,
    )
    .await;
    let missing = call(
        &app,
        &key,
        Method::GET,
        "/api/v1/app/app_2Ad5Lg3XfT6jHbWq9Zk1Rm",
        None,
    )
    .await;
    assert_eq!(other.status, 404, "{}", other.body);
    assert_eq!(
        other.body, missing.body,
        "another environment's app answers as a missing one"
    );
}

#[tokio::test]
async fn bad_and_unknown_environments_get_clear_answers_that_reveal_nothing() {
    let app = spawn_app().await;
    let env = create_environment(&app, "staging").await;
    let other = create_environment(&app, "production").await;
    let unknown = "env_2Ad5Lg3XfT6jHbWq9Zk1Rm";

    let malformed = call(&app, &admin_in("staging"), Method::GET, "/api/v1/app", None).await;
    assert_eq!(malformed.status, 400, "{}", malformed.body);
    assert!(
        malformed.body["detail"]
            .as_str()
            .expect("detail")
            .contains("hookline-environment")
    );
    let missing = call(&app, &admin_in(unknown), Method::GET, "/api/v1/app", None).await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert_eq!(missing.body["detail"], "environment not found");

    // Whatever a key names, it is valid in its own environment only, with one answer.
    let wrong_token = call(
        &app,
        &Auth::Bearer("hl_sk_not-a-real-key".into()),
        Method::GET,
        "/api/v1/app",
        None,
    )
    .await;
    assert_eq!(wrong_token.status, 401);
    let key = key_in(&app, &env, json!({ "name": "k" })).await;
    let default_key = crate::callers::key_token(&app, json!({ "name": "d" })).await;
    let random = key.rsplit('_').next().expect("random part");
    for auth in [
        Auth::BearerIn(key.clone(), other.clone()),
        Auth::BearerIn(key.clone(), unknown.to_owned()),
        Auth::BearerIn(default_key, env.clone()),
        Auth::Bearer(format!("hl_sk_{unknown}_{random}")),
        Auth::Bearer(format!("hl_sk_{other}_{random}")),
    ] {
        let answer = call(&app, &auth, Method::GET, "/api/v1/app", None).await;
        assert_eq!(
            (answer.status, &answer.body),
            (wrong_token.status, &wrong_token.body),
            "{auth:?}"
        );
    }

    let nowhere = app
        .client
        .post(format!("{}/in/nonexistent-source", app.address))
        .body("{}")
        .send()
        .await
        .expect("request");
    let nowhere = TestApp::read(nowhere).await;
    for path in [
        format!("/in/{unknown}/x"),
        format!("/in/{env}/nonexistent-source"),
    ] {
        let answer = app
            .client
            .post(format!("{}{path}", app.address))
            .body("{}")
            .send()
            .await
            .expect("request");
        let answer = TestApp::read(answer).await;
        assert_eq!(
            (answer.status, &answer.body),
            (nowhere.status, &nowhere.body),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_environment_receives_at_its_own_ingest_urls() {
    let app = spawn_app().await;
    let env = create_environment(&app, "staging").await;
    let admin = admin_in(&env);
    let source = call(
        &app,
        &admin,
        Method::POST,
        "/ingest/api/v1/source",
        Some(json!({ "name": "Anything", "type": "generic-webhook", "uid": "anything" })),
    )
    .await;
    assert_eq!(source.status, 201, "{}", source.body);
    let url = source.str("ingestUrl");
    assert!(url.contains(&format!("/in/{env}/")), "{url}");
    let token = url.rsplit('/').next().expect("token").to_owned();

    let received = app
        .client
        .post(&url)
        .body(r#"{"a":1}"#)
        .send()
        .await
        .expect("post");
    assert_eq!(received.status(), 200);
    let log = call(
        &app,
        &admin,
        Method::GET,
        "/ingest/api/v1/source/anything/log",
        None,
    )
    .await;
    assert_eq!(
        log.body["data"].as_array().map(Vec::len),
        Some(1),
        "{}",
        log.body
    );
    // The default environment has no such source, by token or by uid.
    for path in [format!("/in/{token}"), "/in/anything".to_owned()] {
        let answer = app
            .client
            .post(format!("{}{path}", app.address))
            .body("{}")
            .send()
            .await
            .expect("post");
        assert_eq!(answer.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn deleting_an_environment_ends_its_keys_and_data() {
    let app = spawn_app().await;
    let env = create_environment(&app, "short-lived").await;
    let key = Auth::Bearer(key_in(&app, &env, json!({ "name": "k" })).await);
    let created = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/app",
        Some(json!({ "name": "Acme" })),
    )
    .await;
    assert_eq!(created.status, 201);
    let deleted = app
        .request(Method::DELETE, &format!("/api/v1/environment/{env}"), None)
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let after = call(&app, &key, Method::GET, "/api/v1/app", None).await;
    assert_eq!(after.status, 401, "{}", after.body);
    let admin = call(&app, &admin_in(&env), Method::GET, "/api/v1/app", None).await;
    assert_eq!(admin.status, 404, "{}", admin.body);
    match app.database_url() {
        None => {
            let file = app
                .data_dir()
                .join("environments")
                .join(format!("{env}.db"));
            assert!(!file.exists(), "{} is left behind", file.display());
        }
        Some(url) => {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(connection);
            let left = client
                .query(
                    "SELECT 1 FROM information_schema.schemata WHERE schema_name = $1",
                    &[&env],
                )
                .await
                .expect("query");
            assert!(left.is_empty(), "the schema {env} is left behind");
        }
    }
}
