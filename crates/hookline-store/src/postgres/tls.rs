//! TLS to PostgreSQL with libpq's `sslmode` meanings, which users already know:
//!
//! - `disable`: plain TCP.
//! - `prefer` (the default) and `require`: encrypted (`prefer` falls back to plain when the
//!   server offers no TLS), the certificate not checked, exactly as libpq does.
//! - `verify-ca` and `verify-full`: encrypted and the certificate checked against the Mozilla
//!   roots, or against the PEM file `sslrootcert=` names (managed databases publish one).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::{StoreError, StoreResult};

/// A database URL split into what tokio-postgres understands and how to check certificates.
pub(crate) struct Target {
    /// The connection settings, with `sslmode` mapped onto tokio-postgres's three modes.
    pub(crate) config: tokio_postgres::Config,
    /// The TLS connector for that mode.
    pub(crate) tls: MakeRustlsConnect,
}

/// Parses `url`, taking `sslmode=verify-*` and `sslrootcert=` out before tokio-postgres sees it.
pub(crate) fn target(url: &str) -> StoreResult<Target> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut verify = false;
    let mut root_file = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", "verify-ca" | "verify-full")) => {
                verify = true;
                kept.push("sslmode=require".to_owned());
            }
            Some(("sslrootcert", path)) => root_file = Some(path.to_owned()),
            _ => kept.push(pair.to_owned()),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let config = url
        .parse()
        .map_err(|err| StoreError::Internal(format!("the database URL is invalid: {err}")))?;
    let tls = if verify {
        verifying(root_file.as_deref())?
    } else {
        encrypting_only()
    };
    Ok(Target { config, tls })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn verifying(root_file: Option<&str>) -> StoreResult<MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    match root_file {
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|err| StoreError::Internal(format!("sslrootcert {path}: {err}")))?;
            for cert in rustls_pemfile_certs(&pem, path)? {
                roots
                    .add(cert)
                    .map_err(|err| StoreError::Internal(format!("sslrootcert {path}: {err}")))?;
            }
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|err| StoreError::Internal(format!("TLS setup failed: {err}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

fn rustls_pemfile_certs(pem: &[u8], path: &str) -> StoreResult<Vec<CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| StoreError::Internal(format!("sslrootcert {path}: {err}")))
}

fn encrypting_only() -> MakeRustlsConnect {
    let provider = provider();
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map(|builder| {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
                .with_no_client_auth()
        });
    match config {
        Ok(config) => MakeRustlsConnect::new(config),
        // The ring provider supports the default versions; this arm is unreachable in practice.
        Err(_) => MakeRustlsConnect::new(
            rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
        ),
    }
}

/// `sslmode=prefer|require`: any certificate is accepted (libpq behaves the same); signatures on
/// the handshake are still checked, so the connection is encrypted to whoever holds the key.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::target;

    #[test]
    fn verify_modes_become_require_and_other_parameters_stay() {
        let t = target("postgres://u@127.0.0.1/db?sslmode=verify-full&application_name=x")
            .expect("parses");
        assert_eq!(
            t.config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Require
        );
        assert_eq!(t.config.get_application_name(), Some("x"));
        let t = target("postgres://u@127.0.0.1/db").expect("parses");
        assert_eq!(
            t.config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Prefer
        );
        let t = target("postgres://u@127.0.0.1/db?sslmode=disable").expect("parses");
        assert_eq!(
            t.config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Disable
        );
    }

    #[test]
    fn a_missing_root_file_is_named() {
        let Err(err) =
            target("postgres://u@h/db?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem")
        else {
            panic!("a missing root file must be refused");
        };
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }
}
