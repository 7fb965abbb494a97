//! Attempt history (`../sqlite/attempts.rs`).

use hookline_core::AppId;
use hookline_core::model::Attempt;

use super::Db;
use super::list::{Listing, int, text};
use super::messages::filtered;
use super::rows::{self, ATTEMPT_COLUMNS};
use crate::StoreResult;
use crate::page::{Page, PageRequest};
use crate::query::AttemptFilter;

pub(crate) async fn list(
    db: &Db,
    app: &AppId,
    filter: &AttemptFilter,
    page: &PageRequest,
) -> StoreResult<Page<Attempt>> {
    listing(app, filter)
        .fetch(db, page, rows::attempt, |a| a.id.to_string())
        .await
}

/// Counts the attempts `list` would return, up to `cap`.
pub(crate) async fn count(
    db: &Db,
    app: &AppId,
    filter: &AttemptFilter,
    cap: u64,
) -> StoreResult<(u64, bool)> {
    listing(app, filter).count(db, cap).await
}

fn listing(app: &AppId, filter: &AttemptFilter) -> Listing {
    let listing = Listing::new(
        format!("SELECT {ATTEMPT_COLUMNS} FROM attempts x JOIN messages m ON m.id = x.msg_id"),
        "x.id",
    )
    .filter("x.app_id = ?", text(app.as_str()))
    .filter_if(filter.msg_id.as_ref(), "x.msg_id = ?", |id| {
        text(id.as_str())
    })
    .filter_if(filter.endpoint_id.as_ref(), "x.endpoint_id = ?", |id| {
        text(id.as_str())
    })
    .filter_if(filter.attempt_id.as_ref(), "x.id = ?", |id| {
        text(id.as_str())
    })
    .filter_if(filter.status, "x.status = ?", |s| int(s.code()))
    .filter_if(
        filter.status_code_class,
        "x.response_status_code >= ? AND x.response_status_code < ?",
        |class| {
            let (low, high) = class.range();
            let mut params = int(low.into());
            params.extend(int(high.into()));
            params
        },
    );
    filtered(listing, &filter.message)
}
