"""Host uid ranges for engines: every live engine on this machine gets a range of its own.

Each environment runs under its own host uid, so two engines (two gunicorn workers, a worker and
`check_content`, two test processes) must never share one: the pids limit and signals would then
cross learners. An engine claims the first free range at or above its `uid_base` with a lock file;
the kernel drops the lock when the process ends, however it ends, so a killed engine's range
becomes free again (and its leftovers are swept by the next engine).
"""

from __future__ import annotations

import fcntl
import tempfile
from pathlib import Path

RANGE_SIZE = 1_000  # uids per engine: more than any engine's slots
MAX_RANGES = 2_000
LOCK_DIR = Path(tempfile.gettempdir(), "coldstart-uid-ranges")


class UidRange:
    def __init__(self, base: int, handle):
        self.base = base
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def claim(first_uid: int, slots: int) -> UidRange:
    """Lock the first free range of RANGE_SIZE uids at or above `first_uid`."""
    if slots > RANGE_SIZE:
        raise ValueError(f"an engine may have at most {RANGE_SIZE} environments")
    LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
    for number in range(MAX_RANGES):
        base = first_uid + number * RANGE_SIZE
        handle = open(LOCK_DIR / f"{base}.lock", "a")  # noqa: SIM115 - held for the engine's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        return UidRange(base, handle)
    raise RuntimeError(f"no free range of {RANGE_SIZE} uids from {first_uid}: too many engines")
