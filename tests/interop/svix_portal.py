#!/usr/bin/env python3
"""App-portal tokens through the official `svix` Python SDK (pinned in requirements.txt).

Usage: svix_portal.py --server-url U --token T

With the admin token T: creates applications "portal-app" and "other-app", asks for an app-portal
token for "portal-app" (authentication.app_portal_access) and for "brand-new" (created on the fly
from the request's `application`). With the portal token: lists and creates in its own
application, sends a message there, then is refused elsewhere, then logs out. Then two portal
sessions (`session_id`): authentication.expire_all ends one session's token, then all.

Prints one JSON line:
  {"token_prefix": str, "url": str, "own_list": n, "sent": msg_id,
   "apps_status": int, "other_status": int, "after_logout_status": int, "brand_new": app_id,
   "expired_session_status": int, "other_session_status": int, "after_expire_all_status": int}
Exit status: 0 when every step behaved as the SDK expects; 1 otherwise (message on stdout).
"""

import argparse
import json
import sys

from svix.api import (
    AppPortalAccessIn,
    ApplicationIn,
    ApplicationTokenExpireIn,
    EndpointIn,
    MessageIn,
    Svix,
    SvixOptions,
)
from svix.exceptions import HttpError


def status_of(call) -> int:
    try:
        call()
    except HttpError as err:
        return err.status_code
    return 200


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-url", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    options = SvixOptions(server_url=args.server_url)

    admin = Svix(args.token, options)
    admin.application.create(ApplicationIn(name="Portal app", uid="portal-app"))
    admin.application.create(ApplicationIn(name="Other app", uid="other-app"))
    access = admin.authentication.app_portal_access("portal-app", AppPortalAccessIn())
    created = admin.authentication.app_portal_access(
        "brand-new", AppPortalAccessIn(application=ApplicationIn(name="Brand new"))
    )
    brand_new = admin.application.get("brand-new")

    portal = Svix(access.token, options)
    portal.endpoint.create(
        "portal-app", EndpointIn(url="https://hooks.example.com/in", disabled=True)
    )
    own = portal.endpoint.list("portal-app")
    sent = portal.message.create("portal-app", MessageIn(event_type="a.b", payload={"x": 1}))
    out = {
        "token_prefix": access.token.split("_")[0] + "_" + access.token.split("_")[1],
        "url": access.url,
        "own_list": len(own.data),
        "sent": sent.id,
        "brand_new": brand_new.id,
        "brand_new_token": bool(created.token),
        "apps_status": status_of(lambda: portal.application.list()),
        "other_status": status_of(lambda: portal.endpoint.list("other-app")),
    }
    portal.authentication.logout()
    out["after_logout_status"] = status_of(lambda: portal.endpoint.list("portal-app"))

    # Two portal sessions; expire-all for one of them, then for the whole application.
    alice = admin.authentication.app_portal_access(
        "portal-app", AppPortalAccessIn(session_id="user_alice")
    )
    bob = admin.authentication.app_portal_access(
        "portal-app", AppPortalAccessIn(session_id="user_bob")
    )
    alice_client, bob_client = Svix(alice.token, options), Svix(bob.token, options)
    admin.authentication.expire_all(
        "portal-app", ApplicationTokenExpireIn(session_ids=["user_alice"])
    )
    out["expired_session_status"] = status_of(lambda: alice_client.endpoint.list("portal-app"))
    out["other_session_status"] = status_of(lambda: bob_client.endpoint.list("portal-app"))
    admin.authentication.expire_all("portal-app", ApplicationTokenExpireIn())
    out["after_expire_all_status"] = status_of(lambda: bob_client.endpoint.list("portal-app"))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as err:  # report any SDK failure on stdout for the Rust test
        print(f"error: {type(err).__name__}: {err}")
        sys.exit(1)
