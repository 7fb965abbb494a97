#!/usr/bin/env python3
"""Drive Hookline's operational-webhook routes with the official `svix` Python SDK (pinned in
requirements.txt).

Usage: svix_operational.py --server-url U --token T --receiver-url R

With the SDK's `operational_webhook.endpoint` API: creates an endpoint on R filtered to
`endpoint.created` (the SDK sends `eventTypes`), gets, lists, upserts it, reads its secret, rotates it,
sets and reads its headers; then creates an application and an endpoint (which must cause one
`endpoint.created` webhook at R). Every response must parse into the SDK's models.

Prints one JSON line: {"ops_endpoint_id", "secret", "app_id", "endpoint_id"}.
Exit status: 0 success; 1 any SDK error or failed check (the HTTP exchanges go to stderr);
2 usage error.
"""

import sys

from svix_driver import drive
from svix.api import (
    ApplicationIn,
    EndpointIn,
    OperationalWebhookEndpointHeadersIn,
    OperationalWebhookEndpointIn,
    OperationalWebhookEndpointSecretIn,
    OperationalWebhookEndpointUpsertIn,
    Svix,
)


def check(cond: bool, what: str) -> None:
    if not cond:
        raise AssertionError(what)


def run(svix: Svix, receiver_url: str) -> dict:
    ops = svix.operational_webhook.endpoint
    created = ops.create(
        OperationalWebhookEndpointIn(url=receiver_url, event_types=["endpoint.created"])
    )
    check(created.id.startswith("ep_"), f"create -> {created!r}")
    check(list(created.event_types or []) == ["endpoint.created"], f"eventTypes {created!r}")
    got = ops.get(created.id)
    check(got.id == created.id, f"get -> {got!r}")
    listed = ops.list()
    check([e.id for e in listed.data] == [created.id], f"list -> {listed!r}")
    upserted = ops.upsert(
        created.id,
        OperationalWebhookEndpointUpsertIn(
            url=receiver_url, description="ops", event_types=["endpoint.created"]
        ),
    )
    check(upserted.description == "ops", f"upsert -> {upserted!r}")

    old = ops.get_secret(created.id).key
    ops.rotate_secret(created.id, OperationalWebhookEndpointSecretIn())
    new = ops.get_secret(created.id).key
    check(new.startswith("whsec_") and new != old, f"rotate: {old} -> {new}")

    ops.set_headers(created.id, OperationalWebhookEndpointHeadersIn(headers={"X-Team": "ops"}))
    headers = ops.get_headers(created.id)
    check(headers.headers == {"X-Team": "ops"}, f"headers -> {headers!r}")

    app = svix.application.create(ApplicationIn(name="operational"))
    ep = svix.endpoint.create(app.id, EndpointIn(url=receiver_url + "/customer"))
    return {
        "ops_endpoint_id": created.id,
        "secret": new,
        "app_id": app.id,
        "endpoint_id": ep.id,
    }


if __name__ == "__main__":
    sys.exit(drive(run))
