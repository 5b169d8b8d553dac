"""One execution environment: an isolated process running bootstrap.py, talked to over pipes.

Life: spawned blank (interpreter and bootstrap loaded, no code) -> initialized with one
function's code -> invoked any number of times -> killed (timeout, crash, expiry, reset).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import select
import selectors
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from studyapp.sandbox.runtime import launcher, own_filesystem, protocol, root_layout
from studyapp.sandbox.runtime.bwrap import bwrap_arguments, sandbox_command
from studyapp.sandbox.runtime.cgroups import Cgroup
from studyapp.sandbox.runtime.host import HostSupport
from studyapp.sandbox.runtime.libraries import library_binds
from studyapp.sandbox.runtime.runtimes import Runtime, host_runtime

MIB = 1024 * 1024
AWS_PIDS_MAX = 32  # the emulator's threads: one per connection the function opens


def namespace_pid(pid: int) -> int | None:
    """The pid that host process `pid` has in its innermost pid namespace."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("NSpid:"):
                return int(line.split()[-1])
    except (OSError, ValueError):
        return None
    return None


LOG_DRAIN_CHUNKS = 128  # 8 MiB of output read per drain at most


class EnvironmentDied(Exception):
    pass


@dataclass
class LogBuffer:
    """Keeps the first `limit` bytes of output; counts the rest and says it was cut."""

    limit: int
    chunks: list[bytes] = field(default_factory=list)
    kept: int = 0
    dropped: int = 0

    def add(self, data: bytes) -> None:
        room = self.limit - self.kept
        if room > 0:
            self.chunks.append(data[:room])
            self.kept += min(room, len(data))
        self.dropped += max(0, len(data) - max(room, 0))

    def text(self) -> str:
        text = b"".join(self.chunks).decode("utf-8", errors="replace")
        if self.dropped:
            text += f"\n[Coldstart: output truncated, {self.dropped:,} more bytes not shown]\n"
        return text


@dataclass(frozen=True)
class Outcome:
    """What happened to one message sent to the environment."""

    kind: str  # "ok" | "timeout" | "died" | "tainted" (refused: the request ran nowhere)
    message: dict | None
    elapsed_ms: float
    log: str
    returncode: int | None = None


@dataclass(frozen=True)
class SpawnSpec:
    host: HostSupport
    root_dir: Path  # engine's working directory on the host
    runtime_dir: Path  # holds bootstrap.py
    etc_dir: Path
    group_name: str  # parent cgroup name of this engine
    tmp_bytes: int
    pids_max: int
    log_limit_bytes: int
    allow_unisolated: bool
    seccomp_filter: bytes | None = None
    libraries: Path | None = None  # make sandbox-libs' folder (runtime/, emulator/), if any
    default_runtime: Runtime | None = None  # the host's interpreter (None: host.python as is)
    startup_cpu_quota: int | None = None  # CPU (per 100 ms) until the function's own quota is set
    aws_memory_bytes: int = 256 * 1024 * 1024  # the AWS emulator's memory, beside the function's
    own_filesystem: bool = False  # root_dir is a root-owned tmpfs: the engine lays / out itself


class ExecutionEnvironment:
    def __init__(self, spec: SpawnSpec, slot: int, uid: int | None, runtime: Runtime | None = None):
        self.spec = spec
        self.slot = slot
        self.uid = uid
        self.runtime = runtime or spec.default_runtime or host_runtime(spec.host.python, ask=False)
        self.name = f"env-{slot}-{os.urandom(3).hex()}"
        self.task_dir = spec.root_dir / self.name / "task"
        mode = spec.host.cgroup_mode if spec.host.isolated else "rlimit"
        # The environment's group freezes and goes as one; inside it the function's processes
        # and the AWS emulator's each have their own memory, pids and CPU.
        self.group = Cgroup(mode, spec.group_name, self.name, cpu=spec.host.cpu)
        self.cgroup = Cgroup(mode, spec.group_name, f"{self.name}/function", cpu=spec.host.cpu)
        self.aws_cgroup = Cgroup(mode, spec.group_name, f"{self.name}/aws", cpu=spec.host.cpu)
        self.process: subprocess.Popen | None = None
        self.fingerprint: str | None = None  # set once initialized with a function
        self.memory_mb: int | None = None
        self.cpu_quota: int | None = None  # the function's CPU per 100 ms, once initialized
        self.log_stream = ""  # the CloudWatch log stream name Lambda would give it
        self.last_used = time.monotonic()
        self.invocations = 0
        self.dead = False
        self.slot_released = False  # the pool gives the slot (and its uid) back exactly once
        self._mounts: list[Path] = []  # the tmpfs mounts laid out for it (/tmp, /dev/shm)
        self._max_rss_kb = 0

    # -- life cycle -------------------------------------------------------------------------

    def spawn(self, default_memory_bytes: int) -> None:
        self.task_dir.mkdir(parents=True)
        self.task_dir.parent.chmod(0o755)
        self.task_dir.chmod(0o755)
        self.cgroup.create(default_memory_bytes, self.spec.pids_max, self.spec.startup_cpu_quota)
        self.aws_cgroup.create(self.spec.aws_memory_bytes, AWS_PIDS_MAX, self.spec.startup_cpu_quota)
        cmd_r, self._cmd_w = os.pipe2(os.O_CLOEXEC)
        self._result_r, result_w = os.pipe2(os.O_CLOEXEC)
        self._log_r, log_w = os.pipe2(os.O_CLOEXEC)
        child_fds = [cmd_r, result_w]
        if self.spec.host.isolated:
            argv, extra_fds = self._isolated_argv(cmd_r, result_w)
        elif self.spec.allow_unisolated:
            argv, extra_fds = self._unisolated_argv(cmd_r, result_w), []
        else:
            raise RuntimeError("bubblewrap is not available and unisolated runs are not allowed")
        try:
            self.process = launcher.popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log_w,
                stderr=log_w,
                pass_fds=child_fds + extra_fds,
                env={},
                close_fds=True,
                start_new_session=True,
                cwd=str(self.task_dir) if not self.spec.host.isolated else "/",
            )
        finally:
            for fd in child_fds + extra_fds + [log_w]:
                os.close(fd)
        for fd in (self._result_r, self._log_r, self._cmd_w):
            os.set_blocking(fd, False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._result_r, selectors.EVENT_READ, "result")
        self._selector.register(self._log_r, selectors.EVENT_READ, "log")
        self._pending = bytearray()  # result bytes read but not yet a whole line
        self._scanned = 0  # how much of _pending is known to hold no newline
        self._sent: dict | None = None  # the message being answered; None until "ready"

    def _isolated_argv(self, cmd_r: int, result_w: int) -> tuple[list[str], list[int]]:
        spec = self.spec
        runtime = self.runtime
        args = bwrap_arguments(
            python=spec.host.python,
            task_dir=self.task_dir,
            runtime_dir=spec.runtime_dir,
            etc_dir=spec.etc_dir,
            tmp_bytes=spec.tmp_bytes,
            extra_ro_binds=library_binds(spec.libraries, runtime.minor) if spec.libraries else (),
            lang_dir=runtime.prefix,
        )
        if spec.own_filesystem:
            args, self._mounts = root_layout.lay_out(args, self.task_dir.parent, self.uid)
        extra_fds = []
        if spec.seccomp_filter:
            extra_fds.append(self._pipe_with(spec.seccomp_filter))
            args += ["--seccomp", str(extra_fds[-1])]
        # Arguments travel through a pipe so /proc/*/cmdline inside shows no host paths.
        args_r = self._pipe_with(b"".join(arg.encode() + b"\0" for arg in args))
        extra_fds.append(args_r)
        command = [
            spec.host.bwrap,
            "--args",
            str(args_r),
            *sandbox_command(runtime.python, cmd_r, result_w),
        ]
        if self.uid is not None and spec.host.setpriv:
            command = [
                spec.host.setpriv,
                f"--reuid={self.uid}",
                f"--regid={self.uid}",
                "--clear-groups",
                *command,
            ]
        procs = self.cgroup.procs_files()
        if procs:
            # Join the cgroups before anything else runs: every later process inherits them.
            script = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'
            command = ["/bin/sh", "-c", script, "sh", *procs, "--", *command]
        return command, extra_fds

    @staticmethod
    def _pipe_with(data: bytes) -> int:
        """A pipe already holding `data` (small: fits the pipe buffer), read end returned."""
        read_fd, write_fd = os.pipe2(os.O_CLOEXEC)
        os.write(write_fd, data)
        os.close(write_fd)
        return read_fd

    def _unisolated_argv(self, cmd_r: int, result_w: int) -> list[str]:
        return [
            self.spec.host.python,
            "-I",
            "-S",
            "-B",
            "-u",
            str(self.spec.runtime_dir / "bootstrap.py"),
            str(cmd_r),
            str(result_w),
        ]

    def wait_ready(self, timeout_s: float) -> None:
        outcome = self._await_message(time.monotonic() + timeout_s, LogBuffer(4096))
        if outcome.kind != "ok" or outcome.message.get("op") != "ready":
            self.kill()
            raise EnvironmentDied(f"sandbox did not start: {outcome.log.strip() or outcome.kind}")
        # Said before any learner code ran, so it can be believed: give the emulator its group.
        self._move_emulator(outcome.message.get("aws_pid"))

    def _move_emulator(self, pid_inside: int | None) -> None:
        if pid_inside is None or not self.aws_cgroup.enabled:
            return
        for pid in self.cgroup.pids():
            if namespace_pid(pid) == pid_inside:
                for procs in self.aws_cgroup.procs_files():
                    Path(procs).write_text(str(pid))
                return

    def kill(self) -> None:
        """Kill the whole process tree and remove the environment's files and cgroups."""
        if self.dead:
            return
        self.dead = True
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
        self.kill_processes()
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill_processes()
        if hasattr(self, "_selector"):
            self._selector.close()
            for fd in (self._result_r, self._log_r, self._cmd_w):
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.cgroup.remove()
        self.aws_cgroup.remove()
        self.group.remove()
        for folder in self._mounts:
            # (cleanup goes on regardless: rmtree removes a tmpfs's files without following links)
            with contextlib.suppress(OSError):
                own_filesystem.unmount(folder)
        shutil.rmtree(self.task_dir.parent, ignore_errors=True)

    def kill_processes(self) -> None:
        """SIGKILL to every process of the environment (function and emulator), then thaw it:
        a frozen process only dies once thawed."""
        self.cgroup.kill_all()
        self.aws_cgroup.kill_all()
        self.group.freeze(False)

    def freeze(self, frozen: bool) -> None:
        """Between invokes Lambda freezes the environment: nothing in it runs."""
        self.group.freeze(frozen)

    # -- the function it runs ---------------------------------------------------------------

    def install_code(self, files: dict[str, str]) -> None:
        """Write the function's files (read-only at /var/task inside) before its INIT."""
        for relative, source in files.items():
            path = self.task_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source, encoding="utf-8")
            path.chmod(0o644)
        for directory in [self.task_dir, *[p for p in self.task_dir.rglob("*") if p.is_dir()]]:
            directory.chmod(0o755)

    def assign(self, fingerprint: str, memory_mb: int, cpu_quota: int) -> None:
        """From now on this environment belongs to one function, at its memory size. The CPU
        quota is kept for after INIT (the caller sets it then)."""
        self.cgroup.set_memory(memory_mb * MIB)
        self.cpu_quota = cpu_quota
        self.fingerprint = fingerprint
        self.memory_mb = memory_mb
        self.log_stream = f"{dt.datetime.now(dt.UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"

    # -- messages -------------------------------------------------------------------------

    def send(self, message: dict, deadline: float, log: LogBuffer) -> Outcome:
        """Send one message and wait for its answer until `deadline` (monotonic seconds)."""
        started = time.monotonic()
        self._drain_log(log)  # output of background threads since the last invoke
        if self.spoke_out_of_turn():
            self.kill()
            return Outcome("died", None, 0.0, log.text(), None)
        self._sent = message
        return self._write(message, deadline, log, started)

    def _write(self, message: dict, deadline: float, log: LogBuffer, started: float) -> Outcome:
        """Write a message, then wait for its answer."""
        data = memoryview((json.dumps(message) + "\n").encode())
        try:
            while data:
                try:
                    written = os.write(self._cmd_w, data)
                    data = data[written:]
                except BlockingIOError:
                    self._wait_io(deadline, log, writing=True)
                    if time.monotonic() >= deadline:
                        return Outcome("timeout", None, (time.monotonic() - started) * 1000, log.text())
        except BrokenPipeError:
            return self._died(started, log)
        return self._await_message(deadline, log, started)

    def _await_message(self, deadline: float, log: LogBuffer, started: float | None = None) -> Outcome:
        started = started or time.monotonic()
        while True:
            newline = self._pending.find(b"\n", self._scanned)  # only bytes not yet searched
            self._scanned = len(self._pending) if newline < 0 else 0
            if newline >= 0:
                line = bytes(self._pending[:newline])
                del self._pending[: newline + 1]
                elapsed = (time.monotonic() - started) * 1000
                self._drain_log(log)
                try:
                    message = json.loads(line)
                except (ValueError, RecursionError):
                    message = None
                if protocol.problem(message, self._sent) is not None:  # the code spoke for the runtime
                    self.kill()
                    return Outcome("died", None, elapsed, log.text(), None)
                self._max_rss_kb = max(self._max_rss_kb, message.pop("max_rss_kb", 0))
                if message["op"] == protocol.TAINTED:
                    return Outcome("tainted", None, elapsed, log.text())
                return Outcome("ok", message, elapsed, log.text())
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return Outcome("timeout", None, (time.monotonic() - started) * 1000, log.text())
            for key, _ in self._selector.select(remaining):
                if key.data == "log":
                    self._drain_log(log)
                    continue
                try:
                    chunk = os.read(self._result_r, 1 << 20)
                except BlockingIOError:
                    continue
                if not chunk:
                    return self._died(started, log)
                self._pending += chunk
                if len(self._pending) > 64 * MIB:  # far above any legal payload
                    self.kill()
                    return Outcome("died", None, (time.monotonic() - started) * 1000, log.text())

    def spoke_out_of_turn(self) -> bool:
        """Anything on the result channel before the host asks is a forged line: each message
        the host sends gets exactly one answer (notices aside)."""
        if self.dead:
            return False
        if self._pending:
            return True
        readable, _, _ = select.select([self._result_r], [], [], 0)
        return bool(readable)

    def _wait_io(self, deadline: float, log: LogBuffer, writing: bool) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._cmd_w, selectors.EVENT_WRITE)
            selector.register(self._log_r, selectors.EVENT_READ)
            for key, _ in selector.select(max(0.0, deadline - time.monotonic())):
                if key.fd == self._log_r:
                    self._drain_log(log)

    def _drain_log(self, log: LogBuffer) -> None:
        # Bounded: code that floods its output must not hold this thread past the deadline; what
        # is left waits in the pipe (and blocks the writer) until the next call.
        for _ in range(LOG_DRAIN_CHUNKS):
            try:
                chunk = os.read(self._log_r, 1 << 16)
            except (BlockingIOError, OSError):
                return
            if not chunk:
                return
            log.add(chunk)

    def _died(self, started: float, log: LogBuffer) -> Outcome:
        elapsed = (time.monotonic() - started) * 1000
        returncode = None
        if self.process is not None:
            try:
                returncode = self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                returncode = None
        self._drain_log(log)
        return Outcome("died", None, elapsed, log.text(), returncode)

    # -- measures -------------------------------------------------------------------------

    def max_memory_used_mb(self) -> int:
        peak = self.cgroup.peak_memory_bytes()
        if peak is None:
            peak = self._max_rss_kb * 1024
        return max(1, math.ceil(peak / MIB))

    def out_of_memory(self) -> bool:
        return self.cgroup.oom_kills() > 0
