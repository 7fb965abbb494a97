#!/usr/bin/env python3
"""Verify one outgoing Hookline webhook with the official `standardwebhooks` library.

Input (stdin, one JSON object):
    {"secret": "whsec_...",
     "headers": {"webhook-id": "...", "webhook-timestamp": "...", "webhook-signature": "..."},
     "body": "<the exact request body as a UTF-8 string>"}

Header names are matched case-insensitively. If the headers carry the `svix-id`,
`svix-timestamp`, `svix-signature` names instead (Hookline's svix-* header mode), the
message is verified with the official `svix` receiver library (`svix.webhooks.Webhook`),
which is what Svix customers use; `webhook-*` headers always go to `standardwebhooks`.

Output / exit status:
    0  prints `ok`                       (signature valid, timestamp within 5 minutes of now)
    1  prints the verification error     (bad signature, stale/future timestamp, bad secret, ...)
    2  prints a usage error              (stdin is not the JSON object described above)

No option that skips the timestamp check is used: callers must send fresh timestamps.
"""

import json
import sys


def main() -> int:
    try:
        raw = sys.stdin.read()
        req = json.loads(raw)
        secret = req["secret"]
        headers = req["headers"]
        body = req["body"]
        if not isinstance(secret, str) or not isinstance(body, str) or not isinstance(headers, dict):
            raise TypeError("secret and body must be strings, headers an object")
        headers = {str(k).lower(): str(v) for k, v in headers.items()}
    except Exception as e:  # noqa: BLE001 - report anything wrong with the input
        print(f"usage error: {type(e).__name__}: {e}")
        return 2

    use_svix = "webhook-id" not in headers and "svix-id" in headers
    try:
        if use_svix:
            from svix.webhooks import Webhook as SvixWebhook

            SvixWebhook(secret).verify(body, headers)
        else:
            from standardwebhooks import Webhook

            Webhook(secret).verify(body, headers)
    except Exception as e:  # noqa: BLE001 - any failure is a verification failure
        lib = "svix" if use_svix else "standardwebhooks"
        print(f"verification failed ({lib}): {type(e).__name__}: {e}")
        return 1

    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
