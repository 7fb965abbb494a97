//! The one place that decides what a caller may reach.
//!
//! The decision depends only on the caller, the method and the route template (never on whether a
//! resource exists), except for application-scoped keys on `/app/{app_id}/...` routes: those go on
//! only when `app_id` names the key's own application, and otherwise get the same 404 as a
//! missing application. So no answer tells an app key whether another application exists.

use axum::http::Method;

use super::principal::Principal;

/// Route prefix every management route lives under.
const API_PREFIX: &str = "/api/v1";

/// What the caller may do with a route, before looking anything up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Go on.
    Granted,
    /// 403 with this sentence.
    Forbidden(&'static str),
    /// Go on only if the route's `app_id` is the caller's own application; 404 otherwise.
    OwnAppOnly,
}

fn is_read(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

/// Decides from the caller, the method and the matched route template (e.g.
/// `/api/v1/app/{app_id}/msg`).
pub fn decide(principal: &Principal, method: &Method, route: &str) -> Access {
    let route = route.strip_prefix(API_PREFIX).unwrap_or(route);
    let Principal::Key(_) = principal else {
        return Access::Granted;
    };
    if route == "/environment" || route.starts_with("/environment/") {
        return Access::Forbidden("managing environments needs the admin token");
    }
    let Some((_, read_only)) = principal.app_scope() else {
        if route == "/api-key" || route.starts_with("/api-key/") {
            return Access::Forbidden("managing API keys needs the admin token");
        }
        return Access::Granted;
    };
    if route == "/auth/logout" {
        return Access::Granted;
    }
    if route == "/app/{app_id}" || route.starts_with("/app/{app_id}/") {
        if read_only && !is_read(method) {
            return Access::Forbidden("this key is read-only");
        }
        if route == "/app/{app_id}" && !is_read(method) {
            return Access::Forbidden(
                "an application-scoped key cannot change or delete its application",
            );
        }
        return Access::OwnAppOnly;
    }
    if is_read(method) && (route == "/event-type" || route.starts_with("/event-type/")) {
        return Access::Granted;
    }
    Access::Forbidden("this key is scoped to one application and cannot use this route")
}

#[cfg(test)]
mod tests {
    use hookline_core::{AppId, KeyId, Timestamp};
    use hookline_store::keys::{ApiKey, KeyScope};

    use super::*;

    fn key(scope: KeyScope) -> Principal {
        Principal::Key(ApiKey {
            id: KeyId::generate(),
            name: "k".into(),
            scope,
            created_at: Timestamp::now(),
            last_used_at: None,
            expires_at: None,
            revoked_at: None,
            session_id: None,
        })
    }

    fn app_key(read_only: bool) -> Principal {
        key(KeyScope::Application {
            app_id: AppId::generate(),
            read_only,
        })
    }

    #[test]
    fn the_admin_reaches_everything_and_org_keys_all_but_key_management() {
        let org = key(KeyScope::Organization);
        for route in [
            "/api/v1/app",
            "/api/v1/event-type/{name}",
            "/api/v1/api-key",
        ] {
            assert_eq!(
                decide(&Principal::Admin, &Method::POST, route),
                Access::Granted
            );
        }
        assert_eq!(decide(&org, &Method::POST, "/api/v1/app"), Access::Granted);
        assert!(matches!(
            decide(&org, &Method::GET, "/api/v1/api-key/{key_id}"),
            Access::Forbidden(_)
        ));
        for route in ["/api/v1/environment", "/api/v1/environment/{env_id}"] {
            assert_eq!(
                decide(&Principal::Admin, &Method::DELETE, route),
                Access::Granted
            );
            assert!(matches!(
                decide(&org, &Method::GET, route),
                Access::Forbidden(_)
            ));
            assert!(matches!(
                decide(&app_key(false), &Method::GET, route),
                Access::Forbidden(_)
            ));
        }
    }

    #[test]
    fn app_keys_reach_only_their_app_subtree_and_read_event_types() {
        let app = app_key(false);
        let own = "/api/v1/app/{app_id}/endpoint/{endpoint_id}";
        assert_eq!(decide(&app, &Method::DELETE, own), Access::OwnAppOnly);
        assert_eq!(
            decide(&app, &Method::GET, "/api/v1/app/{app_id}"),
            Access::OwnAppOnly
        );
        assert!(matches!(
            decide(&app, &Method::DELETE, "/api/v1/app/{app_id}"),
            Access::Forbidden(_)
        ));
        assert!(matches!(
            decide(&app, &Method::GET, "/api/v1/app"),
            Access::Forbidden(_)
        ));
        assert_eq!(
            decide(&app, &Method::GET, "/api/v1/event-type"),
            Access::Granted
        );
        assert!(matches!(
            decide(&app, &Method::POST, "/api/v1/event-type"),
            Access::Forbidden(_)
        ));
        assert!(matches!(
            decide(
                &app,
                &Method::POST,
                "/api/v1/auth/app-portal-access/{app_id}"
            ),
            Access::Forbidden(_)
        ));
    }

    #[test]
    fn read_only_app_keys_cannot_write() {
        let app = app_key(true);
        assert!(matches!(
            decide(&app, &Method::POST, "/api/v1/app/{app_id}/msg"),
            Access::Forbidden(_)
        ));
        assert_eq!(
            decide(&app, &Method::GET, "/api/v1/app/{app_id}/msg"),
            Access::OwnAppOnly
        );
    }
}
