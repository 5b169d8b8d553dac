"""Show what survives between invocations: module state and /tmp.

Code at module level runs once, during the INIT phase of a new execution environment (a cold
start). Lambda then reuses that environment for later invocations (warm starts) as long as it is
kept around, so globals and files in /tmp are still there. Nothing guarantees reuse, though:
treat both as a cache that may be empty, never as storage.

Invoke it several times in a row: "invocation" counts up and "cold_start" turns false until the
environment is replaced (new code or settings, scaling out, or idle time).
"""

import json
import os
import time
from datetime import UTC, datetime

# Runs once per execution environment.
INIT_AT = datetime.now(UTC).isoformat(timespec="milliseconds")
_init_monotonic = time.monotonic()
_invocations = 0

# /tmp is private to one execution environment, so the file is also per environment.
CACHE_FILE = "/tmp/price-list.json"


def load_price_list():
    """Return the price list and whether it came from the /tmp cache."""
    try:
        with open(CACHE_FILE) as handle:
            return json.load(handle), True
    except (FileNotFoundError, json.JSONDecodeError):
        pass
    # Pretend this is slow, e.g. a download from S3 or a call to a pricing service.
    time.sleep(0.2)
    prices = {"print-a4-matte": 830, "print-a3-gloss": 1450, "canvas-30x40": 4990, "fetchedAt": INIT_AT}
    # Write to a temporary name and rename, so a crash mid-write never leaves half a file behind.
    with open(CACHE_FILE + ".part", "w") as handle:
        json.dump(prices, handle)
    os.replace(CACHE_FILE + ".part", CACHE_FILE)
    return prices, False


def lambda_handler(event, context):
    global _invocations
    _invocations += 1
    prices, cache_hit = load_price_list()
    result = {
        "invocation": _invocations,
        "cold_start": _invocations == 1,
        "init_at": INIT_AT,
        "environment_age_s": round(time.monotonic() - _init_monotonic, 3),
        "tmp_cache_hit": cache_hit,
        "prices_cached": len(prices) - 1,
        # "on-demand", "provisioned-concurrency" or "snap-start"; set by Lambda.
        "initialization_type": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        "request_id": context.aws_request_id,
    }
    print(json.dumps(result))
    return result
