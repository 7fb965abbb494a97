//! First-start chores: the data directory and the admin token.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use rand::Rng;
use rand::distr::Alphanumeric;

/// File in the data directory holding the generated admin token.
pub const ADMIN_TOKEN_FILE: &str = "admin-token";

/// Where the admin token came from, so the caller can tell the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// Given in the configuration.
    Configured,
    /// Read from `<data dir>/admin-token`.
    Saved,
    /// Generated now and saved to `<data dir>/admin-token`.
    Generated,
}

/// Creates the data directory if needed.
pub fn ensure_data_dir(dir: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))
}

/// The admin token: the configured one, else the saved one, else a new one saved with
/// owner-only permissions.
pub fn admin_token(dir: &Path, configured: Option<&str>) -> anyhow::Result<(String, TokenSource)> {
    if let Some(token) = configured {
        anyhow::ensure!(
            token.len() >= 16,
            "HOOKLINE_ADMIN_TOKEN must be at least 16 characters long"
        );
        return Ok((token.to_owned(), TokenSource::Configured));
    }
    let path = dir.join(ADMIN_TOKEN_FILE);
    if path.exists() {
        let token =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        return Ok((token.trim().to_owned(), TokenSource::Saved));
    }
    let random: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    let token = format!("hl_admin_{random}");
    write_private(&path, &token)?;
    Ok((token, TokenSource::Generated))
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_is_saved_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (first, source) = admin_token(dir.path(), None).expect("token");
        assert_eq!(source, TokenSource::Generated);
        let (again, source) = admin_token(dir.path(), None).expect("token");
        assert_eq!(source, TokenSource::Saved);
        assert_eq!(first, again);
    }

    #[test]
    fn a_configured_token_wins_and_short_ones_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (token, source) = admin_token(dir.path(), Some("a-long-enough-token")).expect("token");
        assert_eq!(
            (token.as_str(), source),
            ("a-long-enough-token", TokenSource::Configured)
        );
        assert!(admin_token(dir.path(), Some("short")).is_err());
    }
}
