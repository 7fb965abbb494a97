//! The one HTTP client of the client commands: URLs under the server's `/api/v1`, the token in
//! the `Authorization` header (and nowhere else), and answers that are not 2xx turned into
//! [`ClientError`]s carrying the API's `code` and `detail`.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, Url};
use serde::Deserialize;

use super::ClientError;

/// The header naming the environment a request works in (admin token only).
const ENVIRONMENT_HEADER: &str = "hookline-environment";
use super::args::Token;

/// A connection to one Hookline server.
#[derive(Debug)]
pub(crate) struct Api {
    client: reqwest::Client,
    /// The server's URL as given, for messages.
    server: String,
    /// `<server>/api/v1`.
    base: Url,
    token: Token,
    /// The `Hookline-Environment` header of every request, when one is named.
    environment: Option<HeaderValue>,
}

/// A request's body and extra headers.
#[derive(Debug, Default)]
pub(crate) struct Request {
    /// JSON text.
    pub(crate) body: Option<String>,
    /// `(name, value)` pairs besides `Authorization` and `Content-Type`.
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Api {
    /// A client for the server at `server` (`http://host:port`, optionally with a path prefix).
    pub(crate) fn new(
        server: &str,
        token: Token,
        environment: Option<&str>,
    ) -> Result<Self, ClientError> {
        let usage = |why: &str| ClientError::Usage(format!("--url {server}: {why}"));
        let mut base = Url::parse(server).map_err(|e| usage(&e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(usage("expected an http:// or https:// URL"));
        }
        if !base.username().is_empty() || base.password().is_some() {
            return Err(usage("credentials belong in --token, not in the URL"));
        }
        base.set_query(None);
        base.set_fragment(None);
        base.path_segments_mut()
            .map_err(|()| usage("cannot have a path"))?
            .pop_if_empty()
            .extend(["api", "v1"]);
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("hookline-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Usage(format!("cannot start an HTTP client: {e}")))?;
        let environment = environment
            .map(|env| {
                HeaderValue::from_str(env.trim()).map_err(|_| {
                    ClientError::Usage(format!("--environment {env:?}: not a header value"))
                })
            })
            .transpose()?;
        Ok(Self {
            client,
            server: server.to_owned(),
            base,
            token,
            environment,
        })
    }

    /// `<server>/api/v1/<segments...>`, each segment percent-encoded (ids and uids are user
    /// input), with the query pairs whose value is present.
    pub(crate) fn url(&self, segments: &[&str], query: &[(&str, Option<&str>)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.extend(segments);
        }
        let present: Vec<_> = query
            .iter()
            .filter_map(|(k, v)| v.map(|v| (*k, v)))
            .collect();
        if !present.is_empty() {
            url.query_pairs_mut().extend_pairs(present);
        }
        url
    }

    /// `GET`s `url`; the body of a 2xx answer.
    pub(crate) async fn get(&self, url: Url) -> Result<String, ClientError> {
        self.send(Method::GET, url, Request::default()).await
    }

    /// Sends one request; the body of a 2xx answer (empty for 204), else the API's error.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: Url,
        request: Request,
    ) -> Result<String, ClientError> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", self.token.expose()))
            .map_err(|_| ClientError::Usage("the token has characters a header cannot".into()))?;
        auth.set_sensitive(true);
        let mut builder = self.client.request(method, url).header(AUTHORIZATION, auth);
        if let Some(environment) = &self.environment {
            builder = builder.header(ENVIRONMENT_HEADER, environment.clone());
        }
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = request.body {
            builder = builder.header(CONTENT_TYPE, "application/json").body(body);
        }
        let response = builder.send().await.map_err(|e| self.failed(e))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| self.failed(e))?;
        if status.is_success() {
            Ok(text)
        } else {
            Err(api_error(status.as_u16(), &text))
        }
    }

    fn failed(&self, error: reqwest::Error) -> ClientError {
        let cause = root_cause(&error);
        if error.is_connect() {
            ClientError::Connect {
                url: self.server.clone(),
                cause,
            }
        } else {
            ClientError::Request {
                url: self.server.clone(),
                cause,
            }
        }
    }
}

/// The innermost error's message: "Connection refused (os error 111)" rather than reqwest's
/// "error sending request for url ...".
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// The error body of the API: `{"code", "detail"}`, or for 422 `{"detail": [{"loc", "msg"}]}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ErrorBody {
    Validation { detail: Vec<FieldError> },
    Http { code: String, detail: String },
}

/// One failing field of a 422: where (`body.name`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldError {
    /// Where, e.g. `["body", "name"]`.
    pub loc: Vec<serde_json::Value>,
    /// What is wrong.
    pub msg: String,
}

impl FieldError {
    /// `body.name`.
    pub fn location(&self) -> String {
        self.loc
            .iter()
            .map(|part| match part {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// The error for a non-2xx answer; bodies that are not the API's shape (a proxy's page) are
/// shown as they came, cut short.
pub(crate) fn api_error(status: u16, body: &str) -> ClientError {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(ErrorBody::Validation { detail }) => ClientError::Invalid {
            status,
            fields: detail,
        },
        Ok(ErrorBody::Http { code, detail }) => ClientError::Api {
            status,
            code,
            detail,
        },
        Err(_) => ClientError::Api {
            status,
            code: format!("http_{status}"),
            detail: body.trim().chars().take(500).collect(),
        },
    }
}
