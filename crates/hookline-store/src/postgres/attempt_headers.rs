//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::attempt_headers::*;
use async_trait::async_trait;
use hookline_core::exchange::AttemptHeaders;
use hookline_core::{AppId, MessageId};

#[async_trait]
impl AttemptHeadersStore for PgStore {
    async fn attempt_headers(
        &self,
        app: &AppId,
        msg: &MessageId,
        attempt_id: &str,
    ) -> StoreResult<Option<AttemptHeaders>> {
        Err(super::unported("attempt_headers"))
    }
}
