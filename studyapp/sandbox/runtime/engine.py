"""The engine: takes an environment (warm, else a pre-spawned blank one), runs the invoke with
Lambda's phases and limits, and answers like the Invoke API and the function's log would."""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from studyapp.sandbox.runtime import lambda_format as fmt
from studyapp.sandbox.runtime.config import (
    ASYNC_PAYLOAD_MAX_BYTES,
    INIT_TIMEOUT_S,
    SYNC_PAYLOAD_MAX_BYTES,
    ConfigError,
    FunctionConfig,
)
from studyapp.sandbox.runtime.environment import LogBuffer, SpawnSpec
from studyapp.sandbox.runtime.isolation import HostSupport, cleanup_group, detect, write_etc
from studyapp.sandbox.runtime.pool import EnvironmentPool, PoolExhausted
from studyapp.sandbox.runtime.results import (
    ACCEPTED,
    DRY_RUN,
    ERROR,
    REJECTED,
    SUCCESS,
    THROTTLED,
    TIMEOUT,
    InvokeResult,
    api_error,
)
from studyapp.sandbox.runtime.seccomp import build_filter

MIB = 1024 * 1024
RESPONSE_LIMIT_REPORTED = 6_291_556  # the figure Lambda prints for an oversized response
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
LAMBDA_LIBRARY_PATH = (
    "/var/lang/lib",
    "/lib64",
    "/usr/lib64",
    "/var/runtime",
    "/var/runtime/lib",
    "/var/task",
    "/var/task/lib",
    "/opt/lib",
)


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
    uid_base: int = 200_000
    region: str = "us-east-1"
    account_id: str = "123456789012"
    async_retry_delays_s: tuple[float, float] = (1.0, 2.0)  # Lambda waits about 1 and 2 minutes
    work_dir: str | None = None


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
        self._root = Path(tempfile.mkdtemp(prefix="coldstart-sandbox-", dir=self.settings.work_dir))
        self._root.chmod(0o755)  # sandbox uids must reach their bind-mount sources
        runtime_dir = self._root / "runtime"
        runtime_dir.mkdir()
        shutil.copy(Path(__file__).with_name("bootstrap.py"), runtime_dir / "bootstrap.py")
        (runtime_dir / "bootstrap.py").chmod(0o644)
        runtime_dir.chmod(0o755)
        write_etc(self._root / "etc")
        (self._root / "etc").chmod(0o755)
        self._group = f"coldstart-{os.getpid()}-{uuid.uuid4().hex[:6]}"
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
        )
        self.pool = EnvironmentPool(
            spec,
            blank_target=self.settings.blank_environments,
            max_environments=self.settings.max_environments,
            idle_expiry_s=self.settings.idle_expiry_s,
            uid_base=self.settings.uid_base if self.host.can_switch_uid else None,
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
        *,
        client_context: dict | None = None,
        identity: dict | None = None,
        destinations: dict | None = None,
        maximum_retry_attempts: int = 2,
    ) -> InvokeResult:
        request_id = fmt.new_request_id()
        rejected = self._validate(config, event, invocation_type, request_id)
        if rejected is not None:
            return rejected
        if invocation_type == "DryRun":
            # Validates the request and permissions, runs nothing.
            return InvokeResult(
                request_id=request_id, invocation_type="DryRun", status=DRY_RUN, status_code=204
            )
        event_json = event if isinstance(event, str) else json.dumps(event)
        if invocation_type == "Event":
            from studyapp.sandbox.runtime.async_invoke import AsyncInvocation

            invocation = AsyncInvocation(
                self, config, event_json, request_id, destinations or {}, maximum_retry_attempts
            )
            invocation.start()
            return InvokeResult(
                request_id=request_id,
                invocation_type="Event",
                status=ACCEPTED,
                status_code=202,
                async_invocation=invocation,
            )
        return self.run_sync(config, event_json, request_id, client_context, identity)

    def reset(self, config: FunctionConfig) -> int:
        """Destroy the warm environments of this function: the next invoke is a cold start."""
        return self.pool.reset(config.fingerprint)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.pool.close()
        cleanup_group(self.host.cgroup_mode, self._group)
        shutil.rmtree(self._root, ignore_errors=True)

    @property
    def running(self) -> int:
        return self._accounting.running

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
    ) -> InvokeResult:
        with self._accounting.lock:
            if self._accounting.running >= self.settings.max_concurrency:
                return api_error(
                    request_id, invocation_type, THROTTLED, 429, "TooManyRequestsException", "Rate Exceeded."
                )
            self._accounting.running += 1
        try:
            return self._run(config, event_json, request_id, client_context, identity, invocation_type)
        except PoolExhausted:
            return api_error(
                request_id, invocation_type, THROTTLED, 429, "TooManyRequestsException", "Rate Exceeded."
            )
        finally:
            with self._accounting.lock:
                self._accounting.running -= 1

    def _run(self, config, event_json, request_id, client_context, identity, invocation_type):
        env = self.pool.take_warm(config.fingerprint)
        cold = env is None
        log_lines: list[str] = []
        init_ms = None
        if cold:
            env = self.pool.take_blank()
            log_lines.append(fmt.init_start_line(config.region))
            init = self._initialize(env, config)
            init_ms = init.elapsed_ms
            if init.log:
                log_lines.append(init.log.rstrip("\n"))
            if init.kind != "ok" or not init.message.get("ok"):
                return self._init_failed(env, config, request_id, init, log_lines, invocation_type)
        try:
            return self._invoke(
                env,
                config,
                event_json,
                request_id,
                client_context,
                identity,
                cold,
                init_ms,
                log_lines,
                invocation_type,
            )
        finally:
            self.pool.give_back(env)

    def _initialize(self, env, config: FunctionConfig):
        for relative, source in config.files.items():
            path = env.task_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source, encoding="utf-8")
            path.chmod(0o644)
        for directory in [env.task_dir, *[p for p in env.task_dir.rglob("*") if p.is_dir()]]:
            directory.chmod(0o755)
        env.cgroup.set_memory(config.memory_mb * MIB)
        env.fingerprint = config.fingerprint
        env.memory_mb = config.memory_mb
        env.log_stream = f"{dt.datetime.now(dt.UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        message = {
            "op": "init",
            "handler": config.handler,
            "env": self._lambda_environment(config, env),
            "rlimits": self._rlimits(config),
            "path": [self._task_root(env)],
        }
        return env.send(message, time.monotonic() + INIT_TIMEOUT_S, LogBuffer(self.settings.log_limit_bytes))

    def _task_root(self, env) -> str:
        return "/var/task" if self.host.isolated else str(env.task_dir)

    def _rlimits(self, config: FunctionConfig) -> dict[str, int]:
        limits = {
            "RLIMIT_NOFILE": 1024,  # Lambda's file descriptor quota
            "RLIMIT_CORE": 0,
            "RLIMIT_FSIZE": self.settings.tmp_size_mb * MIB,
            "RLIMIT_CPU": int(self.settings.max_timeout_s * 20),
            "RLIMIT_NPROC": self.settings.pids_max + 4,  # per host uid: effective as non-root
        }
        if self.host.cgroup_mode == "rlimit":
            # Without a memory cgroup only an address-space cap is possible (catchable, unlike Lambda).
            limits["RLIMIT_AS"] = (config.memory_mb + 256) * MIB
        return limits

    def _lambda_environment(self, config: FunctionConfig, env) -> dict[str, str]:
        task_root = self._task_root(env)
        variables = {
            "_HANDLER": config.handler,
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{fmt.RUNTIME_NAME}",
            "AWS_LAMBDA_FUNCTION_NAME": config.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": env.log_stream,
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
            # Obviously fake credentials: the sandbox can reach no AWS, and the host's are never passed.
            "AWS_ACCESS_KEY_ID": "ASIACOLDSTARTSANDBOX",
            "AWS_SECRET_ACCESS_KEY": "coldstart-sandbox-not-a-real-secret",
            "AWS_SESSION_TOKEN": "coldstart-sandbox-session",
            "LAMBDA_TASK_ROOT": task_root,
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
            "LD_LIBRARY_PATH": ":".join(LAMBDA_LIBRARY_PATH),
            "PYTHONPATH": "/var/runtime",
        }
        variables.update(config.environment)  # TZ, LANG, PATH... may be overridden, reserved names not
        return variables

    def _function_arn(self, config: FunctionConfig) -> str:
        return f"arn:aws:lambda:{config.region}:{self.settings.account_id}:function:{config.function_name}"

    def _invoke(
        self,
        env,
        config,
        event_json,
        request_id,
        client_context,
        identity,
        cold,
        init_ms,
        log_lines,
        invocation_type,
    ) -> InvokeResult:
        deadline_epoch_ms = int(time.time() * 1000 + config.timeout_s * 1000)
        log_lines.append(fmt.start_line(request_id))
        message = {
            "op": "invoke",
            "request_id": request_id,
            "event": event_json,
            "deadline_ms": deadline_epoch_ms,
            "function_arn": self._function_arn(config),
            "trace_id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0;Lineage=1",
            "client_context": client_context,
            "identity": identity,
        }
        outcome = env.send(
            message, time.monotonic() + config.timeout_s, LogBuffer(self.settings.log_limit_bytes)
        )
        env.invocations += 1
        if outcome.log:
            log_lines.append(outcome.log.rstrip("\n"))
        if outcome.kind == "timeout":
            memory_used = env.max_memory_used_mb()
            self.pool.destroy(env)  # Lambda resets the environment after a timeout
            log_lines.append(fmt.timeout_log_line(request_id, config.timeout_s))
            return self._finish(
                config,
                request_id,
                invocation_type,
                TIMEOUT,
                json.dumps(fmt.timeout_error(request_id, config.timeout_s)),
                config.timeout_s * 1000,
                init_ms,
                cold,
                log_lines,
                env,
                report_status="timeout",
                memory_used_mb=memory_used,
            )
        if outcome.kind == "died":
            return self._runtime_died(
                env, config, request_id, invocation_type, outcome, init_ms, cold, log_lines
            )
        result = outcome.message
        if result.get("ok"):
            payload = result.get("payload", "null")
            if len(payload.encode()) > SYNC_PAYLOAD_MAX_BYTES:
                size = len(payload.encode())
                error = {
                    "errorMessage": f"Response payload size ({size} bytes) exceeded maximum allowed "
                    f"payload size ({RESPONSE_LIMIT_REPORTED} bytes).",
                    "errorType": "Function.ResponseSizeTooLarge",
                }
                return self._finish(
                    config,
                    request_id,
                    invocation_type,
                    ERROR,
                    json.dumps(error),
                    outcome.elapsed_ms,
                    init_ms,
                    cold,
                    log_lines,
                    env,
                    report_status="error",
                    error_type=error["errorType"],
                )
            return self._finish(
                config,
                request_id,
                invocation_type,
                SUCCESS,
                payload,
                outcome.elapsed_ms,
                init_ms,
                cold,
                log_lines,
                env,
            )
        error = result.get("error") or {}
        return self._finish(
            config,
            request_id,
            invocation_type,
            ERROR,
            json.dumps(error, ensure_ascii=False),
            outcome.elapsed_ms,
            init_ms,
            cold,
            log_lines,
            env,
        )

    def _runtime_died(self, env, config, request_id, invocation_type, outcome, init_ms, cold, log_lines):
        out_of_memory = env.out_of_memory()
        memory_used = env.memory_mb if out_of_memory else env.max_memory_used_mb()
        self.pool.destroy(env)
        error_type = "Runtime.OutOfMemory" if out_of_memory else "Runtime.ExitError"
        reason = fmt.exit_reason(137 if out_of_memory else outcome.returncode)
        log_lines.append(fmt.runtime_exit_log(request_id, reason, error_type))
        return self._finish(
            config,
            request_id,
            invocation_type,
            ERROR,
            json.dumps(fmt.runtime_exit_error(request_id, reason, error_type)),
            outcome.elapsed_ms,
            init_ms,
            cold,
            log_lines,
            env,
            report_status="error",
            error_type=error_type,
            memory_used_mb=memory_used,
        )

    def _init_failed(self, env, config, request_id, init, log_lines, invocation_type):
        if init.kind == "ok":
            error = init.message.get("error") or {}
            error_type = error.get("errorType", "Runtime.Unknown")
            payload = json.dumps(error, ensure_ascii=False)
            status, report_status = ERROR, "error"
        elif init.kind == "timeout":
            error_type, status, report_status = "Sandbox.Timedout", TIMEOUT, "timeout"
            payload = json.dumps(
                {
                    "errorMessage": f"RequestId: {request_id} Error: INIT phase "
                    f"{fmt.timeout_message(INIT_TIMEOUT_S)}",
                    "errorType": error_type,
                }
            )
        else:
            error_type = "Runtime.OutOfMemory" if env.out_of_memory() else "Runtime.ExitError"
            reason = fmt.exit_reason(137 if error_type == "Runtime.OutOfMemory" else init.returncode)
            payload = json.dumps(fmt.runtime_exit_error(request_id, reason, error_type))
            status, report_status = ERROR, "error"
        memory_used = env.max_memory_used_mb()
        self.pool.destroy(env)
        log_lines.append(
            f"INIT_REPORT Init Duration: {init.elapsed_ms:.2f} ms\tPhase: init\t"
            f"Status: {report_status}\tError Type: {error_type}"
        )
        log_lines.append(fmt.start_line(request_id))
        return self._finish(
            config,
            request_id,
            invocation_type,
            status,
            payload,
            0.0,
            init.elapsed_ms,
            True,
            log_lines,
            env,
            report_status=report_status,
            error_type=error_type,
            memory_used_mb=memory_used,
        )

    def _finish(
        self,
        config,
        request_id,
        invocation_type,
        status,
        payload_json,
        duration_ms,
        init_ms,
        cold,
        log_lines,
        env,
        report_status="success",
        error_type=None,
        memory_used_mb=None,
    ):
        if memory_used_mb is None:
            memory_used_mb = env.max_memory_used_mb()
        report = fmt.Report(
            request_id=request_id,
            duration_ms=duration_ms,
            billed_duration_ms=fmt.billed_duration_ms(duration_ms, init_ms),
            memory_size_mb=config.memory_mb,
            max_memory_used_mb=min(memory_used_mb, config.memory_mb),
            init_duration_ms=init_ms if cold else None,
            status=report_status,
            error_type=error_type,
        )
        log_lines += [fmt.end_line(request_id), report.line()]
        return InvokeResult(
            request_id=request_id,
            invocation_type=invocation_type,
            status=status,
            status_code=200,
            payload_json=payload_json,
            function_error=None if status == SUCCESS else "Unhandled",
            log="\n".join(log_lines) + "\n",
            report=report,
            cold_start=cold,
        )


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
