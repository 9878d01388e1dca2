"""Schemathesis hooks for scripts/fuzz-api: how to send an NDJSON body (the
import's), which schemathesis has no serializer for. A generated string is
sent as it is; anything else as one JSON line."""
import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return (json.dumps(value) + "\n").encode()
