//! The client commands (`hookline app`, `endpoint`, `event-type`, `msg`, `attempt`, `resend`,
//! `recover`): a shell front end to a running Hookline's REST API, so an operator needs no curl.
//!
//! # Layout
//! - [`args`]: the commands and the options they share (`--url`, `--token`, `--output`).
//! - `http`: the one HTTP client; API errors become [`ClientError`]s.
//! - `commands`: each command as the API request it makes.
//! - `output`: the answer as re-indented JSON or as a table.
//!
//! [`run`] executes one parsed command and writes what it shows to any writer, so tests capture
//! it; [`main`] is what the binary calls, with stdout and the exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

pub mod args;
mod commands;
mod http;
mod output;

pub use args::{ClientCommand, ClientOptions, OutputFormat, Token};
pub use http::FieldError;

use crate::bootstrap::ADMIN_TOKEN_FILE;
use crate::cli::DataArgs;
use crate::settings::Settings;

/// Why a client command failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The API answered with an error other than a validation failure.
    #[error("{status} {code}: {detail}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The API's `code`, e.g. `not_found`.
        code: String,
        /// The API's `detail`.
        detail: String,
    },
    /// The API refused the request's fields (422), listing each.
    #[error(
        "{status} the request was refused; fix these fields:{}",
        list_fields(fields)
    )]
    Invalid {
        /// The HTTP status.
        status: u16,
        /// Every failing field.
        fields: Vec<FieldError>,
    },
    /// Nothing answered at the server's address.
    #[error(
        "cannot connect to {url} ({cause}); is Hookline running there? Start it with \
         `hookline serve`, or point --url (HOOKLINE_URL) at it"
    )]
    Connect {
        /// The server URL tried.
        url: String,
        /// The innermost error, e.g. `Connection refused (os error 111)`.
        cause: String,
    },
    /// The request failed after connecting (timeout, reset, TLS).
    #[error("request to {url} failed: {cause}")]
    Request {
        /// The server URL tried.
        url: String,
        /// The innermost error.
        cause: String,
    },
    /// No token given, and none saved where `hookline serve` saves it.
    #[error("no API token: {0}; pass --token or set HOOKLINE_TOKEN")]
    NoToken(String),
    /// The command's input is unusable: a bad `--url`, a payload that is not JSON.
    #[error("{0}")]
    Usage(String),
    /// The server answered 2xx with something that is not what the API promises.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    /// Writing the output failed (a closed pipe).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

fn list_fields(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("\n  {}: {}", f.location(), f.msg))
        .collect()
}

impl ClientError {
    /// The process exit code: 2 for unusable input (as clap's usage errors), 1 for the rest.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// Runs `command` and writes what it shows to `out`.
pub async fn run(command: ClientCommand, out: &mut dyn Write) -> Result<(), ClientError> {
    let options = command.options().clone();
    let format = options.output.unwrap_or_else(|| {
        if std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        }
    });
    let token = match options.token {
        Some(token) => token,
        None if is_loopback(&options.url) => saved_token(options.data_dir)?,
        None => {
            return Err(ClientError::NoToken(format!(
                "the admin token saved on this machine is only sent to a server on this machine, \
                 not to {}",
                options.url
            )));
        }
    };
    let api = http::Api::new(&options.url, token, options.environment.as_deref())?;
    commands::execute(command, &api, format, out).await?;
    out.flush()?;
    Ok(())
}

/// The binary's entry point for a client command: output to stdout, errors to stderr.
pub async fn main(command: ClientCommand) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match run(command, &mut out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// Whether `url` names this machine (`localhost`, `127.0.0.0/8`, `::1`): the only server the
/// admin token saved here may be sent to without being asked for by `--token`.
fn is_loopback(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The admin token `hookline serve` saved in its data directory, found as serve finds that
/// directory: `--data-dir`/`HOOKLINE_DATA_DIR`, else `data_dir` in `./hookline.toml`, else
/// `./hookline-data`.
fn saved_token(data_dir: Option<PathBuf>) -> Result<Token, ClientError> {
    let dir = match data_dir {
        Some(dir) => dir,
        None => {
            Settings::load(None, DataArgs { data_dir: None })
                .map_err(|e| ClientError::NoToken(e.to_string()))?
                .data_dir
        }
    };
    let path = dir.join(ADMIN_TOKEN_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| ClientError::NoToken(format!("cannot read {}: {e}", path.display())))?;
    match text.trim() {
        "" => Err(ClientError::NoToken(format!("{} is empty", path.display()))),
        token => {
            let Ok(token) = token.parse();
            Ok(token)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn the_saved_admin_token_goes_only_to_this_machine() {
        for url in [
            "http://127.0.0.1:8071",
            "http://localhost:8071/prefix",
            "https://127.0.0.2",
            "http://[::1]:8071",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://staging:8071",
            "https://hooks.example.com",
            "http://10.0.0.5:8071",
            "http://localhost.example.com",
            "not a url",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
