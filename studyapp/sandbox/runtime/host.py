"""What the host offers for isolation: bubblewrap, writable cgroups (and which controllers),
uid switching, its cores; and what it cannot guarantee as Lambda does."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field

from studyapp.sandbox.runtime.cgroups import (
    CGROUP_ROOT,
    own_v1_dir,
    v2_controllers,
    v2_delegation_ready,
    writable_dir,
)


@dataclass(frozen=True)
class HostSupport:
    bwrap: str | None
    setpriv: str | None
    python: str
    cgroup_mode: str  # "v1", "v2" or "rlimit"
    can_switch_uid: bool
    notes: tuple[str, ...] = field(default=())
    freezer: bool = True  # v1 only: whether the freezer controller is writable (v2 always has one)
    cpu: bool = True  # whether a CPU quota can be set (v1 cpu controller, v2 "cpu" delegated)
    cores: int = 1  # CPUs this process may run on: the most any environment can use

    @property
    def isolated(self) -> bool:
        return self.bwrap is not None

    @property
    def missing_guarantees(self) -> tuple[str, ...]:
        """What this host cannot enforce as Lambda does (empty: everything is in place)."""
        missing = []
        if self.cgroup_mode == "rlimit":
            missing.append(
                "no memory, pids or freezer cgroup: memory is an address-space limit (a catchable "
                "MemoryError), processes are limited per uid, and nothing is frozen between invokes"
            )
        else:
            if self.cgroup_mode == "v1" and not self.freezer:
                missing.append("no freezer cgroup: background work keeps running between invokes")
            if not self.cpu:
                missing.append("no CPU controller: an environment's CPU is not in proportion to its memory")
        if not self.can_switch_uid:
            missing.append(
                "not root: every environment runs as the server's own uid, and its mount table "
                "names that uid (only root may lay the sandbox's file systems out itself)"
            )
        return tuple(missing)


def sandbox_python() -> str:
    """An interpreter every sandbox uid can read: Debian's /usr/bin/python3 when present."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.access(candidate, os.X_OK):
            return candidate
    return os.path.realpath(sys.executable)


def detect() -> HostSupport:
    notes: list[str] = []
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        notes.append("bubblewrap is not installed (Debian: apt install bubblewrap).")
    is_root = os.geteuid() == 0
    setpriv = shutil.which("setpriv") if is_root else None
    mode = "rlimit"
    if is_root and writable_dir(own_v1_dir("memory")) and writable_dir(own_v1_dir("pids")):
        mode = "v1"
    elif (CGROUP_ROOT / "cgroup.controllers").exists() and v2_delegation_ready():
        mode = "v2"
    else:
        notes.append(
            "No writable memory/pids cgroup: memory is capped with RLIMIT_AS (a catchable "
            "MemoryError, unlike Lambda) and processes with RLIMIT_NPROC."
        )
    if not (is_root and setpriv):
        notes.append("Not root: every environment runs as the server's own uid.")
    freezer = mode != "v1" or writable_dir(own_v1_dir("freezer"))  # probed once, not per page
    cpu = writable_dir(own_v1_dir("cpu")) if mode == "v1" else mode == "v2" and "cpu" in v2_controllers()
    return HostSupport(
        bwrap,
        setpriv,
        sandbox_python(),
        mode,
        bool(is_root and setpriv),
        tuple(notes),
        freezer,
        cpu,
        len(os.sched_getaffinity(0)),
    )
