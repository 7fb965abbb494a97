//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::feed::*;
use async_trait::async_trait;
use hookline_core::model::{Endpoint, Message};
use hookline_core::{AppId, Channel, EndpointId, EventTypeName, Timestamp};
use std::time::Duration;

#[async_trait]
impl crate::FeedStore for PgStore {
    async fn read_feed(&self, query: FeedQuery) -> StoreResult<FeedBatch> {
        Err(super::unported("read_feed"))
    }

    async fn feed_head(&self) -> StoreResult<FeedPosition> {
        Err(super::unported("feed_head"))
    }

    async fn feed_position_at(
        &self,
        app: Option<&AppId>,
        time: Timestamp,
    ) -> StoreResult<FeedPosition> {
        Err(super::unported("feed_position_at"))
    }

    fn feed_signal(&self) -> FeedSignal {
        self.feed.clone()
    }

    async fn get_consumer(
        &self,
        endpoint: &EndpointId,
        consumer_id: &str,
    ) -> StoreResult<Option<ConsumerState>> {
        Err(super::unported("get_consumer"))
    }

    async fn save_consumer(&self, state: ConsumerState) -> StoreResult<()> {
        Err(super::unported("save_consumer"))
    }
}
