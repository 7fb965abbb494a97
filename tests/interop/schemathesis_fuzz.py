"""Fuzz a running Hookline with schemathesis, driven by its own OpenAPI document.

Usage: python3 schemathesis_fuzz.py BASE_URL TOKEN [MAX_SECONDS [MAX_EXAMPLES]]

Checks: no 5xx, every status code and content type documented, every response body valid
against the document's schema. Bounded in examples and time so it fits a CI run on 2 cores.
Exits non-zero on any failure; the report names the operation, the request and the seed.
"""

import os
import runpy
import sys
import tempfile


def main() -> None:
    base, token = sys.argv[1], sys.argv[2]
    max_seconds = sys.argv[3] if len(sys.argv) > 3 else "60"
    max_examples = sys.argv[4] if len(sys.argv) > 4 else "15"
    sys.argv = [
        "schemathesis",
        "run",
        f"{base}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        max_examples,
        "--max-time",
        max_seconds,
        # One worker: hypothesis parses lambdas with `ast` while generating, and CPython 3.11's
        # parser is not safe across threads ("AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--no-color",
        # The event stream never ends by itself (Server-Sent Events): every call would be a
        # timeout. It is exercised by the pull_stream tests instead.
        "--exclude-operation-id",
        "v1.message.events-stream",
        "--exclude-operation-id",
        "v1.ingest.source.events-stream",
    ]
    # HOOKLINE_FUZZ_PATHS (a regex) fuzzes only the matching paths, for a deeper run of a few.
    only = os.environ.get("HOOKLINE_FUZZ_PATHS")
    if only:
        sys.argv += ["--include-path-regex", only]
    # `wait` (long polling) is sent as 0: see schemathesis_hooks.py.
    os.environ["SCHEMATHESIS_HOOKS"] = os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "schemathesis_hooks.py"
    )
    # schemathesis keeps a crash cache in the working directory: keep it out of the repository.
    os.chdir(tempfile.mkdtemp(prefix="hookline-schemathesis-"))
    runpy.run_module("schemathesis.cli", run_name="__main__")


if __name__ == "__main__":
    main()
