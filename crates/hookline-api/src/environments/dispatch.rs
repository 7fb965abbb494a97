//! Which environment a request is for, and forwarding it there.
//!
//! The decision reads only what the request carries, never the database, so it costs nothing
//! on the hot path:
//! - `/in/{env_id}/{source}`: that environment's source (`/in/{source}` is the default one's).
//! - The admin token: the environment the [`HEADER`](super::HEADER) names, the default one
//!   without it.
//! - A key: the environment its token names (`hl_sk_env_..._`), the default one for tokens that
//!   name none. A header naming another environment gets the same 401 as a wrong token: keys
//!   exist only in their own environment's store, so no key is valid anywhere else.
//! - Routes that read no environment's data (health, the document, metrics, unmatched paths)
//!   stay with the default environment, whatever the caller sends.
//!
//! The forwarded request is then authenticated and authorised by the environment's own router,
//! against the environment's own store. Answers never tell a key's holder whether another
//! environment exists: an unknown environment named by a token gets the wrong-token 401; only the
//! admin token learns that an environment it names is missing (404).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::Uri;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hookline_core::EnvId;
use tower::ServiceExt;

use super::{EnvironmentHost, HEADER};
use crate::auth::principal::token_environment;
use crate::auth::{AdminToken, bearer};
use crate::error::ApiError;
use crate::inbound::receive::Refusal;

/// The receiving URL of sources in environments other than the default one.
pub const INBOUND_ROUTE: &str = "/in/{env_id}/{source}";

/// Routes every environment would answer alike, served by the default environment.
const SHARED_ROUTES: &[&str] = &[
    "/api/v1/health",
    "/api/v1/health/ping",
    "/api/v1/openapi.json",
    "/docs",
    "/metrics",
    "/in/{source}",
];

/// Wraps the default environment's router so that requests for other environments go to
/// theirs.
pub fn dispatching(
    router: Router,
    host: Arc<dyn EnvironmentHost>,
    admin: Arc<AdminToken>,
) -> Router {
    router.layer(middleware::from_fn_with_state(
        Dispatch { host, admin },
        dispatch,
    ))
}

#[derive(Clone)]
struct Dispatch {
    host: Arc<dyn EnvironmentHost>,
    admin: Arc<AdminToken>,
}

/// What to answer when the chosen environment is not registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    /// As an unknown source does.
    Source,
    /// 404 naming the environment: only the admin token gets this.
    Environment,
    /// As a wrong token does.
    Token,
}

/// Where a request goes.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// The router it is already in.
    Default,
    /// Environment `id`'s router, at `uri` when the path named the environment.
    Other {
        id: EnvId,
        missing: Missing,
        uri: Option<Uri>,
    },
}

/// Why a request is answered before reaching any environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// `/in/...` with no environment id: as an unknown source.
    UnknownSource,
    /// The header is not an environment id: 400.
    BadHeader,
    /// The token cannot be valid in the environment named: as a wrong token.
    InvalidToken,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Self::UnknownSource => Refusal::UnknownSource.into_response(),
            Self::BadHeader => ApiError::BadRequest(format!(
                "the {HEADER} header must be an environment id (env_...)"
            ))
            .into_response(),
            Self::InvalidToken => {
                metrics::counter!("hookline_auth_failures_total").increment(1);
                ApiError::Unauthorized("invalid token".into()).into_response()
            }
        }
    }
}

/// `/in/{env_id}/{source}` → the environment and `/in/{source}` (query kept).
fn inbound_target(uri: &Uri) -> Result<Target, Refused> {
    let unknown = || Refused::UnknownSource;
    let rest = uri.path().strip_prefix("/in/").ok_or_else(unknown)?;
    let (env, source) = rest.split_once('/').ok_or_else(unknown)?;
    let id = EnvId::parse(env).ok_or_else(unknown)?;
    let path_and_query = match uri.query() {
        Some(query) => format!("/in/{source}?{query}"),
        None => format!("/in/{source}"),
    };
    let uri = Uri::builder()
        .path_and_query(path_and_query)
        .build()
        .map_err(|_| unknown())?;
    Ok(Target::Other {
        id,
        missing: Missing::Source,
        uri: Some(uri),
    })
}

/// Decides from the matched route template and the request's headers.
fn decide(route: Option<&str>, request: &Request, admin: &AdminToken) -> Result<Target, Refused> {
    let Some(route) = route else {
        return Ok(Target::Default);
    };
    if route == INBOUND_ROUTE {
        return inbound_target(request.uri());
    }
    if SHARED_ROUTES.contains(&route) {
        return Ok(Target::Default);
    }
    let chosen = match request.headers().get(HEADER) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .map(str::trim)
                .and_then(EnvId::parse)
                .ok_or(Refused::BadHeader)?,
        ),
    };
    let token = bearer(request.headers()).ok();
    if token.is_some_and(|token| admin.matches(token)) {
        return Ok(match chosen {
            None => Target::Default,
            Some(id) => Target::Other {
                id,
                missing: Missing::Environment,
                uri: None,
            },
        });
    }
    let named = token.and_then(token_environment);
    if chosen.is_some() && chosen != named {
        return Err(Refused::InvalidToken);
    }
    Ok(match named {
        None => Target::Default,
        Some(id) => Target::Other {
            id,
            missing: Missing::Token,
            uri: None,
        },
    })
}

/// The request again, for another router: the same method, URI (or `uri`), headers and body,
/// and the client's address; nothing this router's routing added (matched path, path
/// parameters).
fn fresh(request: Request, uri: Option<Uri>) -> Request {
    let (parts, body) = request.into_parts();
    let mut out = Request::new(body);
    *out.method_mut() = parts.method;
    *out.uri_mut() = uri.unwrap_or(parts.uri);
    *out.version_mut() = parts.version;
    *out.headers_mut() = parts.headers;
    if let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        out.extensions_mut().insert(*peer);
    }
    out
}

async fn dispatch(State(dispatch): State<Dispatch>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let (id, missing, uri) = match decide(route.as_deref(), &request, &dispatch.admin) {
        Ok(Target::Default) => return next.run(request).await,
        Ok(Target::Other { id, missing, uri }) => (id, missing, uri),
        Err(refused) => return refused.into_response(),
    };
    match dispatch.host.router(&id).await {
        Ok(Some(router)) => match router.oneshot(fresh(request, uri)).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        Ok(None) => match missing {
            Missing::Source => Refusal::UnknownSource.into_response(),
            Missing::Environment => ApiError::not_found("environment").into_response(),
            Missing::Token => Refused::InvalidToken.into_response(),
        },
        Err(err) => err.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::header::AUTHORIZATION;

    use super::*;

    const ADMIN: &str = "hl_admin_test";

    fn request(path: &str, headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(axum::body::Body::empty()).expect("request")
    }

    fn decide_for(route: &str, path: &str, headers: &[(&str, &str)]) -> Result<Target, u16> {
        decide(
            Some(route),
            &request(path, headers),
            &AdminToken::new(ADMIN),
        )
        .map_err(|refused| refused.into_response().status().as_u16())
    }

    fn other(id: &EnvId, missing: Missing) -> Result<Target, u16> {
        Ok(Target::Other {
            id: id.clone(),
            missing,
            uri: None,
        })
    }

    #[test]
    fn keys_go_to_the_environment_their_token_names() {
        let env = EnvId::generate();
        let route = "/api/v1/app";
        let key = format!("Bearer hl_sk_{env}_abc");
        assert_eq!(
            decide_for(route, route, &[(AUTHORIZATION.as_str(), &key)]),
            other(&env, Missing::Token)
        );
        assert_eq!(
            decide_for(
                route,
                route,
                &[(AUTHORIZATION.as_str(), &key), (HEADER, env.as_str())]
            ),
            other(&env, Missing::Token)
        );
        // Default-environment keys, unknown tokens and no token stay in the default one.
        for auth in ["Bearer hl_sk_abc", "Bearer nonsense", "Basic x"] {
            assert_eq!(
                decide_for(route, route, &[(AUTHORIZATION.as_str(), auth)]),
                Ok(Target::Default)
            );
        }
        assert_eq!(decide_for(route, route, &[]), Ok(Target::Default));
    }

    #[test]
    fn only_the_admin_token_chooses_with_the_header() {
        let env = EnvId::generate();
        let route = "/api/v1/app";
        let admin = format!("Bearer {ADMIN}");
        assert_eq!(
            decide_for(
                route,
                route,
                &[(AUTHORIZATION.as_str(), &admin), (HEADER, env.as_str())]
            ),
            other(&env, Missing::Environment)
        );
        assert_eq!(
            decide_for(route, route, &[(AUTHORIZATION.as_str(), &admin)]),
            Ok(Target::Default)
        );
        // Another environment's key, or a default one's, with the header: the wrong-token 401.
        let elsewhere = format!("Bearer hl_sk_{}_abc", EnvId::generate());
        for auth in [elsewhere.as_str(), "Bearer hl_sk_abc", "Bearer x"] {
            assert_eq!(
                decide_for(
                    route,
                    route,
                    &[(AUTHORIZATION.as_str(), auth), (HEADER, env.as_str())]
                ),
                Err(401)
            );
        }
        assert_eq!(
            decide_for(route, route, &[(HEADER, env.as_str())]),
            Err(401)
        );
        assert_eq!(
            decide_for(
                route,
                route,
                &[(AUTHORIZATION.as_str(), &admin), (HEADER, "staging")]
            ),
            Err(400)
        );
    }

    #[test]
    fn shared_routes_stay_and_inbound_paths_name_their_environment() {
        let env = EnvId::generate();
        let key = format!("Bearer hl_sk_{env}_abc");
        for route in SHARED_ROUTES {
            assert_eq!(
                decide_for(route, route, &[(AUTHORIZATION.as_str(), &key)]),
                Ok(Target::Default),
                "{route}"
            );
        }
        assert_eq!(
            decide(None, &request("/nowhere", &[]), &AdminToken::new(ADMIN)).ok(),
            Some(Target::Default)
        );
        let path = format!("/in/{env}/src_x?hub.mode=subscribe");
        assert_eq!(
            decide_for(INBOUND_ROUTE, &path, &[]),
            Ok(Target::Other {
                id: env.clone(),
                missing: Missing::Source,
                uri: Some(Uri::from_static("/in/src_x?hub.mode=subscribe")),
            })
        );
        assert_eq!(
            decide_for(INBOUND_ROUTE, "/in/staging/src_x", &[]),
            Err(404)
        );
    }
}
