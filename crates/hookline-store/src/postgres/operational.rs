//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::operational::*;
use async_trait::async_trait;
use hookline_core::operational::OperationalEvent;

#[async_trait]
impl OperationalStore for PgStore {
    async fn emit_operational(&self, events: Vec<OperationalEvent>) -> StoreResult<usize> {
        Err(super::unported("emit_operational"))
    }
}
