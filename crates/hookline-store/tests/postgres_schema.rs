//! The PostgreSQL schema: it applies, applying again changes nothing, and a database written by a
//! newer Hookline is refused with a message that says so. Needs `HOOKLINE_TEST_DATABASE_URL`.

use hookline_store::postgres::testing::TestDatabase;
use hookline_store::sqlite::MigrationMode;
use hookline_store::{PgOptions, PgStore, Store, StoreError};

#[tokio::test]
async fn the_schema_applies_once_and_a_newer_one_is_refused() {
    let Some(db) = TestDatabase::create("postgres_schema")
        .await
        .expect("create a database")
    else {
        return;
    };
    let store = PgStore::connect(PgOptions::new(db.url()))
        .await
        .expect("migrate a fresh database");
    store.ping().await.expect("ping");
    drop(store);

    let mut verify = PgOptions::new(db.url());
    verify.migrations = MigrationMode::Verify;
    PgStore::connect(verify.clone())
        .await
        .expect("an up-to-date schema passes the check");
    PgStore::connect(PgOptions::new(db.url()))
        .await
        .expect("migrating again is a no-op");

    let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
        .execute("UPDATE hookline_schema SET version = version + 1", &[])
        .await
        .expect("pretend a newer Hookline migrated");
    for options in [PgOptions::new(db.url()), verify] {
        let err = PgStore::connect(options)
            .await
            .expect_err("a newer schema is refused");
        assert!(
            matches!(err, StoreError::SchemaTooNew { found, known } if found == known + 1),
            "{err:?}"
        );
        assert!(err.to_string().contains("upgrade Hookline"), "{err}");
    }
}
