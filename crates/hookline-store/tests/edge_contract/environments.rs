//! Environments: the registry on every backend, and on PostgreSQL the schema that holds each
//! environment's tables, which no other environment's store can see.

use std::sync::Arc;

use hookline_core::model::Application;
use hookline_core::{AppId, EnvId, Timestamp, Uid};
use hookline_store::environments::Environment;
use hookline_store::page::{Order, PageRequest};
use hookline_store::postgres::testing::TestDatabase;
use hookline_store::{PgOptions, PgStore, Store, StoreError};

fn environment(name: &str) -> Environment {
    Environment {
        id: EnvId::generate(),
        name: name.into(),
        created_at: Timestamp::from_millis(1_700_000_000_000),
    }
}

fn application(uid: &str) -> Application {
    let now = Timestamp::now();
    Application {
        id: AppId::generate(),
        uid: Some(Uid::parse(uid).expect("uid")),
        name: uid.into(),
        metadata: Default::default(),
        throttle_rate: None,
        created_at: now,
        updated_at: now,
    }
}

#[tokio::test]
async fn environments_are_recorded_listed_and_forgotten() {
    for backend in crate::common::backends("environments_registry").await {
        let (store, name) = (&backend.store, backend.name);
        let staging = store
            .create_environment(environment("staging"))
            .await
            .expect("create");
        let production = store
            .create_environment(environment("production"))
            .await
            .expect("create");
        assert_eq!(
            store.get_environment(&staging.id).await.expect("get"),
            Some(staging.clone()),
            "{name}"
        );
        let page = store
            .list_environments(&PageRequest::first(10, Order::Ascending))
            .await
            .expect("list");
        assert_eq!(
            page.items,
            vec![staging.clone(), production.clone()],
            "{name}"
        );

        let again = store.create_environment(staging.clone()).await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{name}: {again:?}"
        );

        store.delete_environment(&staging.id).await.expect("delete");
        assert_eq!(
            store.get_environment(&staging.id).await.expect("get"),
            None,
            "{name}"
        );
        let twice = store.delete_environment(&staging.id).await;
        assert!(
            matches!(twice, Err(StoreError::NotFound)),
            "{name}: {twice:?}"
        );
    }
}

async fn in_schema(db: &TestDatabase, schema: Option<&str>) -> Arc<dyn Store> {
    if let Some(schema) = schema {
        let default = PgStore::connect(PgOptions::new(db.url()))
            .await
            .expect("connect");
        default
            .create_schema(schema)
            .await
            .expect("create the schema");
    }
    let mut options = PgOptions::new(db.url());
    options.pool_size = 2;
    options.schema = schema.map(str::to_owned);
    Arc::new(PgStore::connect(options).await.expect("connect"))
}

#[tokio::test]
async fn each_postgres_schema_is_a_whole_store_that_sees_only_its_own_rows() {
    let Some(db) = TestDatabase::create("environment_schemas")
        .await
        .expect("create a test database")
    else {
        return;
    };
    // Two ids that differ only in case name two schemas: names are quoted, never folded.
    let upper = format!("env_{}", "A".repeat(22));
    let lower = format!("env_{}", "a".repeat(22));
    let default = in_schema(&db, None).await;
    let first = in_schema(&db, Some(&upper)).await;
    let second = in_schema(&db, Some(&lower)).await;
    for (store, uid) in [(&default, "acme"), (&first, "acme"), (&second, "acme")] {
        store
            .create_app(application(uid))
            .await
            .expect("same uid in every schema");
    }
    for store in [&default, &first, &second] {
        let apps = store
            .list_apps(&PageRequest::first(10, Order::Ascending))
            .await
            .expect("list");
        assert_eq!(
            apps.items.len(),
            1,
            "each schema holds its own application only"
        );
    }
    let made = first.get_app("acme").await.expect("get").expect("present");
    assert_eq!(second.get_app(made.id.as_str()).await.expect("get"), None);
    assert_eq!(default.get_app(made.id.as_str()).await.expect("get"), None);

    // A reopened schema keeps its rows; a dropped one is gone with them, and opening it does
    // not bring it back.
    let reopened = in_schema(&db, Some(&upper)).await;
    assert!(reopened.get_app("acme").await.expect("get").is_some());
    drop((first, reopened));
    let pg = PgStore::connect(PgOptions::new(db.url()))
        .await
        .expect("connect");
    pg.drop_schema(&upper).await.expect("drop");
    let mut options = PgOptions::new(db.url());
    options.schema = Some(upper.clone());
    assert!(
        PgStore::connect(options).await.is_err(),
        "a dropped schema is not made again by opening it"
    );
    let recreated = in_schema(&db, Some(&upper)).await;
    assert_eq!(recreated.get_app("acme").await.expect("get"), None);
    assert!(second.get_app("acme").await.expect("get").is_some());

    let refused = PgStore::migrate_schema(db.url(), Some("env\"; DROP TABLE x")).await;
    assert!(refused.is_err(), "only plain names are accepted");
}
