//! Payload validation switches and endpoint secret replacement.

use hookline_core::EndpointId;
use hookline_store::StoreError;

use crate::common;
use crate::fixtures::{add_endpoint, endpoint, event_type, event_type_name, new_app, now};

#[tokio::test]
async fn payload_validation_is_off_until_turned_on_and_needs_schemas() {
    for backend in common::backends("payload_validation").await {
        let (store, name) = (&backend.store, backend.name);
        let missing = store.set_payload_validation("nope.none", true).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound)),
            "{name}: {missing:?}"
        );

        let et = store
            .create_event_type(event_type("invoice.paid"))
            .await
            .expect("create");
        let mut bare = event_type("invoice.void");
        bare.schemas = None;
        store.create_event_type(bare).await.expect("create");
        assert!(
            !store
                .payload_validation("invoice.paid")
                .await
                .expect("read"),
            "{name}"
        );
        assert_eq!(
            store
                .validating_schemas("invoice.paid")
                .await
                .expect("read"),
            None
        );

        store
            .set_payload_validation("invoice.paid", true)
            .await
            .expect("turn on");
        assert!(
            store
                .payload_validation("invoice.paid")
                .await
                .expect("read"),
            "{name}"
        );
        assert_eq!(
            store
                .validating_schemas("invoice.paid")
                .await
                .expect("read"),
            et.schemas,
            "{name}"
        );
        // On, but nothing to check against.
        store
            .set_payload_validation("invoice.void", true)
            .await
            .expect("turn on");
        assert_eq!(
            store
                .validating_schemas("invoice.void")
                .await
                .expect("read"),
            None
        );

        store
            .set_payload_validation("invoice.paid", false)
            .await
            .expect("turn off");
        assert!(
            !store
                .payload_validation("invoice.paid")
                .await
                .expect("read"),
            "{name}"
        );
        assert_eq!(
            store
                .validating_schemas("invoice.paid")
                .await
                .expect("read"),
            None
        );

        // The setting goes with its event type.
        store
            .delete_event_type(&event_type_name("invoice.void"))
            .await
            .expect("delete");
        assert!(
            !store
                .payload_validation("invoice.void")
                .await
                .expect("read"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_secret_is_replaced_only_if_it_is_still_the_expected_one() {
    for backend in common::backends("replace_endpoint_secret").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let ep = add_endpoint(store, endpoint(&app)).await;
        let original = endpoint(&app).secret;

        let replaced = store
            .replace_endpoint_secret(&app, &ep, &original, "whsec_second", now())
            .await
            .expect("replace");
        assert!(replaced, "{name}");
        let read = store.get_endpoint(&app, ep.as_str()).await.expect("get");
        assert_eq!(
            read.map(|e| e.secret).as_deref(),
            Some("whsec_second"),
            "{name}"
        );

        // A writer that read the old secret loses, and changes nothing.
        let stale = store
            .replace_endpoint_secret(&app, &ep, &original, "whsec_third", now())
            .await
            .expect("replace");
        assert!(!stale, "{name}");
        let read = store.get_endpoint(&app, ep.as_str()).await.expect("get");
        assert_eq!(
            read.map(|e| e.secret).as_deref(),
            Some("whsec_second"),
            "{name}"
        );

        let other_app = new_app(store).await;
        let elsewhere = store
            .replace_endpoint_secret(&other_app, &ep, "whsec_second", "x", now())
            .await;
        assert!(
            matches!(elsewhere, Err(StoreError::NotFound)),
            "{name}: {elsewhere:?}"
        );
        let missing = store
            .replace_endpoint_secret(&app, &EndpointId::generate(), "a", "b", now())
            .await;
        assert!(
            matches!(missing, Err(StoreError::NotFound)),
            "{name}: {missing:?}"
        );
    }
}

#[tokio::test]
async fn unsealed_secrets_are_found_in_batches() {
    for backend in common::backends("unsealed_endpoint_secrets").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let mut sealed = endpoint(&app);
        sealed.secret = "hlenc1:AAAA".into();
        add_endpoint(store, sealed).await;
        let mut plain = Vec::new();
        for _ in 0..3 {
            plain.push(add_endpoint(store, endpoint(&app)).await);
        }

        let found = store
            .unsealed_endpoint_secrets("hlenc1:", 10)
            .await
            .expect("find");
        let mut ids: Vec<EndpointId> = found.iter().map(|(_, id, _)| id.clone()).collect();
        ids.sort();
        plain.sort();
        assert_eq!(ids, plain, "{name}");
        for (found_app, _, secret) in &found {
            assert_eq!(found_app, &app, "{name}");
            assert!(secret.starts_with("whsec_"), "{name}: {secret}");
        }
        let batch = store
            .unsealed_endpoint_secrets("hlenc1:", 2)
            .await
            .expect("find");
        assert_eq!(batch.len(), 2, "{name}: the limit holds");
    }
}
