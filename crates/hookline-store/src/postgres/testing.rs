//! Fresh databases for tests: each test gets its own, created on the server that
//! `HOOKLINE_TEST_DATABASE_URL` names and dropped when the guard goes.

use crate::StoreResult;

/// The variable naming the PostgreSQL server tests may use.
pub const TEST_DATABASE_URL: &str = "HOOKLINE_TEST_DATABASE_URL";

/// A database created for one test; dropped (connections and all) when this is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    /// Creates a database with a random name next to the one `HOOKLINE_TEST_DATABASE_URL`
    /// names; `None` (after saying so on stderr) when the variable is unset.
    pub async fn create(test: &str) -> StoreResult<Option<Self>> {
        let Ok(admin_url) = std::env::var(TEST_DATABASE_URL) else {
            eprintln!("skipping the PostgreSQL part of {test}: {TEST_DATABASE_URL} is not set");
            return Ok(None);
        };
        let name = format!("hookline_test_{}", super::connection::node_id());
        let (client, connection) =
            tokio_postgres::connect(&admin_url, tokio_postgres::NoTls).await?;
        let driver = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        drop(client);
        let _ = driver.await;
        Ok(Some(Self {
            url: url_with_database(&admin_url, &name),
            admin_url,
            name,
        }))
    }

    /// The URL of the fresh database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// `url` with its database (the path) replaced by `name`.
fn url_with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|i| start + i))
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside any runtime guarantee: use a thread with its own small runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let (client, connection) =
                    tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
                        .await
                        .ok()?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .ok()
            })
        });
        let _ = dropped.join();
    }
}

#[cfg(test)]
mod tests {
    use super::url_with_database;

    #[test]
    fn the_database_in_a_url_is_replaced() {
        assert_eq!(
            url_with_database("postgres://u@127.0.0.1:5432/test", "x"),
            "postgres://u@127.0.0.1:5432/x"
        );
        assert_eq!(
            url_with_database("postgres://u@127.0.0.1:5432/test?sslmode=disable", "x"),
            "postgres://u@127.0.0.1:5432/x?sslmode=disable"
        );
        assert_eq!(
            url_with_database("postgres://u@127.0.0.1", "x"),
            "postgres://u@127.0.0.1/x"
        );
    }
}
