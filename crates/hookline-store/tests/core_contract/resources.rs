//! Applications, event types and endpoints: round trips, uid lookups, clashes.

use hookline_core::{AppId, Timestamp};
use hookline_store::StoreError;

use crate::common;
use crate::fixtures::{application, channel, endpoint, event_type, event_type_name, new_app, uid};
#[tokio::test]
async fn applications_round_trip_by_id_and_uid() {
    for backend in common::backends("applications_round_trip_by_id_and_uid").await {
        let (store, name) = (&backend.store, backend.name);
        let app = store
            .create_app(application(Some("acme")))
            .await
            .expect("create");
        let by_id = store.get_app(app.id.as_str()).await.expect("get");
        assert_eq!(by_id.as_ref(), Some(&app), "{name}: by id");
        let by_uid = store.get_app("acme").await.expect("get by uid");
        assert_eq!(by_uid.as_ref(), Some(&app), "{name}: by uid");
        assert_eq!(store.get_app("nobody").await.expect("get"), None, "{name}");

        let mut changed = app.clone();
        changed.name = "Acme Corp".into();
        changed.uid = Some(uid("acme-corp"));
        changed.throttle_rate = None;
        changed.updated_at = Timestamp::from_millis(app.updated_at.as_millis() + 1);
        store.update_app(changed.clone()).await.expect("update");
        let read = store.get_app("acme-corp").await.expect("get");
        assert_eq!(read, Some(changed), "{name}: update persisted");
        assert_eq!(store.get_app("acme").await.expect("get"), None, "{name}");

        let mut ghost = application(None);
        ghost.id = AppId::generate();
        let missing = store.update_app(ghost).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound)),
            "{name}: {missing:?}"
        );
    }
}

#[tokio::test]
async fn application_uid_clash_is_a_conflict_naming_the_uid() {
    for backend in common::backends("application_uid_clash_is_a_conflict").await {
        let (store, name) = (&backend.store, backend.name);
        store
            .create_app(application(Some("acme")))
            .await
            .expect("create");
        let clash = store.create_app(application(Some("acme"))).await;
        match clash {
            Err(StoreError::Conflict(text)) => {
                assert!(text.contains("uid"), "{name}: {text}")
            }
            other => panic!("{name}: expected a conflict, got {other:?}"),
        }
        let other = store
            .create_app(application(Some("other")))
            .await
            .expect("create");
        let mut renamed = other.clone();
        renamed.uid = Some(uid("acme"));
        let clash = store.update_app(renamed).await;
        assert!(
            matches!(clash, Err(StoreError::Conflict(_))),
            "{name}: {clash:?}"
        );
    }
}

#[tokio::test]
async fn event_types_round_trip_and_refuse_duplicates() {
    for backend in common::backends("event_types_round_trip").await {
        let (store, name) = (&backend.store, backend.name);
        let created = store
            .create_event_type(event_type("invoice.paid"))
            .await
            .expect("create");
        let read = store.get_event_type("invoice.paid").await.expect("get");
        assert_eq!(read.as_ref(), Some(&created), "{name}");

        let clash = store.create_event_type(event_type("invoice.paid")).await;
        match clash {
            Err(StoreError::Conflict(text)) => {
                assert!(text.contains("invoice.paid"), "{name}: {text}")
            }
            other => panic!("{name}: expected a conflict, got {other:?}"),
        }

        // Upsert replaces everything but the creation time.
        let mut replaced = event_type("invoice.paid");
        replaced.description = "Paid in full".into();
        replaced.archived = true;
        replaced.schemas = None;
        replaced.created_at = Timestamp::from_millis(created.created_at.as_millis() + 5_000);
        let stored = store
            .upsert_event_type(replaced.clone())
            .await
            .expect("upsert");
        assert_eq!(stored.description, "Paid in full", "{name}");
        assert!(
            stored.archived && stored.schemas.is_none(),
            "{name}: {stored:?}"
        );
        assert_eq!(
            stored.created_at, created.created_at,
            "{name}: creation kept"
        );
        let fresh = store
            .upsert_event_type(event_type("invoice.void"))
            .await
            .expect("upsert creates");
        assert_eq!(fresh.name.as_str(), "invoice.void", "{name}");

        store
            .delete_event_type(&event_type_name("invoice.void"))
            .await
            .expect("delete");
        assert_eq!(
            store.get_event_type("invoice.void").await.expect("get"),
            None
        );
        let again = store
            .delete_event_type(&event_type_name("invoice.void"))
            .await;
        assert!(
            matches!(again, Err(StoreError::NotFound)),
            "{name}: {again:?}"
        );
    }
}

#[tokio::test]
async fn endpoints_round_trip_by_id_and_uid_within_their_application() {
    for backend in common::backends("endpoints_round_trip").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let other_app = new_app(store).await;
        let mut ep = endpoint(&app);
        ep.uid = Some(uid("billing"));
        ep.event_types = Some(vec![event_type_name("invoice.paid")]);
        ep.channels = Some(vec![channel("eu")]);
        ep.throttle_rate = Some(7);
        let ep = store.create_endpoint(ep).await.expect("create");

        let by_id = store.get_endpoint(&app, ep.id.as_str()).await.expect("get");
        assert_eq!(by_id.as_ref(), Some(&ep), "{name}: by id");
        let by_uid = store.get_endpoint(&app, "billing").await.expect("get");
        assert_eq!(by_uid.as_ref(), Some(&ep), "{name}: by uid");
        let elsewhere = store
            .get_endpoint(&other_app, "billing")
            .await
            .expect("get");
        assert_eq!(elsewhere, None, "{name}: uids are per application");

        // The same uid in another application is fine; twice in one is a conflict.
        let mut twin = endpoint(&other_app);
        twin.uid = Some(uid("billing"));
        store
            .create_endpoint(twin)
            .await
            .expect("uid in another app");
        let mut clash = endpoint(&app);
        clash.uid = Some(uid("billing"));
        match store.create_endpoint(clash).await {
            Err(StoreError::Conflict(text)) => assert!(text.contains("uid"), "{name}: {text}"),
            other => panic!("{name}: expected a conflict, got {other:?}"),
        }

        // Updates change everything but the secret.
        let mut changed = ep.clone();
        changed.description = "invoices".into();
        changed.disabled = true;
        changed.event_types = None;
        changed.secret = "whsec_changed".into();
        store
            .update_endpoint(changed.clone())
            .await
            .expect("update");
        let read = store
            .get_endpoint(&app, ep.id.as_str())
            .await
            .expect("get")
            .expect("present");
        assert_eq!(read.description, "invoices", "{name}");
        assert!(
            read.disabled && read.event_types.is_none(),
            "{name}: {read:?}"
        );
        assert_eq!(
            read.secret, ep.secret,
            "{name}: update leaves the secret alone"
        );

        let mut wrong_app = changed.clone();
        wrong_app.app_id = other_app.clone();
        let missing = store.update_endpoint(wrong_app).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound)),
            "{name}: {missing:?}"
        );
        let missing = store.delete_endpoint(&other_app, &ep.id).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound)),
            "{name}: {missing:?}"
        );
        store.delete_endpoint(&app, &ep.id).await.expect("delete");
        assert_eq!(
            store.get_endpoint(&app, ep.id.as_str()).await.expect("get"),
            None
        );
    }
}
