//! Read, change, save, and start over when another request saved first.
//!
//! A consumer route changes a consumer in memory and saves it with the store's compare-and-set:
//! the save is refused when another request (on this node or another one) saved the consumer
//! after this one read it. Starting over from the read then gives the same answer as if the
//! requests had run one after the other: a lease is never handed to two callers, and a commit
//! is never undone by a lease saved from an older read. A route answers only after its own save
//! went through, so nothing it read is handed out by a request whose save was refused.

use std::time::Duration;

use hookline_store::StoreError;
use hookline_store::feed::ConsumerState;
use tokio::time::Instant;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// How many times a consumer route reads, changes and saves before giving up. A save is refused
/// only after another request's save succeeded, so a request fails only when more than this many
/// others changed the same consumer while it ran.
pub(super) const SAVE_ATTEMPTS: usize = 10;

/// Runs `attempt` (one read, change and save of a consumer, `None` when its save was refused)
/// until one is saved, at most [`SAVE_ATTEMPTS`] times; then a 409 naming the consumer. Each
/// attempt reads everything again, the endpoint included, so an endpoint deleted or disabled
/// meanwhile is answered as such.
pub(super) async fn until_saved<T, F>(
    consumer_id: &str,
    mut attempt: impl FnMut() -> F,
) -> ApiResult<T>
where
    F: Future<Output = ApiResult<Option<T>>>,
{
    for _ in 0..SAVE_ATTEMPTS {
        if let Some(done) = attempt().await? {
            return Ok(done);
        }
        metrics::counter!("hookline_pull_consumer_saves_refused_total").increment(1);
    }
    Err(ApiError::Conflict(format!(
        "consumer {consumer_id:?} was changed by other requests {SAVE_ATTEMPTS} times while this \
         one tried to change it; this request handed out and committed nothing, so retry it"
    )))
}

/// Saves `consumer`: `false` when the store refused because another request saved it since it
/// was read (or its endpoint was deleted), and the caller must start over from the read.
pub(super) async fn saved(state: &AppState, consumer: ConsumerState) -> ApiResult<bool> {
    match state.store.save_consumer(consumer).await {
        Ok(_) => Ok(true),
        Err(StoreError::Conflict(_)) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// What is left of a request's `wait` that began at `started`: retries do not wait longer in all
/// than the request asked.
pub(super) fn remaining(started: Instant, wait: Duration) -> Duration {
    (started + wait).saturating_duration_since(Instant::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_that_keeps_losing_the_race_gives_up_with_a_409_naming_the_consumer() {
        let mut attempts = 0;
        let answer: ApiResult<()> = until_saved("worker-1", || {
            attempts += 1;
            async { Ok(None) }
        })
        .await;
        assert_eq!(attempts, SAVE_ATTEMPTS);
        match answer {
            Err(ApiError::Conflict(detail)) => {
                assert!(detail.contains("\"worker-1\""), "{detail}");
                assert!(detail.contains("retry"), "{detail}");
            }
            other => panic!("not a conflict: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_request_that_loses_a_few_races_answers_from_the_attempt_that_saved() {
        let mut attempts = 0;
        let answer = until_saved("worker-1", || {
            attempts += 1;
            let n = attempts;
            async move { Ok((n == 3).then_some(n)) }
        })
        .await;
        assert_eq!(answer.ok(), Some(3));
    }

    #[tokio::test]
    async fn other_errors_end_the_request_at_once() {
        let mut attempts = 0;
        let answer: ApiResult<()> = until_saved("worker-1", || {
            attempts += 1;
            async { Err(ApiError::not_found("consumer")) }
        })
        .await;
        assert_eq!(attempts, 1);
        assert!(matches!(answer, Err(ApiError::NotFound(_))));
    }
}
