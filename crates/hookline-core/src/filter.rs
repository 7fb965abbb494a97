//! Which endpoints a message fans out to: the one place this decision is made.

use crate::model::Endpoint;
use crate::{Channel, EventTypeName};

/// True when an enabled webhook endpoint (not a polling endpoint) subscribes to this event type and channel set.
///
/// An endpoint with no event-type filter receives every event type. An endpoint with channels
/// receives only messages tagged with at least one of them; an endpoint without channels receives
/// messages regardless of their channels.
pub fn endpoint_receives(
    endpoint: &Endpoint,
    event_type: &EventTypeName,
    channels: Option<&[Channel]>,
) -> bool {
    // Polling endpoints are read through the feed; nothing is ever pushed to them.
    if endpoint.disabled || endpoint.url.is_poller() {
        return false;
    }
    let type_matches = match endpoint.event_types.as_deref() {
        None | Some([]) => true,
        Some(types) => types.contains(event_type),
    };
    let channel_matches = match endpoint.channels.as_deref() {
        None | Some([]) => true,
        Some(wanted) => channels.is_some_and(|tags| tags.iter().any(|c| wanted.contains(c))),
    };
    type_matches && channel_matches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppId, EndpointId, EndpointUrl, Timestamp};

    fn endpoint(types: Option<&[&str]>, channels: Option<&[&str]>) -> Endpoint {
        Endpoint {
            id: EndpointId::generate(),
            app_id: AppId::generate(),
            uid: None,
            url: EndpointUrl::parse("https://example.com").expect("url"),
            description: String::new(),
            event_types: types.map(|t| {
                t.iter()
                    .map(|n| EventTypeName::parse(*n).expect("name"))
                    .collect()
            }),
            channels: channels.map(|c| c.iter().map(|n| Channel::parse(*n).expect("c")).collect()),
            disabled: false,
            throttle_rate: None,
            metadata: Default::default(),
            headers: Default::default(),
            secret: String::new(),
            created_at: Timestamp::now(),
            updated_at: Timestamp::now(),
        }
    }

    fn name(n: &str) -> EventTypeName {
        EventTypeName::parse(n).expect("name")
    }

    fn chans(c: &[&str]) -> Vec<Channel> {
        c.iter().map(|n| Channel::parse(*n).expect("c")).collect()
    }

    #[test]
    fn unfiltered_endpoint_receives_everything() {
        let ep = endpoint(None, None);
        assert!(endpoint_receives(&ep, &name("a"), None));
        assert!(endpoint_receives(&ep, &name("a"), Some(&chans(&["x"]))));
    }

    #[test]
    fn event_type_filter_limits_what_arrives() {
        let ep = endpoint(Some(&["invoice.paid"]), None);
        assert!(endpoint_receives(&ep, &name("invoice.paid"), None));
        assert!(!endpoint_receives(&ep, &name("invoice.failed"), None));
    }

    #[test]
    fn channel_filter_needs_one_shared_channel() {
        let ep = endpoint(None, Some(&["team-a"]));
        assert!(endpoint_receives(
            &ep,
            &name("a"),
            Some(&chans(&["team-b", "team-a"]))
        ));
        assert!(!endpoint_receives(
            &ep,
            &name("a"),
            Some(&chans(&["team-b"]))
        ));
        assert!(!endpoint_receives(&ep, &name("a"), None));
    }

    #[test]
    fn polling_endpoints_are_never_pushed_to() {
        let mut ep = endpoint(None, None);
        ep.url = EndpointUrl::parse(EndpointUrl::POLLER).expect("marker");
        assert!(!endpoint_receives(&ep, &name("a"), None));
    }

    #[test]
    fn disabled_endpoint_receives_nothing() {
        let mut ep = endpoint(None, None);
        ep.disabled = true;
        assert!(!endpoint_receives(&ep, &name("a"), None));
    }
}
