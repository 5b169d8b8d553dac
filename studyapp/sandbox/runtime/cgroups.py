"""Control groups for execution environments (v1 or v2): per environment a memory limit (the
kernel kills the environment at its memory size, as Lambda does), a pids limit (stops fork and
thread bombs), a freezer (nothing runs between invokes) and a CPU quota in proportion to
memory. Every engine's groups sit in one budget group whose memory and CPU limits keep the web
app and the database their headroom. Also the sweep of what a killed engine left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def own_v1_dir(controller: str) -> Path | None:
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controller in controllers.split(","):
                return CGROUP_ROOT / controller / path.lstrip("/")
    except OSError:
        return None
    return None


def writable_dir(path: Path | None) -> bool:
    if path is None or not path.is_dir():
        return False
    probe = path / f"coldstart-probe-{os.getpid()}"
    try:
        probe.mkdir()
        probe.rmdir()
        return True
    except OSError:
        return False


# Lambda gives one vCPU at 1,769 MB and CPU in proportion to memory, up to 6 vCPUs.
MB_PER_VCPU = 1769
MAX_VCPUS = 6
CFS_PERIOD_US = 100_000
MIN_QUOTA_US = 1_000  # the kernel's floor for a CFS quota


def cpu_quota_us(vcpus: float, cores: int) -> int:
    """A CFS quota per 100 ms period for `vcpus`, capped by the host's cores."""
    vcpus = min(vcpus, MAX_VCPUS, cores)
    return max(MIN_QUOTA_US, round(vcpus * CFS_PERIOD_US))


def vcpus_for_memory(memory_mb: int) -> float:
    return memory_mb / MB_PER_VCPU


def v2_base() -> Path | None:
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            if line.startswith("0::"):
                return CGROUP_ROOT / line[3:].lstrip("/")
    except OSError:
        return None
    return None


def v2_delegation_ready() -> bool:
    base = v2_base()
    if base is None or not writable_dir(base):
        return False
    return {"memory", "pids"} <= set(v2_controllers())


def v2_controllers() -> list[str]:
    base = v2_base()
    try:
        return (base / "cgroup.subtree_control").read_text().split() if base else []
    except OSError:
        return []


REMOVE_PATIENCE_S = 2.0


class Cgroup:
    """One environment's memory and pids cgroups (v1 or v2), or nothing in rlimit mode."""

    def __init__(self, mode: str, group_name: str, env_name: str, cpu: bool = True):
        """`group_name` may hold a slash (budget group/engine group); `cpu`: set CPU quotas."""
        self.mode = mode
        self.freezer_dir = self.cpu_dir = None
        if mode == "v1":
            self.memory_dir = own_v1_dir("memory") / group_name / env_name
            self.pids_dir = own_v1_dir("pids") / group_name / env_name
            freezer = own_v1_dir("freezer")
            if freezer is not None and writable_dir(freezer):
                self.freezer_dir = freezer / group_name / env_name
            if cpu and own_v1_dir("cpu") is not None:
                self.cpu_dir = own_v1_dir("cpu") / group_name / env_name
        elif mode == "v2":
            self.memory_dir = self.pids_dir = self.freezer_dir = v2_base() / group_name / env_name
            if cpu:
                self.cpu_dir = self.memory_dir
        else:
            self.memory_dir = self.pids_dir = None

    @property
    def enabled(self) -> bool:
        return self.memory_dir is not None

    def create(self, memory_bytes: int, pids_max: int, cpu_quota: int | None = None) -> None:
        if not self.enabled:
            return
        for directory in self._dirs():
            if self.mode == "v2":
                _v2_make_parents(directory)
            directory.mkdir(parents=True, exist_ok=True)
        self.set_memory(memory_bytes)
        self._write(self.pids_dir, "pids.max", str(pids_max))
        if cpu_quota is not None:
            self.set_cpu(cpu_quota)

    def set_cpu(self, quota_us: int | None) -> None:
        """At most `quota_us` of CPU time per 100 ms period, summed over every process."""
        if self.cpu_dir is None or quota_us is None:
            return
        if self.mode == "v1":
            self._write(self.cpu_dir, "cpu.cfs_period_us", str(CFS_PERIOD_US))
            self._write(self.cpu_dir, "cpu.cfs_quota_us", str(quota_us))
        else:
            self._write(self.cpu_dir, "cpu.max", f"{quota_us} {CFS_PERIOD_US}")

    def cpu_quota(self) -> int | None:
        """The quota in force, in microseconds per period (None: unlimited or no controller)."""
        if self.cpu_dir is None:
            return None
        if self.mode == "v1":
            text = (self._read(self.cpu_dir, "cpu.cfs_quota_us") or "").strip()
        else:
            text = (self._read(self.cpu_dir, "cpu.max") or "").split(" ")[0].strip()
        return int(text) if text.isdigit() else None

    def set_memory(self, memory_bytes: int) -> None:
        if self.mode == "v1":
            memsw = self.memory_dir / "memory.memsw.limit_in_bytes"
            # memsw must never be below the memory limit: order the writes accordingly.
            current = int(self._read(self.memory_dir, "memory.limit_in_bytes") or 0)
            if memsw.exists() and memory_bytes > current:
                memsw.write_text(str(memory_bytes))
            self._write(self.memory_dir, "memory.limit_in_bytes", str(memory_bytes))
            if memsw.exists() and memory_bytes <= current:
                memsw.write_text(str(memory_bytes))
        elif self.mode == "v2":
            self._write(self.memory_dir, "memory.max", str(memory_bytes))
            self._write(self.memory_dir, "memory.swap.max", "0", missing_ok=True)

    def _dirs(self) -> list[Path]:
        dirs = (self.memory_dir, self.pids_dir, self.freezer_dir, self.cpu_dir)
        return sorted({d for d in dirs if d is not None})

    def procs_files(self) -> list[str]:
        return [str(directory / "cgroup.procs") for directory in self._dirs()]

    def freeze(self, frozen: bool) -> None:
        """Between invokes Lambda freezes the environment: background threads and processes stop."""
        if self.freezer_dir is None:
            return
        try:
            if self.mode == "v1":
                (self.freezer_dir / "freezer.state").write_text("FROZEN" if frozen else "THAWED")
            else:
                (self.freezer_dir / "cgroup.freeze").write_text("1" if frozen else "0")
        except OSError:
            pass

    def is_frozen(self) -> bool:
        if self.freezer_dir is None:
            return False
        if self.mode == "v1":
            return (self._read(self.freezer_dir, "freezer.state") or "").strip() in ("FROZEN", "FREEZING")
        return (self._read(self.freezer_dir, "cgroup.freeze") or "").strip() == "1"

    def pids(self) -> list[int]:
        if not self.enabled:
            return []
        text = self._read(self.pids_dir, "cgroup.procs") or ""
        return [int(pid) for pid in text.split()]

    def oom_kills(self) -> int:
        if self.mode == "v1":
            text = self._read(self.memory_dir, "memory.oom_control") or ""
        elif self.mode == "v2":
            text = self._read(self.memory_dir, "memory.events") or ""
        else:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def usage_bytes(self) -> int | None:
        name = {"v1": "memory.usage_in_bytes", "v2": "memory.current"}.get(self.mode)
        value = self._read(self.memory_dir, name) if name else None
        return int(value) if value and value.strip().isdigit() else None

    def peak_memory_bytes(self) -> int | None:
        name = {"v1": "memory.max_usage_in_bytes", "v2": "memory.peak"}.get(self.mode)
        value = self._read(self.memory_dir, name) if name else None
        return int(value) if value and value.strip().isdigit() else None

    def kill_all(self) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.freeze(False)  # frozen tasks only die once thawed

    def remove(self) -> None:
        if not self.enabled:
            return
        for directory in self._dirs():
            delay = 0.001
            deadline = time.monotonic() + REMOVE_PATIENCE_S
            while True:
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as error:
                    if error.errno != errno.EBUSY or time.monotonic() > deadline:
                        break
                    # Busy until the kernel has reaped every task: a loaded host needs a while.
                    self.kill_all()
                    time.sleep(delay)
                    delay = min(delay * 2, 0.05)

    @staticmethod
    def _read(directory: Path, name: str) -> str | None:
        try:
            return (directory / name).read_text()
        except OSError:
            return None

    @staticmethod
    def _write(directory: Path, name: str, value: str, missing_ok: bool = False) -> None:
        try:
            (directory / name).write_text(value)
        except FileNotFoundError:
            if not missing_ok:
                raise


def process_alive(pid: int) -> bool:
    """Whether process `pid` still runs: a zombie (killed, not yet reaped) does not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


GROUP_PATTERN = re.compile(r"^coldstart-(\d+)-[0-9a-f]+$")


def sweep_orphaned_groups(mode: str) -> int:
    """Kill and remove the environments of engines whose process is gone (killed, not closed).

    An idle environment is frozen; a frozen process cannot die, so bubblewrap's die-with-parent
    signal stays pending and the environment would hold its memory forever. Returns how many
    environment groups were cleared.
    """
    cleared = 0
    for base in _group_bases(mode):
        # Engine groups sit in a budget group (also "coldstart-..."), or at the base before that.
        for group in [*base.glob("coldstart-*"), *base.glob("coldstart-*/coldstart-*")]:
            match = GROUP_PATTERN.match(group.name)
            if not match or not group.is_dir() or process_alive(int(match.group(1))):
                continue
            group_name = str(group.relative_to(base))
            for env_dir in [d for d in group.iterdir() if d.is_dir()]:
                # An environment's processes live in its leaves (function, aws); it freezes whole.
                leaves = [
                    Cgroup(mode, group_name, f"{env_dir.name}/{d.name}")
                    for d in env_dir.iterdir()
                    if d.is_dir()
                ]
                orphan = Cgroup(mode, group_name, env_dir.name)
                for leaf in [*leaves, orphan]:
                    leaf.kill_all()
                orphan.freeze(False)
                for leaf in [*leaves, orphan]:
                    leaf.remove()
                cleared += 1
            with contextlib.suppress(OSError):
                group.rmdir()
    return cleared


def _group_bases(mode: str) -> list[Path]:
    if mode == "v1":
        names = ("memory", "pids", "freezer", "cpu")
        bases = [own_v1_dir(name) for name in names]
    elif mode == "v2":
        bases = [v2_base()]
    else:
        bases = []
    return [base for base in bases if base is not None and base.is_dir()]


def cleanup_group(mode: str, group_name: str) -> None:
    """Remove this engine's parent cgroup directories (after its environments are gone)."""
    for base in _group_bases(mode):
        with contextlib.suppress(OSError):
            (base / group_name).rmdir()


def apply_budget(mode: str, group: str, memory_bytes: int, cpu_quota: int, cpu: bool) -> Cgroup | None:
    """Create (or update) the budget group every engine's groups live in: the kernel keeps all
    sandboxes together below `memory_bytes` and `cpu_quota` (per 100 ms), whatever each does.
    Engines of one site share it; the last to start sets its limits."""
    if mode == "rlimit":
        return None
    budget = Cgroup(mode, "", group, cpu=cpu)
    for directory in budget._dirs():
        if mode == "v2":
            _v2_make_parents(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if mode == "v2":
            _v2_enable_controllers(directory)
    # Already using more than a lowered budget: the old limit stays until usage shrinks.
    with contextlib.suppress(OSError):
        budget.set_memory(memory_bytes)
    budget.set_cpu(cpu_quota)
    return budget


def _v2_make_parents(directory: Path) -> None:
    """In cgroup v2 a controller reaches a group only if every parent enables it for children."""
    base = v2_base()
    current = base
    for part in directory.relative_to(base).parts[:-1]:
        current = current / part
        current.mkdir(exist_ok=True)
        _v2_enable_controllers(current)


def _v2_enable_controllers(directory: Path) -> None:
    wanted = [name for name in ("memory", "pids", "cpu") if name in v2_controllers()]
    with contextlib.suppress(OSError):
        (directory / "cgroup.subtree_control").write_text(" ".join(f"+{name}" for name in wanted))
