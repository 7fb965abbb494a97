//! Event types with JSON Schema: schemas checked when set, optional payload validation on
//! ingest, OpenAPI 3.1 export and import.

use hookline_testkit::{TestApp, spawn_app};
use serde_json::{Value, json};

const INVOICE_SCHEMA: &str = r#"{
    "type": "object",
    "required": ["id", "amount"],
    "properties": { "id": { "type": "string" }, "amount": { "type": "integer", "minimum": 0 } },
    "examples": [{ "id": "inv_1", "amount": 42 }]
}"#;

fn invoice_schema() -> Value {
    serde_json::from_str(INVOICE_SCHEMA).expect("schema")
}

async fn create_invoice_type(app: &TestApp) {
    let created = app
        .post(
            "/api/v1/event-type",
            json!({ "name": "invoice.paid", "description": "An invoice was paid",
                    "schemas": { "1": invoice_schema() } }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
}

#[tokio::test]
async fn invalid_schemas_are_refused_naming_the_path_inside_the_schema() {
    let app = spawn_app().await;
    let bad = app
        .post(
            "/api/v1/event-type",
            json!({ "name": "a", "description": "",
                    "schemas": { "1": { "properties": { "n": { "type": "integr" } } } } }),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(
        bad.body["detail"][0]["loc"],
        json!(["body", "schemas", "1", "properties", "n", "type"])
    );
    assert_eq!(
        app.get("/api/v1/event-type/a").await.status,
        404,
        "nothing stored"
    );

    create_invoice_type(&app).await;
    let patched = app
        .request(
            reqwest::Method::PATCH,
            "/api/v1/event-type/invoice.paid",
            Some(json!({ "schemas": { "2": { "minimum": "zero" } } })),
        )
        .await;
    assert_eq!(patched.status, 422, "{}", patched.body);
    assert_eq!(
        patched.body["detail"][0]["loc"],
        json!(["body", "schemas", "2", "minimum"])
    );
}

#[tokio::test]
async fn payload_validation_is_off_by_default_and_refuses_bad_payloads_when_on() {
    let app = spawn_app().await;
    create_invoice_type(&app).await;
    let app_id = app.create_app("Acme").await;
    let bad = json!({ "eventType": "invoice.paid", "payload": { "id": 5, "amount": -1 } });
    let messages = format!("/api/v1/app/{app_id}/msg");
    assert_eq!(
        app.post(&messages, bad.clone()).await.status,
        202,
        "off by default"
    );

    let path = "/api/v1/event-type/invoice.paid/payload-validation";
    assert_eq!(app.get(path).await.body, json!({ "enabled": false }));
    let on = app
        .request(reqwest::Method::PUT, path, Some(json!({ "enabled": true })))
        .await;
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(app.get(path).await.body, json!({ "enabled": true }));

    let refused = app.post(&messages, bad).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let details = refused.body["detail"].as_array().expect("details");
    let locs: Vec<&Value> = details.iter().map(|d| &d["loc"]).collect();
    assert!(
        locs.contains(&&json!(["body", "payload", "id"])),
        "{locs:?}"
    );
    assert!(
        locs.contains(&&json!(["body", "payload", "amount"])),
        "{locs:?}"
    );
    let named = details.iter().any(|d| {
        d["msg"]
            .as_str()
            .is_some_and(|m| m.contains("/properties/id/type"))
    });
    assert!(named, "the schema path is named: {details:?}");
    let listed = app.get(&messages).await;
    assert_eq!(
        listed.body["data"].as_array().expect("list").len(),
        1,
        "nothing stored"
    );

    let good = json!({ "eventType": "invoice.paid", "payload": { "id": "inv_2", "amount": 3 } });
    assert_eq!(app.post(&messages, good).await.status, 202);

    app.create_event_type("schemaless").await;
    let no_schema = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/event-type/schemaless/payload-validation",
            Some(json!({ "enabled": true })),
        )
        .await;
    assert_eq!(no_schema.status, 422);
    assert_eq!(
        no_schema.body["detail"][0]["loc"],
        json!(["body", "enabled"])
    );
}

#[tokio::test]
async fn event_types_round_trip_through_openapi_export_and_import() {
    let source = spawn_app().await;
    create_invoice_type(&source).await;
    source.create_event_type("user.created").await;
    let doc = source.get("/api/v1/event-type/export/openapi").await;
    assert_eq!(doc.status, 200, "{}", doc.body);
    assert_eq!(doc.body["openapi"], "3.1.0");
    assert_eq!(
        doc.body["webhooks"]["invoice.paid"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"],
        invoice_schema()
    );

    let target = spawn_app().await;
    target.create_event_type("legacy.thing").await;
    let dry = target
        .post(
            "/api/v1/event-type/import/openapi",
            json!({ "spec": doc.body, "dryRun": true }),
        )
        .await;
    assert_eq!(dry.status, 200, "{}", dry.body);
    assert_eq!(dry.body["data"]["modified"], json!([]));
    assert_eq!(
        dry.body["data"]["to_modify"]
            .as_array()
            .expect("list")
            .len(),
        2
    );
    assert_eq!(
        target.get("/api/v1/event-type/invoice.paid").await.status,
        404
    );

    let raw = doc.body.to_string();
    let imported = target
        .post(
            "/api/v1/event-type/import/openapi",
            json!({ "specRaw": raw, "replaceAll": true }),
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(
        imported.body["data"]["modified"],
        json!(["invoice.paid", "user.created"])
    );
    let invoice = target.get("/api/v1/event-type/invoice.paid").await;
    assert_eq!(invoice.body["schemas"]["1"], invoice_schema());
    assert_eq!(invoice.body["description"], "An invoice was paid");
    let legacy = target.get("/api/v1/event-type/legacy.thing").await;
    assert_eq!(
        legacy.body["archived"], true,
        "replaceAll archives the rest"
    );

    let neither = target
        .post("/api/v1/event-type/import/openapi", json!({}))
        .await;
    assert_eq!(neither.status, 400);
    let bad_schema = target
        .post(
            "/api/v1/event-type/import/openapi",
            json!({ "spec": { "webhooks": { "x.y": { "post": { "requestBody": { "content": {
                "application/json": { "schema": { "type": 7 } } } } } } } } }),
        )
        .await;
    assert_eq!(bad_schema.status, 422, "{}", bad_schema.body);
    assert_eq!(
        bad_schema.body["detail"][0]["loc"],
        json!([
            "body",
            "spec",
            "webhooks",
            "x.y",
            "post",
            "requestBody",
            "schema",
            "1",
            "type"
        ])
    );
}

#[tokio::test]
async fn a_yaml_spec_imports_like_its_json_twin_and_bad_yaml_names_the_field() {
    let app = spawn_app().await;
    let yaml = r#"
openapi: 3.1.0
info:
  title: Webhooks
  version: 1.0.0
webhooks:
  order.shipped:
    post:
      description: An order left the warehouse
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [orderId]
              properties:
                orderId:
                  type: string
      responses:
        "2XX":
          description: OK
"#;
    let imported = app
        .post(
            "/api/v1/event-type/import/openapi",
            json!({ "specRaw": yaml }),
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(imported.body["data"]["modified"], json!(["order.shipped"]));
    let event_type = app.get("/api/v1/event-type/order.shipped").await;
    assert_eq!(
        event_type.body["description"],
        "An order left the warehouse"
    );
    assert_eq!(
        event_type.body["schemas"]["1"]["required"],
        json!(["orderId"])
    );

    let broken = app
        .post(
            "/api/v1/event-type/import/openapi",
            json!({ "specRaw": "webhooks: [unclosed" }),
        )
        .await;
    assert_eq!(broken.status, 422, "{}", broken.body);
    assert_eq!(broken.body["detail"][0]["loc"], json!(["body", "specRaw"]));
    let scalar = app
        .post(
            "/api/v1/event-type/import/openapi",
            json!({ "specRaw": "just text" }),
        )
        .await;
    assert_eq!(scalar.status, 422, "{}", scalar.body);
}
