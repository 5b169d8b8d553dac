"""The one allocator of host uid ranges for sandbox engines started by tests.

Two live engines must never share host uids (a leftover-process check would see the other's
processes, and a kill by uid would hit them). Each test process (every pytest-xdist worker, and
any other test run on this machine at the same time) holds a span of its own for its lifetime,
claimed with a lock file; each engine gets a range of its own inside that span.
"""

import fcntl
import itertools
import tempfile
import threading
from pathlib import Path

FIRST_UID = 300_000  # above the app's default SANDBOX_UID_BASE (200,000) and its slots
SPAN = 100_000  # uids per test process
SPANS = 40
ENGINE_SPAN = 1_000  # more than any engine's slots (max_environments + blank ones)
LOCK_DIR = Path(tempfile.gettempdir(), "coldstart-test-uid-spans")

_next_engine = itertools.count()
_lock = threading.Lock()
_held: dict[str, object] = {}  # the open lock file: closing it would free the span


def _claim_span() -> int:
    LOCK_DIR.mkdir(exist_ok=True)
    for number in range(SPANS):
        handle = open(LOCK_DIR / f"{number}.lock", "w")  # noqa: SIM115 - held open on purpose
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        _held["span"] = handle
        return number
    raise RuntimeError(f"all {SPANS} uid spans are held by other test processes")


def uid_base() -> int:
    """A fresh range for one engine (or one server process and all its workers' engines)."""
    with _lock:
        if "number" not in _held:
            _held["number"] = _claim_span()
        index = next(_next_engine)
    if index >= SPAN // ENGINE_SPAN:
        raise RuntimeError("this test process started more engines than its uid span holds")
    return FIRST_UID + _held["number"] * SPAN + index * ENGINE_SPAN
