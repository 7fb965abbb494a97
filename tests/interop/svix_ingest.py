#!/usr/bin/env python3
"""Drive Hookline's ingest API (/ingest/api/v1) with the official `svix` Python SDK.

Usage: svix_ingest.py --server-url U --token T --receiver-url R --github-secret S

Creates a GitHub source (uid "gh-interop") with secret S through `svix.ingest.source`, reads it
back by id and uid, lists sources, rotates its ingest token, then adds an ingest endpoint with
url R through `svix.ingest.endpoint`, sets and reads its headers, reads its secret and lists
endpoints, checking that what comes back is what was created and that no response carries S.
Prints one JSON line: {"source_id", "ingest_url", "endpoint_id", "secret"}.

Exit status: 0 success; 1 any SDK error, unparsable response, failed check or 5xx answer.
"""

import argparse
import json
import sys
import traceback

from svix.api import (
    GithubConfig,
    IngestEndpointHeadersIn,
    IngestEndpointIn,
    IngestSourceIn,
)

from svix_sdk import CheckFailed, Recorder, check, describe, make_client

UID = "gh-interop"


def run(args: argparse.Namespace, recorder: Recorder) -> dict:
    svix = make_client(args, recorder)
    source = svix.ingest.source.create(
        IngestSourceIn(
            name="GitHub interop",
            uid=UID,
            type="github",
            config=GithubConfig(secret=args.github_secret),
            metadata={"team": "platform"},
        )
    )
    check(source.id.startswith("src_"), f"source id {source.id!r} lacks the src_ prefix")
    check(source.type == "github" and source.uid == UID, f"created source mismatch: {source!r}")
    check(bool(source.ingest_url), f"no ingestUrl: {source!r}")

    by_uid = svix.ingest.source.get(UID)
    check(by_uid.id == source.id, f"source.get by uid mismatch: {by_uid!r}")
    listed = svix.ingest.source.list()
    check([s.id for s in listed.data] == [source.id], f"source.list mismatch: {listed!r}")

    rotated = svix.ingest.source.rotate_token(source.id)
    check(rotated.ingest_url != source.ingest_url, "rotate_token kept the same ingest URL")

    endpoint = svix.ingest.endpoint.create(source.id, IngestEndpointIn(url=args.receiver_url))
    check(endpoint.id.startswith("ep_"), f"endpoint id {endpoint.id!r} lacks the ep_ prefix")
    check(endpoint.url == args.receiver_url, f"created endpoint mismatch: {endpoint!r}")
    svix.ingest.endpoint.set_headers(
        source.id, endpoint.id, IngestEndpointHeadersIn(headers={"X-Team": "platform"})
    )
    headers = svix.ingest.endpoint.get_headers(source.id, endpoint.id)
    check(headers.headers == {"X-Team": "platform"}, f"headers mismatch: {headers!r}")
    secret = svix.ingest.endpoint.get_secret(source.id, endpoint.id).key
    check(secret.startswith("whsec_"), "endpoint secret lacks the whsec_ prefix")
    endpoints = svix.ingest.endpoint.list(source.id)
    check([e.id for e in endpoints.data] == [endpoint.id], f"endpoint.list mismatch: {endpoints!r}")

    leaked = [line for line in recorder.exchanges if args.github_secret in line.split(" -> ", 1)[-1]]
    check(not leaked, f"a response carried the source secret: {leaked[:1]}")
    return {
        "source_id": source.id,
        "ingest_url": rotated.ingest_url,
        "endpoint_id": endpoint.id,
        "secret": secret,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--receiver-url", required=True)
    parser.add_argument("--github-secret", required=True)
    args = parser.parse_args()
    recorder = Recorder()
    try:
        result = run(args, recorder)
        if recorder.server_errors:
            raise CheckFailed(f"server answered 5xx (SDK retried): {recorder.server_errors[0]}")
    except Exception as e:  # noqa: BLE001 - every failure must end in exit 1 with a reason
        print(f"error: {describe(e)}")
        traceback.print_exc(file=sys.stderr)
        recorder.dump()
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
