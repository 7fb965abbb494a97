#!/usr/bin/env python3
"""Verify one outgoing Hookline webhook's `v1a` (ed25519) signature independently.

Input (stdin, one JSON object):
    {"public_key": "whpk_...",
     "headers": {"webhook-id": "...", "webhook-timestamp": "...", "webhook-signature": "..."},
     "body": "<the exact request body as a UTF-8 string>"}

The signed content is `{id}.{timestamp}.{body}` (Standard Webhooks). Each `v1a,<base64>` entry of
the signature header is checked with PyNaCl AND with `cryptography` (two implementations no one
here wrote); the message is accepted when one entry verifies with both.

Exit status: 0 prints `ok`; 1 prints why verification failed; 2 on bad input.
"""

import base64
import json
import sys


def main() -> int:
    try:
        req = json.loads(sys.stdin.read())
        public_key = req["public_key"]
        headers = {str(k).lower(): str(v) for k, v in req["headers"].items()}
        body = req["body"]
        if not public_key.startswith("whpk_"):
            raise ValueError("public_key must start with whpk_")
        raw_key = base64.b64decode(public_key[len("whpk_"):])
        msg_id = headers.get("webhook-id") or headers["svix-id"]
        timestamp = headers.get("webhook-timestamp") or headers["svix-timestamp"]
        signature = headers.get("webhook-signature") or headers["svix-signature"]
    except Exception as e:  # noqa: BLE001 - report anything wrong with the input
        print(f"usage error: {type(e).__name__}: {e}")
        return 2

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from nacl.exceptions import BadSignatureError
    from nacl.signing import VerifyKey

    content = f"{msg_id}.{timestamp}.{body}".encode()
    nacl_key = VerifyKey(raw_key)
    crypto_key = Ed25519PublicKey.from_public_bytes(raw_key)
    entries = [e.split(",", 1) for e in signature.split(" ") if "," in e]
    for version, sig_b64 in entries:
        if version != "v1a":
            continue
        sig = base64.b64decode(sig_b64)
        try:
            nacl_key.verify(content, sig)
            crypto_key.verify(sig, content)
        except (BadSignatureError, InvalidSignature):
            continue
        print("ok")
        return 0
    print(f"no v1a entry verifies (entries: {[v for v, _ in entries]})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
