"""gunicorn's settings for Coldstart (read from this folder by default; make serve names it).

Several workers must share one cache: each would otherwise keep its own rate limits, and a
learner would get the allowance once per worker."""

import os
import sys


def on_starting(server):
    workers = server.cfg.workers
    if workers > 1 and not os.environ.get("REDIS_URL", "").strip():
        sys.exit(
            f"Coldstart will not start {workers} workers without a shared cache: each would count "
            "rate limits on its own. Set REDIS_URL (e.g. redis://127.0.0.1:6379/0; Memcached also "
            "works if configured in CACHES), or run one worker (WORKERS=1)."
        )
