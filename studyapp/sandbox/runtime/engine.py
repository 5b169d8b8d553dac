"""The engine: takes an environment (warm, else a pre-spawned blank one), runs the invoke with
Lambda's phases and limits, and answers like the Invoke API and the function's log would."""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import re
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from studyapp.sandbox.runtime import lambda_format as fmt
from studyapp.sandbox.runtime import own_filesystem, reachable, uid_ranges
from studyapp.sandbox.runtime.async_invoke import AsyncInvocation
from studyapp.sandbox.runtime.bwrap import write_etc
from studyapp.sandbox.runtime.cgroups import (
    apply_budget,
    cleanup_group,
    cpu_quota_us,
    process_alive,
    sweep_orphaned_groups,
    vcpus_for_memory,
)
from studyapp.sandbox.runtime.config import (
    ASYNC_PAYLOAD_MAX_BYTES,
    SYNC_PAYLOAD_MAX_BYTES,
    ConfigError,
    FunctionConfig,
)
from studyapp.sandbox.runtime.environment import SpawnSpec
from studyapp.sandbox.runtime.host import HostSupport, detect
from studyapp.sandbox.runtime.libraries import EMULATOR_PACKAGES, RUNTIME_PACKAGES
from studyapp.sandbox.runtime.pool import EnvironmentPool, PoolExhausted
from studyapp.sandbox.runtime.results import (
    ACCEPTED,
    DRY_RUN,
    REJECTED,
    THROTTLED,
    InvokeResult,
    api_error,
)
from studyapp.sandbox.runtime.runtimes import discover, host_runtime
from studyapp.sandbox.runtime.seccomp import build_filter
from studyapp.sandbox.runtime.sync_run import RunContext, SyncRun

MIB = 1024 * 1024
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")


# The engine's folder holds the runtime's files and every environment's code: a few MB in
# practice; the cap keeps a flood of files from taking the host's memory (a full folder fails
# that one environment's start, which frees its slot).
WORK_DIR_BYTES = 256 * MIB
ROOT_PREFIX = "coldstart-sandbox-"  # then the engine's pid: a folder whose process is gone is swept
ROOT_PATTERN = re.compile(rf"^{ROOT_PREFIX}(\d+)-")


def sweep_orphaned_folders(work_dir: Path) -> None:
    """Remove the folders (learners' code included) of engines whose process was killed."""
    for folder in work_dir.glob(f"{ROOT_PREFIX}*"):
        match = ROOT_PATTERN.match(folder.name)
        if match and not process_alive(int(match.group(1))):
            own_filesystem.unmount(folder)
            shutil.rmtree(folder, ignore_errors=True)


class IsolationUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class EngineSettings:
    max_concurrency: int = 4  # invokes running at once; more are refused (HTTP 429)
    max_environments: int = 8  # live environments, warm or busy
    blank_environments: int = 2  # pre-spawned, waiting for code
    idle_expiry_s: float = 300
    max_memory_mb: int = 1024  # Lambda allows 10,240; this host caps lower
    max_timeout_s: float = 30  # Lambda allows 900
    tmp_size_mb: int = 64  # Lambda gives 512 MB by default
    pids_max: int = 64
    log_limit_bytes: int = 256 * 1024
    allow_unisolated: bool = False  # only for local development without bubblewrap
    allow_degraded: bool = False  # run where cgroups or uid switching are missing (see degraded)
    uid_base: int = 200_000  # where this engine starts looking for a free range of host uids
    region: str = "us-east-1"
    account_id: str = "123456789012"
    async_retry_delays_s: tuple[float, float] = (1.0, 2.0)  # Lambda waits about 1 and 2 minutes
    work_dir: str | None = None
    # make sandbox-libs: <dir>/runtime holds what Lambda's Python runtime ships (boto3 and its
    # dependencies), the handler's only libraries; <dir>/emulator holds moto, for the emulator only.
    libraries_dir: str | None = None
    # Newer Python installations to offer as runtimes (python3.12, ...): see runtimes.py.
    runtimes_dir: str | None = None
    aws_emulator_memory_mb: int = 256  # the in-sandbox AWS's own memory, beside the function's
    # The kernel keeps every engine's sandboxes on this host together below these (None: half
    # the host's memory; all cores but half of one), so the web app and database keep headroom.
    memory_budget_mb: int | None = None
    cpu_budget_cores: float | None = None
    budget_group: str = "coldstart-sandboxes"  # the cgroup the engines of one site share
    # CPU for the runtime's own start, the INIT phase and the in-sandbox AWS starting up; the
    # handler itself gets CPU in proportion to memory, as on Lambda.
    startup_vcpus: float = 1.0


def host_memory_mb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 4096


@dataclass(frozen=True)
class Invocation:
    """An invoke as started: the Invoke API's answer and, for an Event invocation, the queued
    event whose attempts and destination go on in the background."""

    result: InvokeResult
    pending: AsyncInvocation | None = None

    def __iter__(self):  # result, pending = engine.start(...)
        return iter((self.result, self.pending))


@dataclass
class _Accounting:
    lock: threading.Lock = field(default_factory=threading.Lock)
    running: int = 0


class Engine:
    def __init__(self, settings: EngineSettings | None = None, host: HostSupport | None = None):
        self.settings = settings or EngineSettings()
        self.host = host or detect()
        if not self.host.isolated and not self.settings.allow_unisolated:
            raise IsolationUnavailable(
                "The sandbox needs bubblewrap to isolate code: install it with "
                "`apt install bubblewrap` (make run does this as root), or allow unisolated runs "
                "for local development with SANDBOX_ALLOW_UNISOLATED=1."
            )
        if self.host.isolated:
            sweep_orphaned_groups(self.host.cgroup_mode)  # what an app killed earlier left frozen
        sweep_orphaned_folders(Path(self.settings.work_dir or tempfile.gettempdir()))
        self.degraded = self.host.isolated and bool(self.host.missing_guarantees)
        if self.degraded and not self.settings.allow_degraded:
            raise IsolationUnavailable(
                "This host cannot give the sandbox Lambda's guarantees: "
                + "; ".join(self.host.missing_guarantees)
                + ". Run as root with writable cgroups, or accept weaker isolation with "
                "SANDBOX_ALLOW_DEGRADED=1 (each environment is then used once)."
            )
        self._root = Path(tempfile.mkdtemp(prefix=f"{ROOT_PREFIX}{os.getpid()}-", dir=self.settings.work_dir))
        # Its own tmpfs where root may mount: no host path in the sandbox's mountinfo.
        self.own_filesystem = self.host.isolated and own_filesystem.mount_tmpfs(self._root, WORK_DIR_BYTES)
        self._root.chmod(0o755)  # sandbox uids must reach their bind-mount sources
        runtime_dir = self._root / "runtime"
        runtime_dir.mkdir()
        for name in ("bootstrap.py", "aws_mock.py", "aws_emulator.py"):
            shutil.copy(Path(__file__).with_name(name), runtime_dir / name)
            (runtime_dir / name).chmod(0o644)
        libraries = Path(self.settings.libraries_dir) if self.settings.libraries_dir else None
        self.aws_available = bool(
            libraries
            and (libraries / RUNTIME_PACKAGES / "boto3").is_dir()
            and (libraries / EMULATOR_PACKAGES / "moto").is_dir()
        )
        if self.aws_available and self.host.isolated:
            # Reachable below a private folder too, and no checkout path in the sandbox's mountinfo.
            libraries = reachable.shared_copy(libraries, always=True)
        if self.aws_available:
            (runtime_dir / "emulator").mkdir()  # the mount point of the emulator's libraries
        self.default_runtime = host_runtime(self.host.python)
        self.runtimes = {self.default_runtime.name: self.default_runtime}
        if self.host.isolated:
            for name, runtime in discover(self.settings.runtimes_dir, self.default_runtime).items():
                if runtime.prefix is not None:  # bound by the environments' own uids
                    copy = reachable.shared_copy(runtime.prefix, always=True)  # no host path inside
                    runtime = dataclasses.replace(runtime, prefix=copy)
                self.runtimes[name] = runtime
        runtime_dir.chmod(0o755)
        # After taking the copies this engine uses (held, so kept): the ones nobody holds go.
        reachable.sweep_unused_copies()
        write_etc(self._root / "etc")
        (self._root / "etc").chmod(0o755)
        self._group = f"coldstart-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.budget = None
        if self.host.isolated:
            self.budget = apply_budget(
                self.host.cgroup_mode,
                self.settings.budget_group,
                self.memory_budget_bytes,
                self.cpu_budget_quota,
                cpu=self.host.cpu,
            )
            self._group = f"{self.settings.budget_group}/{self._group}"
        spec = SpawnSpec(
            host=self.host,
            root_dir=self._root,
            runtime_dir=runtime_dir,
            etc_dir=self._root / "etc",
            group_name=self._group,
            tmp_bytes=self.settings.tmp_size_mb * MIB,
            pids_max=self.settings.pids_max,
            log_limit_bytes=self.settings.log_limit_bytes,
            allow_unisolated=self.settings.allow_unisolated,
            seccomp_filter=build_filter(),
            libraries=libraries if self.aws_available else None,
            default_runtime=self.default_runtime,
            startup_cpu_quota=self.startup_cpu_quota,
            aws_memory_bytes=self.settings.aws_emulator_memory_mb * MIB,
            own_filesystem=self.own_filesystem,
        )
        self._uids = None
        if self.host.can_switch_uid:
            slots = self.settings.max_environments + self.settings.blank_environments
            self._uids = uid_ranges.claim(self.settings.uid_base, slots)
        self.pool = EnvironmentPool(
            spec,
            blank_target=self.settings.blank_environments,
            max_environments=self.settings.max_environments,
            idle_expiry_s=self.settings.idle_expiry_s,
            uid_base=self.uid_base,
        )
        self._run_context = RunContext(
            pool=self.pool,
            isolated=self.host.isolated,
            cgroup_mode=self.host.cgroup_mode,
            degraded=self.degraded,
            aws_available=self.aws_available,
            libraries_dir=self.settings.libraries_dir,
            runtimes=self.runtimes,
            account_id=self.settings.account_id,
            log_limit_bytes=self.settings.log_limit_bytes,
            tmp_size_mb=self.settings.tmp_size_mb,
            pids_max=self.settings.pids_max,
            max_timeout_s=self.settings.max_timeout_s,
            startup_cpu_quota=self.startup_cpu_quota,
            cpu_quota_for=self.cpu_quota_for,
            memory_headroom=self.memory_headroom,
        )
        self._accounting = _Accounting()
        self._closed = False
        atexit.register(self.close)

    # -- public API -------------------------------------------------------------------------

    def invoke(
        self,
        config: FunctionConfig,
        event,
        invocation_type: str = "RequestResponse",
        **options,
    ) -> InvokeResult:
        """What the Invoke API answers. For Event invocations that is the 202: use `start` to
        follow the attempts and the destination."""
        return self.start(config, event, invocation_type, **options).result

    def start(
        self,
        config: FunctionConfig,
        event,
        invocation_type: str = "RequestResponse",
        *,
        client_context: dict | None = None,
        identity: dict | None = None,
        destinations: dict | None = None,
        maximum_retry_attempts: int = 2,
        seed_resources: bool = False,
    ) -> Invocation:
        """The Invoke API's answer, and beside it (Event invocations) the queued event."""
        request_id = fmt.new_request_id()
        rejected = self._validate(config, event, invocation_type, request_id)
        if rejected is not None:
            return Invocation(rejected)
        if invocation_type == "DryRun":
            # Validates the request and permissions, runs nothing.
            return Invocation(
                InvokeResult(request_id=request_id, invocation_type="DryRun", status=DRY_RUN, status_code=204)
            )
        event_json = event if isinstance(event, str) else json.dumps(event)
        if invocation_type == "Event":
            pending = AsyncInvocation(
                run=lambda: self.run_sync(
                    config, event_json, request_id, invocation_type="Event", seed=seed_resources
                ),
                function_arn=self._run_context.function_arn(config),
                event_json=event_json,
                request_id=request_id,
                destinations=destinations or {},
                maximum_retry_attempts=maximum_retry_attempts,
                retry_delays_s=self.settings.async_retry_delays_s,
            )
            pending.start()
            accepted = InvokeResult(
                request_id=request_id, invocation_type="Event", status=ACCEPTED, status_code=202
            )
            return Invocation(accepted, pending)
        return Invocation(
            self.run_sync(config, event_json, request_id, client_context, identity, seed=seed_resources)
        )

    def reset(self, config: FunctionConfig) -> int:
        """Destroy the warm environments of this function: the next invoke is a cold start."""
        return self.pool.reset(config.fingerprint)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.pool.close()
        cleanup_group(self.host.cgroup_mode, self._group)
        own_filesystem.unmount(self._root)
        shutil.rmtree(self._root, ignore_errors=True)
        if self._uids is not None:
            self._uids.release()  # after every environment is gone

    @property
    def uid_base(self) -> int | None:
        """The first host uid of the range this engine holds (None when uids cannot switch)."""
        return self._uids.base if self._uids is not None else None

    @property
    def running(self) -> int:
        return self._accounting.running

    # -- CPU and memory ---------------------------------------------------------------------

    def cpu_quota_for(self, memory_mb: int) -> int:
        """The handler's CPU quota (per 100 ms): 1,769 MB buys one vCPU, as on Lambda. Never above
        the budget: the kernel refuses a group more than its parent has."""
        return min(cpu_quota_us(vcpus_for_memory(memory_mb), self.host.cores), self.cpu_budget_quota)

    @property
    def startup_cpu_quota(self) -> int:
        return min(cpu_quota_us(self.settings.startup_vcpus, self.host.cores), self.cpu_budget_quota)

    @property
    def memory_budget_bytes(self) -> int:
        return (self.settings.memory_budget_mb or host_memory_mb() // 2) * MIB

    @property
    def cpu_budget_quota(self) -> int:
        cores = self.settings.cpu_budget_cores or max(0.5, self.host.cores - 0.5)
        return cpu_quota_us(cores, self.host.cores)

    def memory_headroom(self) -> int | None:
        """Bytes the budget group can still give (None: no budget group on this host)."""
        if self.budget is None:
            return None
        used = self.budget.usage_bytes()
        return None if used is None else self.memory_budget_bytes - used

    # -- validation -------------------------------------------------------------------------

    def _validate(self, config, event, invocation_type, request_id) -> InvokeResult | None:
        if invocation_type not in INVOCATION_TYPES:
            return api_error(
                request_id,
                str(invocation_type),
                REJECTED,
                400,
                "InvalidParameterValueException",
                f"Invocation type must be one of {', '.join(INVOCATION_TYPES)}.",
                "invocation_type",
            )
        try:
            config.validate(self.settings.max_memory_mb, self.settings.max_timeout_s)
            if config.runtime and config.runtime not in self.runtimes:
                raise ConfigError(
                    "runtime",
                    f"This server has no {config.runtime} interpreter: it offers {', '.join(self.runtimes)}.",
                )
        except ConfigError as error:
            return api_error(
                request_id,
                invocation_type,
                REJECTED,
                400,
                "InvalidParameterValueException",
                str(error),
                error.field,
            )
        event_json = event if isinstance(event, str) else json.dumps(event)
        if isinstance(event, str):
            try:
                json.loads(event)
            except ValueError as error:
                return api_error(
                    request_id,
                    invocation_type,
                    REJECTED,
                    400,
                    "InvalidRequestContentException",
                    f"Could not parse request body into json: {error}",
                    "event",
                )
        size = len(event_json.encode())
        limit = ASYNC_PAYLOAD_MAX_BYTES if invocation_type == "Event" else SYNC_PAYLOAD_MAX_BYTES
        if size > limit:
            return api_error(
                request_id,
                invocation_type,
                REJECTED,
                413,
                "RequestEntityTooLargeException",
                f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
                "event",
            )
        return None

    # -- one synchronous invoke -------------------------------------------------------------

    def run_sync(
        self,
        config: FunctionConfig,
        event_json: str,
        request_id: str,
        client_context: dict | None = None,
        identity: dict | None = None,
        invocation_type: str = "RequestResponse",
        seed: bool = False,
    ) -> InvokeResult:
        with self._accounting.lock:
            if self._accounting.running >= self.settings.max_concurrency:
                return api_error(
                    request_id, invocation_type, THROTTLED, 429, "TooManyRequestsException", "Rate Exceeded."
                )
            self._accounting.running += 1
        try:
            return SyncRun(
                self._run_context,
                config,
                event_json,
                request_id,
                invocation_type,
                client_context,
                identity,
                seed,
            ).execute()
        except PoolExhausted:
            return api_error(
                request_id, invocation_type, THROTTLED, 429, "TooManyRequestsException", "Rate Exceeded."
            )
        finally:
            with self._accounting.lock:
                self._accounting.running -= 1

    def function_arn(self, config: FunctionConfig) -> str:
        return self._run_context.function_arn(config)


_default_engine: Engine | None = None
_default_lock = threading.Lock()


def get_engine(settings: EngineSettings | None = None) -> Engine:
    """The process-wide engine, created on first use."""
    global _default_engine
    with _default_lock:
        if _default_engine is None:
            _default_engine = Engine(settings)
        return _default_engine


def invoke(
    config: FunctionConfig, event, invocation_type: str = "RequestResponse", **options
) -> InvokeResult:
    return get_engine().invoke(config, event, invocation_type, **options)
