//! HTTPS with rustls, on 127.0.0.1 with a certificate made for the test.

use std::path::Path;

use hookline::tls::TlsFiles;
use hookline_testkit::app::test_config;
use hookline_testkit::spawn_app_with;
use reqwest::StatusCode;
use tokio_util::sync::CancellationToken;

/// A self-signed certificate for 127.0.0.1, written as PEM files in `dir`; returns the files
/// and the certificate's PEM for the client to trust.
fn self_signed(dir: &Path) -> (TlsFiles, String) {
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("generate a certificate");
    let cert_pem = made.cert.pem();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, &cert_pem).expect("write the certificate");
    std::fs::write(&files.key, made.key_pair.serialize_pem()).expect("write the key");
    (files, cert_pem)
}

#[tokio::test]
async fn the_api_serves_https_with_the_configured_certificate() {
    let certs = tempfile::tempdir().expect("tempdir");
    let (files, cert_pem) = self_signed(certs.path());
    let app = spawn_app_with(|mut config| {
        config.tls = Some(files);
        config
    })
    .await;
    let https = app.address.replacen("http://", "https://", 1);
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).expect("pem"))
        .build()
        .expect("client");

    let response = client
        .get(format!("{https}/api/v1/app"))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("an HTTPS request succeeds");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("x-request-id"));

    // A client that does not trust the certificate is refused, and plain HTTP gets nowhere.
    let untrusting = reqwest::Client::new();
    assert!(
        untrusting
            .get(format!("{https}/api/v1/health"))
            .send()
            .await
            .is_err()
    );
    let plain = untrusting
        .get(format!("{}/api/v1/health", app.address))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP was answered: {plain:?}");

    // Still serving after the failed handshakes.
    let again = client
        .get(format!("{https}/api/v1/health"))
        .send()
        .await
        .expect("request");
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
}

async fn start_error(files: TlsFiles) -> String {
    let data = tempfile::tempdir().expect("tempdir");
    let mut config = test_config(data.path());
    config.tls = Some(files);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    hookline::server::start(config, listener, CancellationToken::new())
        .await
        .expect_err("the server must refuse to start")
        .to_string()
}

#[tokio::test]
async fn unusable_tls_files_stop_the_start_naming_the_setting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (files, _) = self_signed(dir.path());

    let missing_cert = start_error(TlsFiles {
        cert: dir.path().join("nope.pem"),
        key: files.key.clone(),
    })
    .await;
    assert!(missing_cert.contains("HOOKLINE_TLS_CERT"), "{missing_cert}");

    let key_as_cert = start_error(TlsFiles {
        cert: files.key.clone(),
        key: files.key.clone(),
    })
    .await;
    assert!(key_as_cert.contains("HOOKLINE_TLS_CERT"), "{key_as_cert}");

    let cert_as_key = start_error(TlsFiles {
        cert: files.cert.clone(),
        key: files.cert.clone(),
    })
    .await;
    assert!(cert_as_key.contains("HOOKLINE_TLS_KEY"), "{cert_as_key}");

    let other = tempfile::tempdir().expect("tempdir");
    let (other_files, _) = self_signed(other.path());
    let mismatched = start_error(TlsFiles {
        cert: files.cert.clone(),
        key: other_files.key,
    })
    .await;
    assert!(mismatched.contains("HOOKLINE_TLS"), "{mismatched}");
}
