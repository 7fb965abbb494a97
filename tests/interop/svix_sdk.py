#!/usr/bin/env python3
"""Drive a Hookline server with the official `svix` Python SDK (pinned in requirements.txt).

Subcommands:

  send --server-url U --token T --receiver-url R
      Creates application "interop app" (uid "interop-app"), event type "invoice.paid",
      an endpoint with url R subscribed to ["invoice.paid"], and sends one "invoice.paid"
      message. Reads back the app, the endpoint and the endpoint secret, and lists apps,
      endpoints and event types, checking that what was created is what comes back.
      Prints one JSON line: {"app_id": ..., "endpoint_id": ..., "msg_id": ..., "secret": ...}

  attempts --server-url U --token T --app-id A --msg-id M [--endpoint-id E]
      Lists the message's attempts (message_attempt.list_by_msg) and, with --endpoint-id,
      the endpoint's attempts (message_attempt.list_by_endpoint). Prints one JSON line:
      {"count": n, "statuses": [int...], "status_texts": [str...], "status_codes": [int...],
       "endpoint_count": n (only with --endpoint-id)}
      Exit 0 if count >= 1, else 1.

Exit status: 0 success; 1 any SDK error (HTTP error, response that does not parse into the
SDK's models, failed consistency check) or no attempts; 2 usage error.
On failure the error goes to stdout (one line, prefixed "error:") and the recorded HTTP
exchanges go to stderr. Any 5xx response counts as a failure even when the SDK's
built-in retry later succeeded, since the server must not answer 5xx.
"""

import argparse
import json
import sys
import traceback
import typing as t

from svix.api import (
    ApplicationIn,
    EndpointIn,
    EventTypeIn,
    MessageIn,
    Svix,
    SvixOptions,
)
from svix.exceptions import HttpError, HTTPValidationError

APP_NAME = "interop app"
APP_UID = "interop-app"
EVENT_TYPE = "invoice.paid"
EVENT_TYPE_DESCRIPTION = "An invoice was paid"
PAYLOAD = {"invoiceId": "inv_1", "amount": 4200}


class CheckFailed(Exception):
    """The server answered, the SDK parsed it, but the content is not what was created."""


class Recorder:
    """Records every HTTP exchange the SDK makes (for diagnostics and the no-5xx rule)."""

    def __init__(self) -> None:
        self.exchanges: t.List[str] = []
        self.server_errors: t.List[str] = []

    def on_response(self, response: t.Any) -> None:
        response.read()
        req = response.request
        body = response.text
        if len(body) > 2000:
            body = body[:2000] + "...(truncated)"
        req_body = req.content.decode("utf-8", "replace") if req.content else ""
        line = f"{req.method} {req.url} {req_body} -> {response.status_code} {body}"
        self.exchanges.append(line)
        if response.status_code >= 500:
            self.server_errors.append(line)

    def dump(self) -> None:
        for line in self.exchanges:
            print(f"  http: {line}", file=sys.stderr)


def make_client(args: argparse.Namespace, recorder: Recorder) -> Svix:
    svix = Svix(args.token, SvixOptions(server_url=args.server_url))
    # Diagnostics only: httpx response hook on the SDK's own httpx.Client.
    httpx_client = getattr(svix, "_httpx_client", None)
    if httpx_client is not None:
        hooks = dict(httpx_client.event_hooks)
        hooks["response"] = list(hooks.get("response", [])) + [recorder.on_response]
        httpx_client.event_hooks = hooks
    return svix


def check(cond: bool, what: str) -> None:
    if not cond:
        raise CheckFailed(what)


def cmd_send(svix: Svix, args: argparse.Namespace) -> t.Dict[str, t.Any]:
    app = svix.application.create(ApplicationIn(name=APP_NAME, uid=APP_UID))
    check(app.id.startswith("app_"), f"application id {app.id!r} lacks the app_ prefix")
    check(app.name == APP_NAME and app.uid == APP_UID, f"created application mismatch: {app!r}")

    et = svix.event_type.create(EventTypeIn(name=EVENT_TYPE, description=EVENT_TYPE_DESCRIPTION))
    check(et.name == EVENT_TYPE, f"created event type mismatch: {et!r}")

    ep = svix.endpoint.create(
        app.id, EndpointIn(url=args.receiver_url, event_types=[EVENT_TYPE])
    )
    check(ep.id.startswith("ep_"), f"endpoint id {ep.id!r} lacks the ep_ prefix")
    check(ep.url == args.receiver_url, f"created endpoint url mismatch: {ep!r}")
    check(ep.event_types == [EVENT_TYPE], f"created endpoint eventTypes mismatch: {ep!r}")

    msg = svix.message.create(app.id, MessageIn(event_type=EVENT_TYPE, payload=PAYLOAD))
    check(msg.id.startswith("msg_"), f"message id {msg.id!r} lacks the msg_ prefix")
    check(msg.event_type == EVENT_TYPE, f"created message mismatch: {msg!r}")

    # Read back.
    app_get = svix.application.get(app.id)
    check(app_get.id == app.id and app_get.name == APP_NAME, f"application.get mismatch: {app_get!r}")
    app_by_uid = svix.application.get(APP_UID)
    check(app_by_uid.id == app.id, f"application.get by uid mismatch: {app_by_uid!r}")

    ep_get = svix.endpoint.get(app.id, ep.id)
    check(ep_get.id == ep.id and ep_get.url == args.receiver_url, f"endpoint.get mismatch: {ep_get!r}")
    check(ep_get.event_types == [EVENT_TYPE], f"endpoint.get eventTypes mismatch: {ep_get!r}")

    secret = svix.endpoint.get_secret(app.id, ep.id).key
    check(secret.startswith("whsec_"), "endpoint secret lacks the whsec_ prefix")

    apps = svix.application.list()
    check(any(a.id == app.id for a in apps.data), f"application.list lacks {app.id}: {apps!r}")
    eps = svix.endpoint.list(app.id)
    check(any(e.id == ep.id for e in eps.data), f"endpoint.list lacks {ep.id}: {eps!r}")
    ets = svix.event_type.list()
    check(any(e.name == EVENT_TYPE for e in ets.data), f"event_type.list lacks {EVENT_TYPE}: {ets!r}")

    return {"app_id": app.id, "endpoint_id": ep.id, "msg_id": msg.id, "secret": secret}


def cmd_attempts(svix: Svix, args: argparse.Namespace) -> t.Dict[str, t.Any]:
    attempts = svix.message_attempt.list_by_msg(args.app_id, args.msg_id).data
    for a in attempts:
        check(a.msg_id == args.msg_id, f"attempt {a.id} is for message {a.msg_id}, not {args.msg_id}")
    out: t.Dict[str, t.Any] = {
        "count": len(attempts),
        "statuses": [int(a.status) for a in attempts],
        "status_texts": [a.status_text.value for a in attempts],
        "status_codes": [a.response_status_code for a in attempts],
    }
    if args.endpoint_id:
        by_ep = svix.message_attempt.list_by_endpoint(args.app_id, args.endpoint_id).data
        out["endpoint_count"] = len(by_ep)
    return out


def describe(e: BaseException) -> str:
    if isinstance(e, (HttpError, HTTPValidationError)):
        body = json.dumps(e.to_dict(), default=str)
        return f"{type(e).__name__} status={e.status_code} body={body}"
    return f"{type(e).__name__}: {e}".replace("\n", " | ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name in ("send", "attempts"):
        p = sub.add_parser(name)
        p.add_argument("--server-url", required=True)
        p.add_argument("--token", required=True)
        if name == "send":
            p.add_argument("--receiver-url", required=True)
        else:
            p.add_argument("--app-id", required=True)
            p.add_argument("--msg-id", required=True)
            p.add_argument("--endpoint-id")
    args = parser.parse_args()

    recorder = Recorder()
    try:
        svix = make_client(args, recorder)
        result = cmd_send(svix, args) if args.cmd == "send" else cmd_attempts(svix, args)
        if recorder.server_errors:
            raise CheckFailed(f"server answered 5xx (SDK retried): {recorder.server_errors[0]}")
    except Exception as e:  # noqa: BLE001 - every failure must end in exit 1 with a reason
        print(f"error: {describe(e)}")
        traceback.print_exc(file=sys.stderr)
        recorder.dump()
        return 1

    print(json.dumps(result))
    if args.cmd == "attempts" and result["count"] < 1:
        recorder.dump()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
