//! The embedded SQLite store: one writer thread with group commit, a pool of readers.

mod apps;
mod attempt_headers;
mod attempts;
mod connection;
mod deliveries;
mod endpoint_secrets;
mod endpoints;
mod engine;
mod environments;
mod event_types;
mod feed;
mod idempotency;
mod inbound_events;
mod keys;
mod list;
mod maintenance;
mod messages;
mod migrations;
mod operational;
mod readers;
mod replay;
pub(crate) mod rows;
mod schemas;
mod sources;
mod tasks;
mod tools;
mod writer;

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use hookline_core::model::{Application, Attempt, Delivery, Endpoint, EventType, Message};
use hookline_core::{AppId, EndpointId, EventTypeName, Timestamp};

use crate::page::{Page, PageRequest};
use crate::query::{
    AcceptedMessage, AttemptFilter, AttemptRecord, ClaimRequest, DeliveryJob, MessageFilter,
};
use crate::{Store, StoreResult};
use readers::Readers;
use writer::Writer;

/// Readers allowed at once; SQLite readers are cheap, this bounds blocking threads.
const READERS: usize = 8;

/// Whether to bring the schema up to date when opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationMode {
    /// Apply pending migrations (the default for `serve`).
    Apply,
    /// Refuse to start unless the schema is already current (`--no-migrate`).
    Verify,
}

/// Hookline's storage in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    path: PathBuf,
    writer: Writer,
    readers: std::sync::Arc<Readers>,
    /// Wakes feed readers after commits that added messages (whichever operation added them).
    feed: crate::feed::FeedSignal,
    /// Wakes the delivery engine after commits that planned deliveries.
    due: crate::due::DueSignal,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, migrating it first.
    pub fn open(path: &Path) -> StoreResult<Self> {
        Self::open_with(path, MigrationMode::Apply)
    }

    /// Opens the database at `path`, migrating or only verifying the schema.
    pub fn open_with(path: &Path, mode: MigrationMode) -> StoreResult<Self> {
        let conn = connection::open_writer(path)?;
        match mode {
            MigrationMode::Apply => migrations::migrate(&conn)?,
            MigrationMode::Verify => migrations::check(&conn)?,
        }
        let feed = crate::feed::FeedSignal::new();
        let mut wake_feed = feed::wake_on_append(&conn, feed.clone())?;
        let due = crate::due::DueSignal::default();
        let mut wake_engine = deliveries::wake_on_plan(&conn, due.clone())?;
        let after_commit: writer::AfterCommit = Box::new(move |conn| {
            wake_feed(conn);
            wake_engine(conn);
        });
        Ok(Self {
            path: path.to_owned(),
            writer: Writer::start(conn, after_commit)?,
            readers: std::sync::Arc::new(Readers::new(path.to_owned(), READERS)),
            feed,
            due,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version this build writes.
    pub fn schema_version() -> i64 {
        migrations::latest_version()
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.readers
            .read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn create_app(&self, app: Application) -> StoreResult<Application> {
        self.writer.write(move |c| apps::create(c, app)).await
    }
    async fn get_app(&self, id_or_uid: &str) -> StoreResult<Option<Application>> {
        let key = id_or_uid.to_owned();
        self.readers.read(move |c| apps::get(c, &key)).await
    }
    async fn list_apps(&self, page: &PageRequest) -> StoreResult<Page<Application>> {
        let page = page.clone();
        self.readers.read(move |c| apps::list(c, &page)).await
    }
    async fn update_app(&self, app: Application) -> StoreResult<Application> {
        self.writer.write(move |c| apps::update(c, app)).await
    }
    async fn delete_app(&self, id: &AppId) -> StoreResult<()> {
        let id = id.clone();
        self.writer.write(move |c| apps::delete(c, &id)).await
    }

    async fn create_event_type(&self, event_type: EventType) -> StoreResult<EventType> {
        self.writer
            .write(move |c| event_types::create(c, event_type))
            .await
    }
    async fn get_event_type(&self, name: &str) -> StoreResult<Option<EventType>> {
        let name = name.to_owned();
        self.readers.read(move |c| event_types::get(c, &name)).await
    }
    async fn list_event_types(
        &self,
        page: &PageRequest,
        include_archived: bool,
    ) -> StoreResult<Page<EventType>> {
        let page = page.clone();
        self.readers
            .read(move |c| event_types::list(c, &page, include_archived))
            .await
    }
    async fn upsert_event_type(&self, event_type: EventType) -> StoreResult<EventType> {
        self.writer
            .write(move |c| event_types::upsert(c, event_type))
            .await
    }
    async fn delete_event_type(&self, name: &EventTypeName) -> StoreResult<()> {
        let name = name.clone();
        self.writer
            .write(move |c| event_types::delete(c, &name))
            .await
    }

    async fn create_endpoint(&self, endpoint: Endpoint) -> StoreResult<Endpoint> {
        self.writer
            .write(move |c| endpoints::create(c, endpoint))
            .await
    }
    async fn get_endpoint(&self, app: &AppId, id_or_uid: &str) -> StoreResult<Option<Endpoint>> {
        let (app, key) = (app.clone(), id_or_uid.to_owned());
        self.readers
            .read(move |c| endpoints::get(c, &app, &key))
            .await
    }
    async fn list_endpoints(&self, app: &AppId, page: &PageRequest) -> StoreResult<Page<Endpoint>> {
        let (app, page) = (app.clone(), page.clone());
        self.readers
            .read(move |c| endpoints::list(c, &app, &page))
            .await
    }
    async fn update_endpoint(&self, endpoint: Endpoint) -> StoreResult<Endpoint> {
        self.writer
            .write(move |c| endpoints::update(c, endpoint))
            .await
    }
    async fn delete_endpoint(&self, app: &AppId, id: &EndpointId) -> StoreResult<()> {
        let (app, id) = (app.clone(), id.clone());
        self.writer
            .write(move |c| endpoints::delete(c, &app, &id))
            .await
    }

    async fn create_message(&self, message: Message) -> StoreResult<AcceptedMessage> {
        // A taken eventId fails the first insert, before any change: no savepoint needed.
        self.writer
            .write_shared(move |c| messages::create(c, message))
            .await
    }
    async fn get_message(&self, app: &AppId, id_or_event_id: &str) -> StoreResult<Option<Message>> {
        let (app, key) = (app.clone(), id_or_event_id.to_owned());
        self.readers
            .read(move |c| messages::get(c, &app, &key))
            .await
    }
    async fn list_messages(
        &self,
        app: &AppId,
        filter: &MessageFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Message>> {
        let (app, filter, page) = (app.clone(), filter.clone(), page.clone());
        self.readers
            .read(move |c| messages::list(c, &app, &filter, &page))
            .await
    }
    async fn list_attempts(
        &self,
        app: &AppId,
        filter: &AttemptFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Attempt>> {
        let (app, filter, page) = (app.clone(), filter.clone(), page.clone());
        self.readers
            .read(move |c| attempts::list(c, &app, &filter, &page))
            .await
    }
    async fn list_message_deliveries(
        &self,
        app: &AppId,
        msg: &str,
        page: &PageRequest,
    ) -> StoreResult<Page<(Endpoint, Delivery)>> {
        let (app, msg, page) = (app.clone(), msg.to_owned(), page.clone());
        self.readers
            .read(move |c| messages::list_deliveries(c, &app, &msg, &page))
            .await
    }
    async fn list_endpoint_deliveries(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        filter: &MessageFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<(Message, Delivery)>> {
        let (app, endpoint) = (app.clone(), endpoint.clone());
        let (filter, page) = (filter.clone(), page.clone());
        self.readers
            .read(move |c| messages::list_for_endpoint(c, &app, &endpoint, &filter, &page))
            .await
    }

    async fn claim_due(&self, claim: ClaimRequest) -> StoreResult<Vec<DeliveryJob>> {
        // Find on a reader (the index walk never blocks writes), then lease on the writer.
        let find = claim.clone();
        let candidates = self
            .readers
            .read(move |c| deliveries::find_due(c, &find))
            .await?;
        if candidates.is_empty() {
            return Ok(candidates);
        }
        // The lease steers work, it promises nothing to anyone: it need not wait for the disk
        // (a crash of the machine only undoes it, and the delivery is then sent again).
        let mut jobs = self
            .writer
            .write_relaxed(move |c| deliveries::lease(c, candidates, &claim))
            .await?;
        // Inbound events carry their original request; it never changes, so a reader serves it.
        if jobs.iter().any(inbound_events::may_be_inbound) {
            jobs = self
                .readers
                .read(move |c| {
                    inbound_events::attach_forwarding(c, &mut jobs)?;
                    Ok(jobs)
                })
                .await?;
        }
        Ok(jobs)
    }
    async fn record_attempts(&self, records: Vec<AttemptRecord>) -> StoreResult<()> {
        // Recording fails only with a broken database: no savepoint needed.
        self.writer
            .write_shared(move |c| deliveries::record_attempts(c, records))
            .await
    }
    async fn next_due_at(&self) -> StoreResult<Option<Timestamp>> {
        self.readers.read(deliveries::next_due_at).await
    }
}
