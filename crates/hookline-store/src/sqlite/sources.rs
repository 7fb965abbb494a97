//! Inbound sources and their internal applications.

use async_trait::async_trait;
use hookline_core::model::Message;
use hookline_core::source::{AppKind, InboundEvent, InboundOutcome, Source};
use hookline_core::{AppId, EndpointId, SourceId, Timestamp, Uid};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, named_params};

use super::SqliteStore;
use super::inbound_events;
use super::list::Listing;
use super::rows::to_json;
use crate::page::{Page, PageRequest};
use crate::{SourceStore, StoreError, StoreResult};

const SOURCE_COLUMNS: &str = "s.id, s.uid, s.name, s.app_id, s.source_type, s.config, \
     s.ingest_token, s.allowed_ips, s.dedupe_window_secs, s.metadata, s.created_at, s.updated_at";

fn json_col<T: serde::de::DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

fn source(row: &Row<'_>) -> rusqlite::Result<Source> {
    Ok(Source {
        id: SourceId::from_trusted(row.get(0)?),
        uid: row.get::<_, Option<String>>(1)?.map(Uid::from_trusted),
        name: row.get(2)?,
        app_id: AppId::from_trusted(row.get(3)?),
        source_type: row.get(4)?,
        config: json_col(row, 5)?,
        ingest_token: row.get(6)?,
        allowed_ips: json_col(row, 7)?,
        dedupe_window_secs: row.get(8)?,
        metadata: json_col(row, 9)?,
        created_at: Timestamp::from_millis(row.get(10)?),
        updated_at: Timestamp::from_millis(row.get(11)?),
    })
}

fn uid_conflict(err: rusqlite::Error) -> StoreError {
    match StoreError::from(err) {
        StoreError::Conflict(_) => {
            StoreError::Conflict("a source with this uid already exists".into())
        }
        other => other,
    }
}

/// Stores an application owned by a Hookline feature (`kind` other than customer): invisible to
/// `/api/v1/app`, but its endpoints, messages and deliveries work like any other's. Operational
/// webhooks are meant to reuse this with [`AppKind::Operational`].
pub(crate) fn insert_internal_app(
    conn: &Connection,
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
    conn.prepare_cached(
        "INSERT INTO applications (id, uid, name, metadata, throttle_rate, created_at, updated_at,
         kind) VALUES (?1, NULL, ?2, '{}', NULL, ?3, ?3, ?4)",
    )?
    .execute(rusqlite::params![
        id.as_str(),
        name,
        at.as_millis(),
        kind.as_str()
    ])?;
    Ok(())
}

fn create(conn: &Connection, source: Source) -> StoreResult<Source> {
    insert_internal_app(
        conn,
        &source.app_id,
        &source.name,
        AppKind::Source,
        source.created_at,
    )?;
    conn.prepare_cached(
        "INSERT INTO sources (id, uid, name, app_id, source_type, config, ingest_token,
         allowed_ips, dedupe_window_secs, metadata, created_at, updated_at)
         VALUES (:id, :uid, :name, :app_id, :source_type, :config, :ingest_token,
         :allowed_ips, :dedupe_window_secs, :metadata, :created_at, :updated_at)",
    )?
    .execute(named_params! {
        ":id": source.id.as_str(),
        ":uid": source.uid.as_ref().map(|u| u.as_str()),
        ":name": source.name,
        ":app_id": source.app_id.as_str(),
        ":source_type": source.source_type,
        ":config": to_json(&source.config),
        ":ingest_token": source.ingest_token,
        ":allowed_ips": to_json(&source.allowed_ips),
        ":dedupe_window_secs": source.dedupe_window_secs,
        ":metadata": to_json(&source.metadata),
        ":created_at": source.created_at.as_millis(),
        ":updated_at": source.updated_at.as_millis(),
    })
    .map_err(uid_conflict)?;
    Ok(source)
}

fn get(conn: &Connection, id_or_uid: &str) -> StoreResult<Option<Source>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SOURCE_COLUMNS} FROM sources s WHERE s.id = ?1 OR s.uid = ?1 LIMIT 1"
        ))?
        .query_row([id_or_uid], source)
        .optional()?)
}

fn find_ingest(conn: &Connection, key: &str) -> StoreResult<Option<Source>> {
    Ok(conn
        .prepare_cached(&format!(
            // A token wins over an id or uid that happens to spell the same text.
            "SELECT {SOURCE_COLUMNS} FROM sources s
             WHERE s.ingest_token = ?1 OR s.id = ?1 OR s.uid = ?1
             ORDER BY s.ingest_token = ?1 DESC LIMIT 1"
        ))?
        .query_row([key], source)
        .optional()?)
}

fn list(conn: &Connection, page: &PageRequest) -> StoreResult<Page<Source>> {
    Listing::new(format!("SELECT {SOURCE_COLUMNS} FROM sources s"), "s.id").fetch(
        conn,
        page,
        source,
        |s| s.id.to_string(),
    )
}

fn update(conn: &Connection, source: Source) -> StoreResult<Source> {
    let changed = conn
        .prepare_cached(
            "UPDATE sources SET uid = :uid, name = :name, source_type = :source_type,
             config = :config, ingest_token = :ingest_token, allowed_ips = :allowed_ips,
             dedupe_window_secs = :dedupe_window_secs, metadata = :metadata,
             updated_at = :updated_at WHERE id = :id",
        )?
        .execute(named_params! {
            ":id": source.id.as_str(),
            ":uid": source.uid.as_ref().map(|u| u.as_str()),
            ":name": source.name,
            ":source_type": source.source_type,
            ":config": to_json(&source.config),
            ":ingest_token": source.ingest_token,
            ":allowed_ips": to_json(&source.allowed_ips),
            ":dedupe_window_secs": source.dedupe_window_secs,
            ":metadata": to_json(&source.metadata),
            ":updated_at": source.updated_at.as_millis(),
        })
        .map_err(uid_conflict)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    conn.prepare_cached("UPDATE applications SET name = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(rusqlite::params![
            source.app_id.as_str(),
            source.name,
            source.updated_at.as_millis()
        ])?;
    Ok(source)
}

fn delete(conn: &Connection, id: &SourceId) -> StoreResult<()> {
    // Deleting the application cascades to the source row, its endpoints, messages, deliveries,
    // attempts, inbound events and dedupe keys.
    let changed = conn
        .prepare_cached(
            "DELETE FROM applications WHERE id = (SELECT app_id FROM sources WHERE id = ?1)",
        )?
        .execute([id.as_str()])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[async_trait]
impl SourceStore for SqliteStore {
    async fn create_source(&self, source: Source) -> StoreResult<Source> {
        self.writer.write(move |c| create(c, source)).await
    }
    async fn get_source(&self, id_or_uid: &str) -> StoreResult<Option<Source>> {
        let key = id_or_uid.to_owned();
        self.readers.read(move |c| get(c, &key)).await
    }
    async fn find_ingest_source(&self, key: &str) -> StoreResult<Option<Source>> {
        let key = key.to_owned();
        self.readers.read(move |c| find_ingest(c, &key)).await
    }
    async fn list_sources(&self, page: &PageRequest) -> StoreResult<Page<Source>> {
        let page = page.clone();
        self.readers.read(move |c| list(c, &page)).await
    }
    async fn update_source(&self, source: Source) -> StoreResult<Source> {
        self.writer.write(move |c| update(c, source)).await
    }
    async fn delete_source(&self, id: &SourceId) -> StoreResult<()> {
        let id = id.clone();
        self.writer.write(move |c| delete(c, &id)).await
    }

    async fn accept_inbound(
        &self,
        event: InboundEvent,
        message: Message,
        window_secs: u32,
    ) -> StoreResult<InboundOutcome> {
        self.writer
            .write(move |c| inbound_events::accept(c, event, message, window_secs))
            .await
    }
    async fn replay_inbound(
        &self,
        source: &SourceId,
        event: &str,
        endpoint: Option<&EndpointId>,
        now: Timestamp,
    ) -> StoreResult<usize> {
        let (source, event) = (source.clone(), event.to_owned());
        let endpoint = endpoint.cloned();
        self.writer
            .write(move |c| inbound_events::replay(c, &source, &event, endpoint.as_ref(), now))
            .await
    }
    async fn list_inbound_events(
        &self,
        source: &SourceId,
        page: &PageRequest,
    ) -> StoreResult<Page<InboundEvent>> {
        let (source, page) = (source.clone(), page.clone());
        self.readers
            .read(move |c| inbound_events::list(c, &source, &page))
            .await
    }
    async fn get_inbound_event(
        &self,
        source: &SourceId,
        id: &str,
    ) -> StoreResult<Option<InboundEvent>> {
        let (source, id) = (source.clone(), id.to_owned());
        self.readers
            .read(move |c| inbound_events::get(c, &source, &id))
            .await
    }
}
