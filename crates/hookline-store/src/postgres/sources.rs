//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::page::{Page, PageRequest};
use crate::sources::*;
use async_trait::async_trait;
use hookline_core::model::Message;
use hookline_core::source::{InboundEvent, InboundOutcome, Source};
use hookline_core::{EndpointId, SourceId, Timestamp};

#[async_trait]
impl crate::SourceStore for PgStore {
    async fn create_source(&self, source: Source) -> StoreResult<Source> {
        Err(super::unported("create_source"))
    }

    async fn get_source(&self, id_or_uid: &str) -> StoreResult<Option<Source>> {
        Err(super::unported("get_source"))
    }

    async fn find_ingest_source(&self, key: &str) -> StoreResult<Option<Source>> {
        Err(super::unported("find_ingest_source"))
    }

    async fn list_sources(&self, page: &PageRequest) -> StoreResult<Page<Source>> {
        Err(super::unported("list_sources"))
    }

    async fn update_source(&self, source: Source) -> StoreResult<Source> {
        Err(super::unported("update_source"))
    }

    async fn delete_source(&self, id: &SourceId) -> StoreResult<()> {
        Err(super::unported("delete_source"))
    }

    async fn accept_inbound(
        &self,
        event: InboundEvent,
        message: Message,
        window_secs: u32,
    ) -> StoreResult<InboundOutcome> {
        Err(super::unported("accept_inbound"))
    }

    async fn replay_inbound(
        &self,
        source: &SourceId,
        event: &str,
        endpoint: Option<&EndpointId>,
        now: Timestamp,
    ) -> StoreResult<usize> {
        Err(super::unported("replay_inbound"))
    }

    async fn list_inbound_events(
        &self,
        source: &SourceId,
        page: &PageRequest,
    ) -> StoreResult<Page<InboundEvent>> {
        Err(super::unported("list_inbound_events"))
    }

    async fn get_inbound_event(
        &self,
        source: &SourceId,
        id: &str,
    ) -> StoreResult<Option<InboundEvent>> {
        Err(super::unported("get_inbound_event"))
    }
}
