//! PostgreSQL: TODO(port) — claiming due deliveries and recording attempts (../sqlite/deliveries.rs).

#![allow(unused_variables)]

use hookline_core::Timestamp;

use super::PgStore;
use crate::StoreResult;
use crate::query::{AttemptRecord, ClaimRequest, DeliveryJob};

pub(crate) async fn claim_due(
    store: &PgStore,
    claim: ClaimRequest,
) -> StoreResult<Vec<DeliveryJob>> {
    Err(super::unported("claim_due"))
}

pub(crate) async fn record_attempts(
    store: &PgStore,
    records: Vec<AttemptRecord>,
) -> StoreResult<()> {
    Err(super::unported("record_attempts"))
}

pub(crate) async fn next_due_at(store: &PgStore) -> StoreResult<Option<Timestamp>> {
    Err(super::unported("next_due_at"))
}
