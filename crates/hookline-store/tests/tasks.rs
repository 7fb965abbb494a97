//! Background tasks on every backend: stored as given, updated in place, listed in creation
//! order with filters.

// The fixture's items are `pub` for every test binary that includes it.
#[allow(unreachable_pub)]
mod common;

use hookline_core::Timestamp;
use hookline_store::tasks::{BackgroundTask, TaskFilter, TaskStatus, new_task_id};
use hookline_store::{Order, PageRequest, StoreError};
use serde_json::json;

fn task(kind: &str) -> BackgroundTask {
    let now = Timestamp::from_millis(1_700_000_000_000);
    BackgroundTask {
        id: new_task_id(),
        kind: kind.into(),
        status: TaskStatus::Running,
        params: json!({"endpointId": "ep_x", "since": "2024-01-01T00:00:00.000Z"}),
        data: json!({}),
        created_at: now,
        updated_at: now,
    }
}

#[tokio::test]
async fn a_task_reads_back_as_stored_and_then_as_updated() {
    for backend in common::backends("a_task_reads_back_as_stored_and_then_as_updated").await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let created = store
            .create_task(task("endpoint.recover"))
            .await
            .expect("create");
        let read = store.get_task(&created.id).await.expect("get");
        assert_eq!(read.as_ref(), Some(&created), "{name}");

        let later = created.updated_at.plus(std::time::Duration::from_secs(5));
        let progress = json!({"messagesSent": 3});
        store
            .update_task(&created.id, TaskStatus::Finished, progress.clone(), later)
            .await
            .expect("update");
        let read = store
            .get_task(&created.id)
            .await
            .expect("get")
            .expect("task");
        assert_eq!(read.status, TaskStatus::Finished, "{name}");
        assert_eq!(read.data, progress, "{name}");
        assert_eq!(read.updated_at, later, "{name}");
        assert_eq!(
            (read.params, read.created_at),
            (created.params, created.created_at),
            "{name}: what the task was asked to do does not change"
        );
    }
}

#[tokio::test]
async fn an_ended_task_is_never_changed_again() {
    for backend in common::backends("an_ended_task_is_never_changed_again").await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let created = store
            .create_task(task("endpoint.recover"))
            .await
            .expect("create");
        let ended_at = created.updated_at.plus(std::time::Duration::from_secs(5));
        let outcome = json!({"messagesSent": 2, "error": "stalled"});
        store
            .update_task(&created.id, TaskStatus::Failed, outcome.clone(), ended_at)
            .await
            .expect("end");
        // A runner that did not know (its node was taken for dead) reports progress, or two
        // nodes end it at once: refused, and the first outcome stands.
        for status in [
            TaskStatus::Running,
            TaskStatus::Finished,
            TaskStatus::Failed,
        ] {
            let late = store
                .update_task(
                    &created.id,
                    status,
                    json!({"messagesSent": 9}),
                    Timestamp::now(),
                )
                .await;
            assert!(
                matches!(late, Err(StoreError::Conflict(ref msg)) if msg.contains("already ended")),
                "{name}: {late:?}"
            );
        }
        let read = store
            .get_task(&created.id)
            .await
            .expect("get")
            .expect("task");
        assert_eq!(
            (read.status, read.data, read.updated_at),
            (TaskStatus::Failed, outcome, ended_at),
            "{name}"
        );
    }
}

#[tokio::test]
async fn an_unknown_task_is_not_found() {
    for backend in common::backends("an_unknown_task_is_not_found").await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let id = new_task_id();
        assert_eq!(store.get_task(&id).await.expect("get"), None, "{name}");
        let update = store
            .update_task(&id, TaskStatus::Failed, json!({}), Timestamp::now())
            .await;
        assert!(
            matches!(update, Err(StoreError::NotFound)),
            "{name}: {update:?}"
        );
    }
}

#[tokio::test]
async fn a_task_id_is_taken_once() {
    for backend in common::backends("a_task_id_is_taken_once").await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let first = store
            .create_task(task("endpoint.replay"))
            .await
            .expect("create");
        let again = store.create_task(first).await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{name}: {again:?}"
        );
    }
}

#[tokio::test]
async fn tasks_list_in_creation_order_narrowed_by_status_and_kind() {
    let test = "tasks_list_in_creation_order_narrowed_by_status_and_kind";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let mut ids = Vec::new();
        for kind in ["endpoint.recover", "endpoint.replay", "endpoint.recover"] {
            ids.push(store.create_task(task(kind)).await.expect("create").id);
        }
        store
            .update_task(&ids[2], TaskStatus::Finished, json!({}), Timestamp::now())
            .await
            .expect("finish");

        let list = |filter: TaskFilter, page: PageRequest| async move {
            store.list_tasks(&filter, &page).await.expect("list")
        };
        let ids_of = |page: hookline_store::Page<BackgroundTask>| -> Vec<String> {
            page.items.into_iter().map(|t| t.id).collect()
        };
        let newest_first = list(
            TaskFilter::default(),
            PageRequest::first(10, Order::Descending),
        );
        let expected: Vec<String> = ids.iter().rev().cloned().collect();
        assert_eq!(ids_of(newest_first.await), expected, "{name}");

        let recovers = TaskFilter {
            kind: Some("endpoint.recover".into()),
            ..TaskFilter::default()
        };
        let found = list(recovers, PageRequest::first(10, Order::Ascending)).await;
        assert_eq!(
            ids_of(found),
            vec![ids[0].clone(), ids[2].clone()],
            "{name}"
        );

        let running = TaskFilter {
            status: Some(TaskStatus::Running),
            ..TaskFilter::default()
        };
        let first = list(running.clone(), PageRequest::first(1, Order::Ascending)).await;
        assert!(!first.done, "{name}: two running tasks, one per page");
        let next = PageRequest {
            iterator: first.iterator.clone(),
            ..PageRequest::first(1, Order::Ascending)
        };
        let second = list(running, next).await;
        assert_eq!(ids_of(first), vec![ids[0].clone()], "{name}");
        assert_eq!(ids_of(second), vec![ids[1].clone()], "{name}");
    }
}
