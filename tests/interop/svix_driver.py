"""The common `main()` of the interop scripts that drive Hookline with the official `svix` SDK.

`drive(run)` parses `--server-url`, `--token` and `--receiver-url`, builds the SDK client (with a
hook that remembers every HTTP exchange), calls `run(svix, receiver_url)`, and prints its result
as one JSON line. Exit status: 0 success; 1 any SDK error or failed check (the HTTP exchanges go
to stderr); 2 usage error.
"""

import argparse
import json
import sys
import traceback
from typing import Any, Callable, Dict

from svix.api import Svix, SvixOptions


def drive(run: Callable[[Svix, str], Dict[str, Any]]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--receiver-url", required=True)
    try:
        args = parser.parse_args()
    except SystemExit:
        return 2
    exchanges = []

    def on_response(response) -> None:
        response.read()
        req = response.request
        body = req.content.decode("utf-8", "replace") if req.content else ""
        exchanges.append(f"{req.method} {req.url} {body} -> {response.status_code} {response.text[:500]}")

    svix = Svix(args.token, SvixOptions(server_url=args.server_url))
    client = getattr(svix, "_httpx_client", None)
    if client is not None:
        hooks = dict(client.event_hooks)
        hooks["response"] = list(hooks.get("response", [])) + [on_response]
        client.event_hooks = hooks
    try:
        result = run(svix, args.receiver_url)
    except Exception as e:  # noqa: BLE001 - any SDK error fails the interop check
        print(f"error: {type(e).__name__}: {e}")
        traceback.print_exc(file=sys.stderr)
        for line in exchanges:
            print(f"  http: {line}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0
