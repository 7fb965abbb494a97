use hookline_testkit::spawn_app;
use serde_json::json;

#[tokio::test]
async fn applications_can_be_created_read_updated_and_deleted_by_id_or_uid() {
    let app = spawn_app().await;
    let created = app
        .post(
            "/api/v1/app",
            json!({ "name": "Acme", "uid": "acme", "metadata": {"tier": "gold"} }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.str("id");
    assert!(id.starts_with("app_"));
    assert_eq!(created.body["metadata"], json!({"tier": "gold"}));

    let by_uid = app.get("/api/v1/app/acme").await;
    assert_eq!(by_uid.body["id"], id.as_str());

    let patched = app
        .request(
            reqwest::Method::PATCH,
            "/api/v1/app/acme",
            Some(json!({ "name": "Acme Inc" })),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["name"], "Acme Inc");
    assert_eq!(patched.body["uid"], "acme");

    let replaced = app
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/app/{id}"),
            Some(json!({ "name": "Acme 2" })),
        )
        .await;
    assert_eq!(replaced.status, 200);
    assert_eq!(
        replaced.body["uid"],
        serde_json::Value::Null,
        "PUT replaces every field"
    );

    let deleted = app
        .request(reqwest::Method::DELETE, &format!("/api/v1/app/{id}"), None)
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(app.get(&format!("/api/v1/app/{id}")).await.status, 404);
}

#[tokio::test]
async fn put_creates_a_missing_application_with_the_path_as_uid() {
    let app = spawn_app().await;
    let created = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/app/tenant-7",
            Some(json!({ "name": "Tenant" })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["uid"], "tenant-7");
}

#[tokio::test]
async fn get_if_exists_returns_the_existing_application() {
    let app = spawn_app().await;
    let first = app
        .post("/api/v1/app", json!({ "name": "A", "uid": "a" }))
        .await;
    let again = app
        .post(
            "/api/v1/app?get_if_exists=true",
            json!({ "name": "A", "uid": "a" }),
        )
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["id"], first.body["id"]);
    let clash = app
        .post("/api/v1/app", json!({ "name": "A", "uid": "a" }))
        .await;
    assert_eq!(clash.status, 409);
}

#[tokio::test]
async fn applications_page_with_iterators() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(app.create_app(&format!("app {n}")).await);
    }
    let mut seen = Vec::new();
    let mut iterator: Option<String> = None;
    loop {
        let query = iterator
            .as_ref()
            .map(|i| format!("&iterator={i}"))
            .unwrap_or_default();
        let page = app.get(&format!("/api/v1/app?limit=2{query}")).await;
        for item in page.body["data"].as_array().expect("list") {
            seen.push(item["id"].as_str().expect("id").to_owned());
        }
        if page.body["done"] == true {
            break;
        }
        iterator = Some(page.str("iterator"));
    }
    assert_eq!(seen, ids, "every application once, in creation order");

    let descending = app.get("/api/v1/app?limit=1&order=descending").await;
    assert_eq!(descending.body["data"][0]["id"], ids[4].as_str());
}
