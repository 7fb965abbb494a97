//! Which database [`crate::spawn_app`] gives each app: a SQLite file in its temporary data
//! directory (the default), or a fresh PostgreSQL database when `HOOKLINE_TEST_STORE=postgres`
//! (created on the server `HOOKLINE_TEST_DATABASE_URL` names, dropped with the app), so the
//! same API suite runs against both backends.

use hookline_store::postgres::testing::{TEST_DATABASE_URL, TestDatabase};

/// The variable that selects the backend of the API suite.
pub const TEST_STORE: &str = "HOOKLINE_TEST_STORE";

/// Connections each test app keeps at most: enough for the API and the engine at once, few
/// enough that two tests at a time stay far below PostgreSQL's default of 100 connections.
pub const POOL_SIZE: usize = 8;

/// The backend the API suite runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStore {
    /// A SQLite file per app.
    Sqlite,
    /// A PostgreSQL database per app.
    Postgres,
}

impl TestStore {
    /// `HOOKLINE_TEST_STORE`: `postgres` (or `postgresql`) selects PostgreSQL; unset, empty or
    /// `sqlite` select SQLite; anything else stops the test run rather than testing the wrong
    /// thing.
    pub fn from_env() -> Self {
        match std::env::var(TEST_STORE).unwrap_or_default().trim() {
            "" | "sqlite" => Self::Sqlite,
            "postgres" | "postgresql" => Self::Postgres,
            other => panic!("{TEST_STORE}={other}: use 'sqlite' or 'postgres'"),
        }
    }
}

/// `true` (after saying why on stderr) when the suite runs on PostgreSQL: for tests that open
/// or read the SQLite file directly, which has no PostgreSQL counterpart.
pub fn skip_on_postgres(test: &str) -> bool {
    let skip = TestStore::from_env() == TestStore::Postgres;
    if skip {
        eprintln!("skipping {test}: it reads the SQLite file, and {TEST_STORE}=postgres");
    }
    skip
}

/// A fresh database for one app, named after the running test.
pub(crate) async fn fresh_database() -> TestDatabase {
    let test = std::thread::current()
        .name()
        .unwrap_or("a test app")
        .to_owned();
    TestDatabase::create(&test)
        .await
        .expect("create a PostgreSQL test database")
        .unwrap_or_else(|| panic!("{TEST_STORE}=postgres needs {TEST_DATABASE_URL} to be set"))
}

/// Whether any row of any table in the database at `url` holds `needle`, as text or (for
/// `BYTEA` columns, which render as `\\x...`) hex-encoded.
pub(crate) async fn postgres_contains(url: &str, needle: &[u8]) -> bool {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test database");
    let driver = tokio::spawn(connection);
    let tables = client
        .query(
            "SELECT quote_ident(table_name) FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            &[],
        )
        .await
        .expect("list the tables");
    let text = String::from_utf8_lossy(needle).into_owned();
    let hex = hex::encode(needle);
    let mut found = false;
    for table in tables {
        let table: String = table.get(0);
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM {table} t \
             WHERE strpos(t::text, $1) > 0 OR strpos(t::text, $2) > 0)"
        );
        let row = client
            .query_one(&sql, &[&text, &hex])
            .await
            .expect("search a table");
        if row.get::<_, bool>(0) {
            found = true;
            break;
        }
    }
    drop(client);
    let _ = driver.await;
    found
}
