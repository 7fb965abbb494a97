#!/usr/bin/env python3
"""Drive Hookline's polling endpoints with the official `svix` Python SDK's message poller.

Usage: svix_poller.py --server-url U --token T

With the SDK only: creates an application, a polling endpoint (url "hookline://poller"),
sends 5 messages, then checks that
  - message.poller.poll returns the 5 in order, and polling again from its iterator returns
    nothing until a 6th message is sent, which it then returns alone;
  - message.poller.consumer_poll, in batches of 2, returns all 6 once, in order, then nothing;
  - message.poller.consumer_seek to a time in the past rewinds the consumer so that
    consumer_poll returns all 6 again.
Prints one JSON line {"sent": [...], "consumed": [...]} and exits 0; on any SDK error, parse
failure, 5xx or failed check prints "error: ..." and exits 1 (HTTP exchanges go to stderr).
"""

import argparse
import json
import sys
import traceback
import typing as t
from datetime import datetime, timezone

from svix.api import (
    ApplicationIn,
    EndpointIn,
    MessageIn,
    MessagePollerConsumerPollOptions,
    MessagePollerPollOptions,
    PollingEndpointConsumerSeekIn,
    Svix,
    SvixOptions,
)


class CheckFailed(Exception):
    pass


def check(cond: bool, what: str) -> None:
    if not cond:
        raise CheckFailed(what)


class Recorder:
    def __init__(self) -> None:
        self.exchanges: t.List[str] = []
        self.server_errors: t.List[str] = []

    def on_response(self, response: t.Any) -> None:
        response.read()
        line = f"{response.request.method} {response.request.url} -> {response.status_code} {response.text[:500]}"
        self.exchanges.append(line)
        if response.status_code >= 500:
            self.server_errors.append(line)


def make_client(args: argparse.Namespace, recorder: Recorder) -> Svix:
    svix = Svix(args.token, SvixOptions(server_url=args.server_url))
    httpx_client = getattr(svix, "_httpx_client", None)
    if httpx_client is not None:
        hooks = dict(httpx_client.event_hooks)
        hooks["response"] = list(hooks.get("response", [])) + [recorder.on_response]
        httpx_client.event_hooks = hooks
    return svix


def send(svix: Svix, app_id: str, n: int) -> str:
    msg = svix.message.create(app_id, MessageIn(event_type="order.shipped", payload={"n": n}))
    return msg.id


def run(svix: Svix) -> t.Dict[str, t.Any]:
    app = svix.application.create(ApplicationIn(name="poller interop"))
    sink = svix.endpoint.create(app.id, EndpointIn(url="hookline://poller"))
    check(sink.url == "hookline://poller", f"polling endpoint url came back as {sink.url!r}")
    sent = [send(svix, app.id, n) for n in range(5)]

    poller = svix.message.poller
    first = poller.poll(app.id, sink.id)
    check([m.id for m in first.data] == sent, f"poll returned {[m.id for m in first.data]}")
    check(first.data[0].payload == {"n": 0}, f"payload came back as {first.data[0].payload!r}")
    check(first.data[0].event_type == "order.shipped", "event type mismatch")
    idle = poller.poll(app.id, sink.id, MessagePollerPollOptions(iterator=first.iterator))
    check(idle.data == [] and idle.done, f"polling from the last iterator returned {idle!r}")
    sent.append(send(svix, app.id, 5))
    newer = poller.poll(app.id, sink.id, MessagePollerPollOptions(iterator=first.iterator))
    check([m.id for m in newer.data] == sent[5:], f"poll after a new message returned {newer!r}")

    consumed: t.List[str] = []
    for _ in range(10):
        batch = poller.consumer_poll(app.id, sink.id, "sdk", MessagePollerConsumerPollOptions(limit=2))
        check(len(batch.data) <= 2, "consumer_poll ignored the limit")
        consumed.extend(m.id for m in batch.data)
        if batch.done and not batch.data:
            break
    check(consumed == sent, f"consumer_poll returned {consumed}, sent {sent}")

    seek = poller.consumer_seek(
        app.id, sink.id, "sdk", PollingEndpointConsumerSeekIn(after=datetime(2000, 1, 1, tzinfo=timezone.utc))
    )
    check(isinstance(seek.iterator, str), "seek returned no iterator")
    again = poller.consumer_poll(app.id, sink.id, "sdk", MessagePollerConsumerPollOptions(limit=50))
    check([m.id for m in again.data] == sent, f"after seek, consumer_poll returned {again!r}")
    return {"sent": sent, "consumed": consumed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-url", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    recorder = Recorder()
    try:
        result = run(make_client(args, recorder))
        if recorder.server_errors:
            raise CheckFailed(f"the server answered 5xx: {recorder.server_errors}")
    except Exception as err:  # noqa: BLE001 - report any SDK failure with context
        print(f"error: {type(err).__name__}: {err}")
        traceback.print_exc(file=sys.stderr)
        for line in recorder.exchanges:
            print(f"  http: {line}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
