//! The key that encrypts secrets at rest: configured, or generated into the data directory.
//!
//! Losing the key loses every endpoint secret sealed with it (deliveries to those endpoints fail
//! with `internal_error` until their secrets are rotated); back it up with the database.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use hookline_store::secrets::SecretsKey;

/// File in the data directory holding the generated secrets key (base64, mode 0600).
pub const SECRETS_KEY_FILE: &str = "secrets.key";

/// The configured key (`HOOKLINE_SECRETS_KEY`), else the saved one, else a new one saved with
/// owner-only permissions.
pub fn secrets_key(dir: &Path, configured: Option<&str>) -> anyhow::Result<SecretsKey> {
    if let Some(text) = configured {
        return SecretsKey::parse(text).map_err(|e| anyhow::anyhow!("HOOKLINE_SECRETS_KEY: {e}"));
    }
    let path = dir.join(SECRETS_KEY_FILE);
    if path.exists() {
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        return SecretsKey::parse(&text).with_context(|| format!("{} is corrupt", path.display()));
    }
    let key = SecretsKey::generate();
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(key.to_base64().as_bytes())?;
    file.sync_all()?;
    tracing::info!(path = %path.display(), "generated the secrets key; back it up with the database");
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_private_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = secrets_key(dir.path(), None).expect("generated");
        let again = secrets_key(dir.path(), None).expect("read back");
        assert_eq!(again.open(&first.seal("x")).as_deref(), Ok("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(SECRETS_KEY_FILE))
                .expect("key file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_configured_key_wins_and_a_bad_one_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = SecretsKey::generate();
        let used = secrets_key(dir.path(), Some(&key.to_base64())).expect("configured");
        assert_eq!(used.open(&key.seal("x")).as_deref(), Ok("x"));
        assert!(!dir.path().join(SECRETS_KEY_FILE).exists());
        let err = secrets_key(dir.path(), Some("short")).expect_err("refused");
        assert!(err.to_string().contains("HOOKLINE_SECRETS_KEY"));
    }
}
