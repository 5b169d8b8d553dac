"""What the host offers for isolation (bubblewrap, cgroups, uid switching) and how to use it.

Each execution environment gets: bubblewrap with new user/pid/net/ipc/uts/cgroup namespaces
and an empty environment; its own host uid; a memory cgroup (the kernel kills the
environment at its memory size, as Lambda does), a pids cgroup (stops fork and thread
bombs) and a CPU quota in proportion to its memory where the host lets us create them, with
rlimits as the fallback. Every engine's groups sit in one budget group whose memory and CPU
limits keep the web app and the database their headroom.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
SANDBOX_UID_INSIDE = 993  # Lambda runs handlers as sbx_user1051 (993:990)
SANDBOX_GID_INSIDE = 990


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
            missing.append("not root: every environment runs as the server's own uid")
        return tuple(missing)


def _own_cgroup_v1(controller: str) -> Path | None:
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controller in controllers.split(","):
                return CGROUP_ROOT / controller / path.lstrip("/")
    except OSError:
        return None
    return None


def _writable_dir(path: Path | None) -> bool:
    if path is None or not path.is_dir():
        return False
    probe = path / f"coldstart-probe-{os.getpid()}"
    try:
        probe.mkdir()
        probe.rmdir()
        return True
    except OSError:
        return False


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
    if is_root and _writable_dir(_own_cgroup_v1("memory")) and _writable_dir(_own_cgroup_v1("pids")):
        mode = "v1"
    elif (CGROUP_ROOT / "cgroup.controllers").exists() and _v2_delegation_ready():
        mode = "v2"
    else:
        notes.append(
            "No writable memory/pids cgroup: memory is capped with RLIMIT_AS (a catchable "
            "MemoryError, unlike Lambda) and processes with RLIMIT_NPROC."
        )
    if not (is_root and setpriv):
        notes.append("Not root: every environment runs as the server's own uid.")
    freezer = mode != "v1" or _writable_dir(_own_cgroup_v1("freezer"))  # probed once, not per page
    if mode == "v1":
        cpu = _writable_dir(_own_cgroup_v1("cpu"))
    else:
        cpu = mode == "v2" and "cpu" in _v2_controllers()
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


def _v2_base() -> Path | None:
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            if line.startswith("0::"):
                return CGROUP_ROOT / line[3:].lstrip("/")
    except OSError:
        return None
    return None


def _v2_delegation_ready() -> bool:
    base = _v2_base()
    if base is None or not _writable_dir(base):
        return False
    return {"memory", "pids"} <= set(_v2_controllers())


def _v2_controllers() -> list[str]:
    base = _v2_base()
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
            self.memory_dir = _own_cgroup_v1("memory") / group_name / env_name
            self.pids_dir = _own_cgroup_v1("pids") / group_name / env_name
            freezer = _own_cgroup_v1("freezer")
            if freezer is not None and _writable_dir(freezer):
                self.freezer_dir = freezer / group_name / env_name
            if cpu and _own_cgroup_v1("cpu") is not None:
                self.cpu_dir = _own_cgroup_v1("cpu") / group_name / env_name
        elif mode == "v2":
            self.memory_dir = self.pids_dir = self.freezer_dir = _v2_base() / group_name / env_name
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
            if not match or not group.is_dir() or Path("/proc", match.group(1)).exists():
                continue
            for env_dir in [d for d in group.iterdir() if d.is_dir()]:
                orphan = Cgroup(mode, str(group.relative_to(base)), env_dir.name)
                orphan.kill_all()
                orphan.remove()
                cleared += 1
            with contextlib.suppress(OSError):
                group.rmdir()
    return cleared


def _group_bases(mode: str) -> list[Path]:
    if mode == "v1":
        names = ("memory", "pids", "freezer", "cpu")
        bases = [_own_cgroup_v1(name) for name in names]
    elif mode == "v2":
        bases = [_v2_base()]
    else:
        bases = []
    return [base for base in bases if base is not None and base.is_dir()]


def cleanup_group(mode: str, group_name: str) -> None:
    """Remove this engine's parent cgroup directories (after its environments are gone)."""
    for base in _group_bases(mode):
        with contextlib.suppress(OSError):
            (base / group_name).rmdir()


def apply_budget(host: HostSupport, group: str, memory_bytes: int, cpu_quota: int) -> Cgroup | None:
    """Create (or update) the budget group every engine's groups live in: the kernel keeps all
    sandboxes together below `memory_bytes` and `cpu_quota` (per 100 ms), whatever each does.
    Engines of one site share it; the last to start sets its limits."""
    if host.cgroup_mode == "rlimit":
        return None
    budget = Cgroup(host.cgroup_mode, "", group, cpu=host.cpu)
    for directory in budget._dirs():
        if host.cgroup_mode == "v2":
            _v2_make_parents(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if host.cgroup_mode == "v2":
            _v2_enable_controllers(directory)
    # Already using more than a lowered budget: the old limit stays until usage shrinks.
    with contextlib.suppress(OSError):
        budget.set_memory(memory_bytes)
    budget.set_cpu(cpu_quota)
    return budget


def _v2_make_parents(directory: Path) -> None:
    """In cgroup v2 a controller reaches a group only if every parent enables it for children."""
    base = _v2_base()
    current = base
    for part in directory.relative_to(base).parts[:-1]:
        current = current / part
        current.mkdir(exist_ok=True)
        _v2_enable_controllers(current)


def _v2_enable_controllers(directory: Path) -> None:
    wanted = [name for name in ("memory", "pids", "cpu") if name in _v2_controllers()]
    with contextlib.suppress(OSError):
        (directory / "cgroup.subtree_control").write_text(" ".join(f"+{name}" for name in wanted))


# Commands a Python function finds on Lambda's images too (a shell and the core utilities);
# what else the host installed (compilers, databases, browsers, package managers) stays hidden.
USR_COMMANDS = (
    *("sh", "dash", "bash", "env", "ls", "cat", "echo", "printf", "test", "[", "true", "false"),
    *("sleep", "mkdir", "rm", "rmdir", "cp", "mv", "touch", "ln", "chmod", "readlink", "stat"),
    *("head", "tail", "wc", "sort", "uniq", "cut", "tr", "tee", "grep", "sed", "find", "xargs"),
    *("du", "df", "date", "uname", "id", "whoami", "pwd", "kill", "ps", "basename", "dirname"),
    *("mktemp", "nproc", "tar", "gzip", "gunzip", "zcat", "expr", "seq", "base64", "md5sum"),
    *("sha256sum", "which", "timeout"),
)


def usr_view(python: str) -> list[str]:
    """bubblewrap options for the /usr a function sees: the interpreter and its standard library,
    the shared libraries, locales, time zones and USR_COMMANDS, on an empty read-only /usr.
    Where the interpreter does not live in /usr the whole of /usr is shown (less hidden)."""
    real = Path(python).resolve()
    stdlib = Path("/usr/lib") / real.name
    if real.parent != Path("/usr/bin") or not (stdlib / "os.py").exists():
        return ["--ro-bind", "/usr", "/usr", "--tmpfs", "/usr/local", "--remount-ro", "/usr/local"]
    directories = [stdlib, Path("/usr/lib/locale"), Path("/usr/share/zoneinfo")]
    directories += sorted(Path("/usr/lib").glob("*-linux-gnu*"))  # shared libraries (multiarch)
    directories += [Path(name) for name in ("/usr/lib64", "/usr/lib32", "/usr/libx32")]
    files = [Path(python), real] + [Path("/usr/bin", name) for name in USR_COMMANDS]
    args = ["--tmpfs", "/usr"]
    for path in [*directories, *files]:
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    return [*args, "--remount-ro", "/usr"]


# The sandbox's /proc shows only its own processes; these host-wide entries say something
# about the host (its kernel's boot line, keys, timers, hardware) and are masked, as container
# engines do.
PROC_MASKED_FILES = ("cmdline", "kcore", "keys", "timer_list", "sched_debug", "latency_stats", "timer_stats")
PROC_MASKED_DIRS = ("acpi", "scsi", "asound", "irq", "bus", "fs", "driver", "sysvipc")


def proc_masks(empty_file: Path) -> list[str]:
    """`empty_file`: a readable empty file on the host (bubblewrap binds devices as nodev, so
    /dev/null would read as "permission denied" rather than as empty)."""
    args = []
    for name in PROC_MASKED_FILES:
        if Path("/proc", name).exists():
            args += ["--ro-bind", str(empty_file), f"/proc/{name}"]
    for name in PROC_MASKED_DIRS:
        if Path("/proc", name).is_dir():
            args += ["--tmpfs", f"/proc/{name}", "--remount-ro", f"/proc/{name}"]
    return args


def host_symlink_or_bind(name: str) -> list[str]:
    """Mirror /bin, /lib, ... as the host has them (merged-/usr Debian uses symlinks)."""
    host = Path("/") / name
    if host.is_symlink():
        return ["--symlink", os.readlink(host), f"/{name}"]
    if host.is_dir():
        return ["--ro-bind", str(host), f"/{name}"]
    return []


# Lambda offers no /dev/shm at all; a little keeps multiprocessing's locks working here.
SHM_BYTES = 16 * 1024 * 1024


def bwrap_arguments(
    *,
    python: str,
    task_dir: Path,
    runtime_dir: Path,
    etc_dir: Path,
    tmp_bytes: int,
    extra_ro_binds: tuple = (),
) -> list[str]:
    """Options for bubblewrap (the command itself comes from sandbox_command)."""
    args = [
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        "--uid",
        str(SANDBOX_UID_INSIDE),
        "--gid",
        str(SANDBOX_GID_INSIDE),
        *usr_view(python),
    ]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        args += host_symlink_or_bind(name)
    args += [
        "--ro-bind",
        str(etc_dir),
        "/etc",
        "--proc",
        "/proc",
        *proc_masks(empty_file(etc_dir)),
        "--dev",
        "/dev",
        # bubblewrap's /dev is a writable tmpfs without a size: cap /dev/shm, then make the rest
        # read-only (the device nodes still read and write).
        "--size",
        str(SHM_BYTES),
        "--tmpfs",
        "/dev/shm",
        "--remount-ro",
        "/dev",
        "--size",
        str(tmp_bytes),
        "--tmpfs",
        "/tmp",
        "--ro-bind",
        str(task_dir),
        "/var/task",
        "--ro-bind",
        str(runtime_dir),
        "/var/runtime",
    ]
    for source, target in extra_ro_binds:
        args += ["--ro-bind", str(source), target]
    args += ["--remount-ro", "/", "--chdir", "/var/task"]
    return args


def sandbox_command(python: str, cmd_fd: int, result_fd: int) -> list[str]:
    return ["--", python, "-I", "-S", "-B", "-u", "/var/runtime/bootstrap.py", str(cmd_fd), str(result_fd)]


ETC_FILES = {
    "passwd": "root:x:0:0:root:/root:/sbin/nologin\n"
    f"sbx_user1051:x:{SANDBOX_UID_INSIDE}:{SANDBOX_GID_INSIDE}::/home/sbx_user1051:/sbin/nologin\n",
    "group": f"root:x:0:\nsbx_user1051:x:{SANDBOX_GID_INSIDE}:\n",
    "hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost\n",
    "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
}


def write_etc(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in ETC_FILES.items():
        (directory / name).write_text(text)
        (directory / name).chmod(0o644)
    empty_file(directory).write_bytes(b"")
    empty_file(directory).chmod(0o444)


def empty_file(etc_dir: Path) -> Path:
    """Beside the sandbox's /etc, not in it: what masked /proc entries read as."""
    return etc_dir.parent / "empty"
