"""The one allocator of host uid ranges for sandbox engines started by tests.

Two live engines must never share host uids (a leftover-process check would see the other's
processes, and a kill by uid would hit them). Each pytest-xdist worker (PYTEST_XDIST_WORKER=gwN)
gets its own span, and each engine a span of its own inside it.
"""

import itertools
import os
import threading

FIRST_UID = 300_000  # above the app's default SANDBOX_UID_BASE (200,000) and its slots
WORKER_SPAN = 100_000
ENGINE_SPAN = 1_000  # more than any engine's slots (max_environments + blank ones)

_next_engine = itertools.count()
_lock = threading.Lock()


def worker_number() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0


def uid_base() -> int:
    """A fresh range for one engine (or one server process and all its workers' engines)."""
    with _lock:
        index = next(_next_engine)
    if index >= WORKER_SPAN // ENGINE_SPAN:
        raise RuntimeError("this test process started more engines than its uid span holds")
    return FIRST_UID + worker_number() * WORKER_SPAN + index * ENGINE_SPAN
