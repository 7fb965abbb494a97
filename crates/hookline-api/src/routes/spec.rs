//! The table of documented operations: every handler with a `#[utoipa::path]` attribute is listed
//! here, and this list is the `paths` of the OpenAPI document (see `crate::openapi` for how to add
//! a route).

use utoipa::OpenApi;

/// Every routed operation of the API.
#[derive(OpenApi)]
#[openapi(paths(
    crate::openapi::openapi_json,
    crate::openapi::docs_page,
    crate::observability::metrics_page,
    super::health::ready,
    super::health::live,
    super::application::list,
    super::application::create,
    super::application::read,
    super::application::replace,
    super::application::patch,
    super::application::remove,
    super::event_type::list,
    super::event_type::create,
    super::event_type::read,
    super::event_type::replace,
    super::event_type::patch,
    super::event_type::remove,
    super::endpoint::list,
    super::endpoint::create,
    super::endpoint::read,
    super::endpoint::replace,
    super::endpoint::patch,
    super::endpoint::remove,
    super::endpoint_secret::read,
    super::endpoint_headers::read,
    super::endpoint_headers::replace,
    super::endpoint_headers::patch,
    super::message::create,
    super::message::list,
    super::message::read,
    super::message::list_endpoints,
    super::message::list_for_endpoint,
    super::attempt::by_endpoint,
    super::attempt::by_message,
    super::attempt::one,
    // Operational webhook endpoints (docs/operational-webhooks.md).
    super::operational_webhook::list,
    super::operational_webhook::create,
    super::operational_webhook::read,
    super::operational_webhook::replace,
    super::operational_webhook::remove,
    super::operational_webhook::secret,
    super::operational_webhook::rotate,
    super::operational_webhook::headers,
    super::operational_webhook::set_headers,
))]
pub(crate) struct Routes;
