#!/usr/bin/env python3
"""Drive Hookline's lifecycle routes with the official `svix` Python SDK (pinned in requirements.txt).

Usage: svix_lifecycle.py --server-url U --token T --receiver-url R

Creates an application and an endpoint on R, then with the SDK: reads the secret, rotates it
(the SDK parses the 200 body into EndpointSecretOut), sends a message, resends it, starts a
recover, a replay-missing and a bulk replay (each parsed as RecoverOut/ReplayOut), reads and lists
background tasks, reads endpoint stats, sends an example (svix.ping), expunges the message's
content, imports event types from an OpenAPI spec (dry run, then for real). Every response must parse into the SDK's models.

Prints one JSON line: {"app_id", "endpoint_id", "msg_id", "old_secret", "new_secret",
"example_id", "task_ids": [...]}.
Exit status: 0 success; 1 any SDK error or failed check (the HTTP exchanges go to stderr);
2 usage error.
"""

import sys
from datetime import datetime, timedelta, timezone

from svix_driver import drive
from svix.api import (
    ApplicationIn,
    BulkReplayIn,
    EndpointIn,
    EndpointSecretRotateIn,
    EventExampleIn,
    EventTypeImportOpenApiIn,
    MessageIn,
    RecoverIn,
    ReplayIn,
    Svix,
)


def check(cond: bool, what: str) -> None:
    if not cond:
        raise AssertionError(what)


def run(svix: Svix, receiver_url: str) -> dict:
    app = svix.application.create(ApplicationIn(name="lifecycle"))
    ep = svix.endpoint.create(app.id, EndpointIn(url=receiver_url))
    old = svix.endpoint.get_secret(app.id, ep.id).key

    rotated = svix.endpoint.rotate_secret(app.id, ep.id, EndpointSecretRotateIn())
    new = rotated.key
    check(new.startswith("whsec_") and new != old, f"rotate returned {rotated!r}")
    check(svix.endpoint.get_secret(app.id, ep.id).key == new, "get_secret after rotate")

    msg = svix.message.create(app.id, MessageIn(event_type="a", payload={"n": 1}))
    svix.message_attempt.resend(app.id, msg.id, ep.id)

    since = datetime.now(timezone.utc) - timedelta(hours=1)
    tasks = [
        svix.endpoint.recover(app.id, ep.id, RecoverIn(since=since)),
        svix.endpoint.replay_missing(app.id, ep.id, ReplayIn(since=since)),
        svix.endpoint.bulk_replay(app.id, ep.id, BulkReplayIn(since=since)),
    ]
    kinds = [str(getattr(t.task, "value", t.task)) for t in tasks]
    check(
        kinds == ["endpoint.recover", "endpoint.replay", "endpoint.bulk-replay"],
        f"task kinds {kinds}",
    )
    for t in tasks:
        got = svix.background_task.get(t.id)
        check(got.id == t.id, f"background_task.get({t.id}) -> {got!r}")
    listed = svix.background_task.list()
    check(len(listed.data) >= 3, f"background_task.list -> {listed!r}")

    stats = svix.endpoint.get_stats(app.id, ep.id)
    check(stats.success + stats.pending + stats.sending + stats.fail >= 1, f"stats {stats!r}")

    example = svix.endpoint.send_example(app.id, ep.id, EventExampleIn(event_type="svix.ping"))
    check(example.id.startswith("msg_"), f"send_example -> {example!r}")

    svix.message.expunge_content(app.id, msg.id)

    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "webhooks": {"pet.new": {"post": {"summary": "A pet", "requestBody": {"content": {
            "application/json": {"schema": {"type": "object", "required": ["id"]}}}}}}},
    }
    dry = svix.event_type.import_openapi(EventTypeImportOpenApiIn(spec=spec, dry_run=True))
    check(dry.data.modified == [] and len(dry.data.to_modify or []) == 1, f"dry import {dry!r}")
    done = svix.event_type.import_openapi(EventTypeImportOpenApiIn(spec=spec))
    check(done.data.modified == ["pet.new"], f"import {done!r}")
    check(svix.event_type.get("pet.new").schemas["1"]["required"] == ["id"], "imported schema")
    return {
        "app_id": app.id,
        "endpoint_id": ep.id,
        "msg_id": msg.id,
        "old_secret": old,
        "new_secret": new,
        "example_id": example.id,
        "task_ids": [t.id for t in tasks],
    }


if __name__ == "__main__":
    sys.exit(drive(run))
