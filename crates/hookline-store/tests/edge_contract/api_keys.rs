//! API keys: stored by token digest, scoped, revoked once, touched without going back.

use std::sync::Arc;

use hookline_core::model::Application;
use hookline_core::{AppId, KeyId, Timestamp};
use hookline_store::keys::{ApiKey, KeyScope};
use hookline_store::page::{Order, PageRequest};
use hookline_store::{Store, StoreError};

fn key(scope: KeyScope) -> ApiKey {
    ApiKey {
        id: KeyId::generate(),
        name: "ci".into(),
        scope,
        created_at: Timestamp::from_millis(1_700_000_000_000),
        last_used_at: None,
        expires_at: Some(Timestamp::from_millis(1_800_000_000_000)),
        revoked_at: None,
        session_id: None,
    }
}

async fn new_app(store: &Arc<dyn Store>) -> AppId {
    let now = Timestamp::now();
    let app = Application {
        id: AppId::generate(),
        uid: None,
        name: "Acme".into(),
        metadata: Default::default(),
        throttle_rate: None,
        created_at: now,
        updated_at: now,
    };
    store.create_app(app).await.expect("app").id
}

#[tokio::test]
async fn keys_are_found_by_digest_and_id_with_their_scope() {
    for backend in crate::common::backends("api_keys_round_trip").await {
        let (store, name) = (&backend.store, backend.name);
        let app = new_app(store).await;
        let org = store
            .create_api_key(key(KeyScope::Organization), [1; 32])
            .await
            .expect("org key");
        let scoped = key(KeyScope::Application {
            app_id: app.clone(),
            read_only: true,
        });
        let scoped = store
            .create_api_key(scoped, [2; 32])
            .await
            .expect("app key");
        assert_eq!(
            store.find_api_key([1; 32]).await.expect("find"),
            Some(org.clone()),
            "{name}"
        );
        assert_eq!(
            store.find_api_key([2; 32]).await.expect("find"),
            Some(scoped.clone()),
            "{name}"
        );
        assert_eq!(
            store.find_api_key([3; 32]).await.expect("find"),
            None,
            "{name}"
        );
        assert_eq!(
            store.get_api_key(&scoped.id).await.expect("get"),
            Some(scoped.clone()),
            "{name}"
        );
        let listed = store
            .list_api_keys(&PageRequest::first(10, Order::Ascending))
            .await
            .expect("list");
        let mut want = vec![org.id.clone(), scoped.id.clone()];
        want.sort();
        let got: Vec<_> = listed.items.iter().map(|k| k.id.clone()).collect();
        assert_eq!(got, want, "{name}");

        // A second key with the same token digest is refused.
        let clash = store
            .create_api_key(key(KeyScope::Organization), [1; 32])
            .await;
        assert!(
            matches!(clash, Err(StoreError::Conflict(_))),
            "{name}: {clash:?}"
        );
        // A key for an application that does not exist names nothing.
        let orphan = key(KeyScope::Application {
            app_id: AppId::generate(),
            read_only: false,
        });
        let orphan = store.create_api_key(orphan, [4; 32]).await;
        assert!(
            matches!(orphan, Err(StoreError::NotFound)),
            "{name}: {orphan:?}"
        );
        // Deleting the application takes its keys with it.
        store.delete_app(&app).await.expect("delete app");
        assert_eq!(
            store.find_api_key([2; 32]).await.expect("find"),
            None,
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_revocation_keeps_its_first_time_and_touches_only_move_forwards() {
    for backend in crate::common::backends("api_keys_revoke_touch").await {
        let (store, name) = (&backend.store, backend.name);
        let created = store
            .create_api_key(key(KeyScope::Organization), [7; 32])
            .await
            .expect("key");
        let at = |ms: i64| Timestamp::from_millis(1_700_000_000_000 + ms);

        store
            .touch_api_keys(vec![
                (created.id.clone(), at(20)),
                (created.id.clone(), at(30)),
                (KeyId::generate(), at(40)),
            ])
            .await
            .expect("touch");
        store
            .touch_api_keys(vec![(created.id.clone(), at(10))])
            .await
            .expect("touch");
        store
            .touch_api_keys(Vec::new())
            .await
            .expect("touch nothing");
        let touched = store.get_api_key(&created.id).await.expect("get");
        assert_eq!(
            touched.and_then(|k| k.last_used_at),
            Some(at(30)),
            "{name}: the latest use is kept"
        );

        let revoked = store
            .revoke_api_key(&created.id, at(100))
            .await
            .expect("revoke");
        assert_eq!(revoked.revoked_at, Some(at(100)), "{name}");
        assert!(!revoked.is_active(at(101)), "{name}");
        let again = store
            .revoke_api_key(&created.id, at(200))
            .await
            .expect("revoke again");
        assert_eq!(
            again.revoked_at,
            Some(at(100)),
            "{name}: the first time stays"
        );
        let unknown = store.revoke_api_key(&KeyId::generate(), at(1)).await;
        assert!(
            matches!(unknown, Err(StoreError::NotFound)),
            "{name}: {unknown:?}"
        );
    }
}

#[tokio::test]
async fn expiring_an_applications_keys_moves_only_its_live_keys_forward_never_back() {
    for backend in crate::common::backends("api_keys_expire_app").await {
        let (store, name) = (&backend.store, backend.name);
        let (app, other) = (new_app(store).await, new_app(store).await);
        let scoped = |app: &AppId, session: Option<&str>, expires: Option<i64>| ApiKey {
            name: hookline_store::keys::PORTAL_KEY_NAME.into(),
            session_id: session.map(str::to_owned),
            expires_at: expires.map(Timestamp::from_millis),
            ..key(KeyScope::Application {
                app_id: app.clone(),
                read_only: false,
            })
        };
        let mut digest = 10u8;
        let mut create = |key: ApiKey| {
            digest += 1;
            let store = Arc::clone(store);
            async move { store.create_api_key(key, [digest; 32]).await.expect("key") }
        };
        let alice = create(scoped(&app, Some("alice"), None)).await;
        let bob = create(scoped(&app, Some("bob"), Some(1_900_000_000_000))).await;
        let sooner = create(scoped(&app, Some("alice"), Some(1_750_000_000_000))).await;
        let theirs = create(scoped(&other, Some("alice"), None)).await;
        let org = create(key(KeyScope::Organization)).await;
        // A server-to-server key of the application (any other name): never expired by this.
        let service = create(key(KeyScope::Application {
            app_id: app.clone(),
            read_only: false,
        }))
        .await;
        let revoked = create(scoped(&app, None, None)).await;
        store
            .revoke_api_key(&revoked.id, Timestamp::from_millis(1_700_000_000_001))
            .await
            .expect("revoke");
        let at = Timestamp::from_millis(1_760_000_000_000);
        let expires = |id: KeyId| {
            let store = Arc::clone(store);
            async move {
                store
                    .get_api_key(&id)
                    .await
                    .expect("get")
                    .expect("key")
                    .expires_at
            }
        };

        let changed = store
            .expire_app_keys(&app, &["alice".to_owned()], at)
            .await
            .expect("expire");
        assert_eq!(changed, 1, "{name}: alice's key that outlived `at`");
        assert_eq!(expires(alice.id.clone()).await, Some(at), "{name}");
        assert_eq!(expires(bob.id.clone()).await, bob.expires_at, "{name}");
        assert_eq!(
            expires(sooner.id.clone()).await,
            sooner.expires_at,
            "{name}: never later"
        );
        assert_eq!(expires(theirs.id.clone()).await, None, "{name}: other app");

        let changed = store.expire_app_keys(&app, &[], at).await.expect("expire");
        assert_eq!(
            changed, 1,
            "{name}: bob's; the rest expire sooner or are revoked"
        );
        assert_eq!(expires(bob.id.clone()).await, Some(at), "{name}");
        assert_eq!(
            expires(org.id.clone()).await,
            org.expires_at,
            "{name}: org key"
        );
        assert_eq!(
            expires(service.id.clone()).await,
            service.expires_at,
            "{name}: not a portal token"
        );
        assert_eq!(
            expires(revoked.id.clone()).await,
            None,
            "{name}: revoked stays"
        );
        let found = store
            .get_api_key(&alice.id)
            .await
            .expect("get")
            .expect("key");
        assert_eq!(found.session_id.as_deref(), Some("alice"), "{name}");
    }
}
