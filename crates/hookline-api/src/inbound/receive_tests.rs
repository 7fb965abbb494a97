//! The receiving handler through the real router and a real SQLite file, with a local metrics
//! recorder to see what is counted.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use hookline_core::model::Metadata;
use hookline_core::source::Source;
use hookline_core::{AppId, SourceId, Timestamp};
use hookline_delivery::engine::Waker;
use hookline_signature::SharedSecret;
use hookline_signature::providers::github;
use hookline_store::{SourceStore, SqliteStore};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use tower::ServiceExt;

use crate::auth::AdminToken;
use crate::state::{ApiConfig, AppState, StateParts};

const SECRET: &str = "counted-secret";

async fn state_with_github_source(dir: &tempfile::TempDir) -> AppState {
    let store = SqliteStore::open(&dir.path().join("hookline.db")).expect("open");
    let now = Timestamp::now();
    store
        .create_source(Source {
            id: SourceId::generate(),
            uid: None,
            name: "GitHub".into(),
            app_id: AppId::generate(),
            source_type: "github".into(),
            config: serde_json::json!({ "secret": SECRET }),
            ingest_token: "tok".into(),
            allowed_ips: Vec::new(),
            dedupe_window_secs: 60,
            metadata: Metadata::new(),
            created_at: now,
            updated_at: now,
        })
        .await
        .expect("create source");
    AppState::new(StateParts {
        store: Arc::new(store),
        config: Arc::new(ApiConfig::default()),
        waker: Waker::default(),
        admin: Arc::new(AdminToken::new("admin-token-for-tests")),
        signer: Default::default(),
        payload_schemas: Default::default(),
        security: Arc::new(crate::security::Security::new(Default::default())),
        environment: None,
        environments: None,
    })
}

fn post(signature: Option<&str>, body: &'static str) -> Request<Body> {
    let mut request = Request::post("/in/tok");
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    request.body(Body::from(body)).expect("request")
}

/// The counter's value for `result`, or 0.
fn verifications(snapshot: &[(String, String, u64)], result: &str) -> u64 {
    snapshot
        .iter()
        .filter(|(source_type, r, _)| source_type == "github" && r == result)
        .map(|(_, _, n)| n)
        .sum()
}

#[tokio::test(flavor = "current_thread")]
async fn every_verification_is_counted_by_source_type_and_result() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);
    let dir = tempfile::tempdir().expect("temp dir");
    let router = crate::router(state_with_github_source(&dir).await);

    let good = github::sign(&SharedSecret::new(SECRET).expect("secret"), b"{}");
    let answers = [
        router.clone().oneshot(post(Some(&good), "{}")).await,
        router.clone().oneshot(post(Some(&good), "{ }")).await,
        router.clone().oneshot(post(None, "{}")).await,
    ];
    let statuses: Vec<u16> = answers
        .into_iter()
        .map(|a| a.expect("answer").status().as_u16())
        .collect();
    assert_eq!(statuses, [200, 401, 401]);

    let counted: Vec<(String, String, u64)> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter(|(key, ..)| key.key().name() == "hookline_inbound_verifications_total")
        .filter_map(|(key, _, _, value)| {
            let label = |name: &str| {
                key.key()
                    .labels()
                    .find(|l| l.key() == name)
                    .map(|l| l.value().to_owned())
            };
            let DebugValue::Counter(n) = value else {
                return None;
            };
            Some((label("source_type")?, label("result")?, n))
        })
        .collect();
    assert_eq!(verifications(&counted, "ok"), 1);
    assert_eq!(verifications(&counted, "bad_signature"), 1);
    assert_eq!(verifications(&counted, "missing_header"), 1);
}
