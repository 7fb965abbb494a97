"""schemathesis hooks for schemathesis_fuzz.py (loaded through SCHEMATHESIS_HOOKS).

The pull routes' `wait` parameter asks the server to hold a request open up to 30 seconds when
no message follows: honoured, it would turn fuzz cases into timeouts. It is sent as 0 here; its
range is checked by the pull tests.
"""

import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    if isinstance(case.query, dict) and "wait" in case.query:
        case.query["wait"] = 0
