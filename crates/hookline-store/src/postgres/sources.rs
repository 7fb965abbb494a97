//! Inbound sources and their internal applications in PostgreSQL (`../sqlite/sources.rs`); the
//! events they accept are in [`inbound`].

mod inbound;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use hookline_core::model::Message;
use hookline_core::source::{AppKind, InboundEvent, InboundOutcome, Source};
use hookline_core::{AppId, EndpointId, SourceId, Timestamp, Uid};
use tokio_postgres::Row;

use super::PgStore;
use super::conflict::named;
use super::list::Listing;
use super::rows::{RowExt, to_json};
use crate::page::{Page, PageRequest};
use crate::{SourceStore, StoreError, StoreResult};

const SOURCE_COLUMNS: &str = "s.id, s.uid, s.name, s.app_id, s.source_type, s.config, \
     s.ingest_token, s.allowed_ips, s.dedupe_window_secs, s.metadata, s.created_at, s.updated_at";

fn source(row: &Row) -> StoreResult<Source> {
    Ok(Source {
        id: SourceId::from_trusted(row.col(0)?),
        uid: row.col::<Option<String>>(1)?.map(Uid::from_trusted),
        name: row.col(2)?,
        app_id: AppId::from_trusted(row.col(3)?),
        source_type: row.col(4)?,
        config: row.json(5)?,
        ingest_token: row.col(6)?,
        allowed_ips: row.json(7)?,
        dedupe_window_secs: row.int(8)?,
        metadata: row.json(9)?,
        created_at: row.ts(10)?,
        updated_at: row.ts(11)?,
    })
}

/// As on SQLite, any clash of a source's unique values is reported as its uid's.
fn uid_taken() -> String {
    "a source with this uid already exists".into()
}

/// Stores an application owned by a Hookline feature (`kind` other than customer): invisible to
/// `/api/v1/app`, but its endpoints, messages and deliveries work like any other's.
pub(crate) async fn insert_internal_app(
    c: &impl GenericClient,
    id: &AppId,
    name: &str,
    kind: AppKind,
    at: Timestamp,
) -> StoreResult<()> {
    debug_assert_ne!(
        kind,
        AppKind::Customer,
        "customer applications go through apps::create"
    );
    let statement = c
        .prepare_cached(
            "INSERT INTO applications (id, uid, name, metadata, throttle_rate, created_at,
             updated_at, kind) VALUES ($1, NULL, $2, '{}', NULL, $3, $3, $4)",
        )
        .await?;
    c.execute(
        &statement,
        &[&id.as_str(), &name, &at.as_millis(), &kind.as_str()],
    )
    .await?;
    Ok(())
}

impl PgStore {
    async fn source_where(&self, sql: &str, key: &str) -> StoreResult<Option<Source>> {
        let client = self.db.client().await?;
        let statement = client.prepare_cached(sql).await?;
        client
            .query_opt(&statement, &[&key])
            .await?
            .as_ref()
            .map(source)
            .transpose()
    }
}

#[async_trait]
impl SourceStore for PgStore {
    async fn create_source(&self, source: Source) -> StoreResult<Source> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        insert_internal_app(
            &tx,
            &source.app_id,
            &source.name,
            AppKind::Source,
            source.created_at,
        )
        .await?;
        let statement = tx
            .prepare_cached(
                "INSERT INTO sources (id, uid, name, app_id, source_type, config, ingest_token,
                 allowed_ips, dedupe_window_secs, metadata, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .await?;
        tx.execute(
            &statement,
            &[
                &source.id.as_str(),
                &source.uid.as_ref().map(|u| u.as_str()),
                &source.name,
                &source.app_id.as_str(),
                &source.source_type,
                &to_json(&source.config),
                &source.ingest_token,
                &to_json(&source.allowed_ips),
                &i64::from(source.dedupe_window_secs),
                &to_json(&source.metadata),
                &source.created_at.as_millis(),
                &source.updated_at.as_millis(),
            ],
        )
        .await
        .map_err(|err| named(err, uid_taken))?;
        tx.commit().await?;
        Ok(source)
    }

    async fn get_source(&self, id_or_uid: &str) -> StoreResult<Option<Source>> {
        let sql =
            format!("SELECT {SOURCE_COLUMNS} FROM sources s WHERE s.id = $1 OR s.uid = $1 LIMIT 1");
        self.source_where(&sql, id_or_uid).await
    }

    async fn find_ingest_source(&self, key: &str) -> StoreResult<Option<Source>> {
        // A token wins over an id or uid that happens to spell the same text.
        let sql = format!(
            "SELECT {SOURCE_COLUMNS} FROM sources s
             WHERE s.ingest_token = $1 OR s.id = $1 OR s.uid = $1
             ORDER BY s.ingest_token = $1 DESC LIMIT 1"
        );
        self.source_where(&sql, key).await
    }

    async fn list_sources(&self, page: &PageRequest) -> StoreResult<Page<Source>> {
        Listing::new(format!("SELECT {SOURCE_COLUMNS} FROM sources s"), "s.id")
            .fetch(&self.db, page, source, |s| s.id.to_string())
            .await
    }

    async fn update_source(&self, source: Source) -> StoreResult<Source> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        let statement = tx
            .prepare_cached(
                "UPDATE sources SET uid = $2, name = $3, source_type = $4, config = $5,
                 ingest_token = $6, allowed_ips = $7, dedupe_window_secs = $8, metadata = $9,
                 updated_at = $10 WHERE id = $1",
            )
            .await?;
        let changed = tx
            .execute(
                &statement,
                &[
                    &source.id.as_str(),
                    &source.uid.as_ref().map(|u| u.as_str()),
                    &source.name,
                    &source.source_type,
                    &to_json(&source.config),
                    &source.ingest_token,
                    &to_json(&source.allowed_ips),
                    &i64::from(source.dedupe_window_secs),
                    &to_json(&source.metadata),
                    &source.updated_at.as_millis(),
                ],
            )
            .await
            .map_err(|err| named(err, uid_taken))?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let rename = tx
            .prepare_cached("UPDATE applications SET name = $2, updated_at = $3 WHERE id = $1")
            .await?;
        tx.execute(
            &rename,
            &[
                &source.app_id.as_str(),
                &source.name,
                &source.updated_at.as_millis(),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(source)
    }

    async fn delete_source(&self, id: &SourceId) -> StoreResult<()> {
        let client = self.db.client().await?;
        // Deleting the application cascades to the source row, its endpoints, messages,
        // deliveries, attempts, inbound events and dedupe keys.
        let statement = client
            .prepare_cached(
                "DELETE FROM applications WHERE id = (SELECT app_id FROM sources WHERE id = $1)",
            )
            .await?;
        if client.execute(&statement, &[&id.as_str()]).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn accept_inbound(
        &self,
        event: InboundEvent,
        message: Message,
        window_secs: u32,
    ) -> StoreResult<InboundOutcome> {
        inbound::accept(&self.db, &event, &message, window_secs).await
    }

    async fn replay_inbound(
        &self,
        source: &SourceId,
        event: &str,
        endpoint: Option<&EndpointId>,
        now: Timestamp,
    ) -> StoreResult<usize> {
        inbound::replay(&self.db, source, event, endpoint, now).await
    }

    async fn list_inbound_events(
        &self,
        source: &SourceId,
        page: &PageRequest,
    ) -> StoreResult<Page<InboundEvent>> {
        inbound::list(&self.db, source, page).await
    }

    async fn get_inbound_event(
        &self,
        source: &SourceId,
        id: &str,
    ) -> StoreResult<Option<InboundEvent>> {
        inbound::get(&self.db, source, id).await
    }
}
