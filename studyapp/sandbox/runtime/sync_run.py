"""One synchronous invoke through Lambda's phases: (cold only) INIT with the code, then INVOKE,
and the log lines, REPORT and error payloads Lambda gives for each way it can end."""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from studyapp.sandbox.runtime import lambda_format as fmt
from studyapp.sandbox.runtime import protocol
from studyapp.sandbox.runtime.config import INIT_TIMEOUT_S, SYNC_PAYLOAD_MAX_BYTES, FunctionConfig
from studyapp.sandbox.runtime.environment import LogBuffer, Outcome
from studyapp.sandbox.runtime.libraries import (
    EMULATOR_PACKAGES,
    EMULATOR_PACKAGES_INSIDE,
    RUNTIME_PACKAGES,
    runtime_packages_inside,
)
from studyapp.sandbox.runtime.platform_log import PlatformLog, application_lines
from studyapp.sandbox.runtime.pool import EnvironmentPool, PoolExhausted
from studyapp.sandbox.runtime.results import ERROR, SUCCESS, TIMEOUT, InvokeResult
from studyapp.sandbox.runtime.seed_plan import seed_plan

logger = logging.getLogger(__name__)
MIB = 1024 * 1024
RESPONSE_LIMIT_REPORTED = 6_291_556  # the figure Lambda prints for an oversized response
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


@dataclass(frozen=True)
class RunContext:
    """What a synchronous run needs from its engine, and nothing more: the engine builds one
    and hands it to every run (so a run can be tested without an engine)."""

    pool: EnvironmentPool
    isolated: bool  # under bubblewrap (else: a plain process, for local development)
    cgroup_mode: str
    degraded: bool  # each environment serves one invoke
    aws_available: bool
    libraries_dir: str | None
    runtimes: dict  # name -> Runtime; the first is the server's default
    account_id: str
    log_limit_bytes: int
    tmp_size_mb: int
    pids_max: int
    max_timeout_s: float
    startup_cpu_quota: int
    cpu_quota_for: Callable[[int], int]  # memory MB -> CPU quota per 100 ms
    memory_headroom: Callable[[], int | None]  # bytes the memory budget can still give

    def runtime_for(self, config: FunctionConfig):
        return self.runtimes.get(config.runtime) or next(iter(self.runtimes.values()))

    def function_arn(self, config: FunctionConfig) -> str:
        return f"arn:aws:lambda:{config.region}:{self.account_id}:function:{config.function_name}"


class Tainted(Exception):
    """The runtime refused a request: its worker had written when nothing was asked."""


@dataclass
class SyncRun:
    context: RunContext
    config: FunctionConfig
    event_json: str
    request_id: str
    invocation_type: str = "RequestResponse"
    client_context: dict | None = None
    identity: dict | None = None
    seed: bool = False
    env: object = None
    cold: bool = False
    init_ms: float | None = None
    log_lines: list[str] = field(default_factory=list)
    seeded: tuple = ()

    @property
    def runtime(self):
        return self.context.runtime_for(self.config)

    @property
    def platform(self) -> PlatformLog:
        return PlatformLog(self.config, self.context.function_arn(self.config), self.runtime.name)

    def execute(self) -> InvokeResult:
        pool = self.context.pool
        self.env = pool.take_warm(self.config.fingerprint)
        if self.env is not None and self.env.spoke_out_of_turn():
            pool.destroy(self.env)  # it wrote after its answer: start clean rather than trust it
            self.env = None
        try:
            try:
                return self._run()
            except Tainted:
                # The learner's code wrote on its channel after its last answer: the runtime
                # refused to pass this request on, so it ran nowhere. Run it in a clean one.
                pool.destroy(self.env)
                self.env, self.log_lines, self.seeded = None, [], ()
                return self._run()
        except Tainted:
            return self._runtime_died(Outcome("died", None, 0.0, "", None))
        except PoolExhausted:
            raise  # the engine answers "Rate Exceeded"; the blank environment goes back unused
        except protocol.ProtocolViolation as violation:
            logger.warning("sandbox %s broke the runtime protocol: %s", self.request_id, violation)
            return self._runtime_died(Outcome("died", None, 0.0, "", None))
        except Exception:
            # A fault on the host side while this environment ran: it is not trusted again.
            logger.exception("sandbox invoke %s failed on the host", self.request_id)
            if self.env is None:
                raise
            return self._runtime_died(Outcome("died", None, 0.0, "", None))
        finally:
            if self.env is not None and self.context.degraded:
                pool.destroy(self.env)  # nothing can freeze or contain it between invokes
            elif self.env is not None:
                pool.give_back(self.env)  # a destroyed environment frees its slot once

    def _run(self) -> InvokeResult:
        """INIT in a blank environment unless a warm one was taken, then seeding and INVOKE."""
        pool = self.context.pool
        if self.env is None:
            self.cold = True
            self.env = pool.take_blank(self.runtime)
            if not pool.make_room(self.config.memory_mb * MIB, self.context.memory_headroom):
                raise PoolExhausted("the sandboxes' memory budget is taken by running invokes")
            self.log_lines += self.platform.init_start()
            init = self._initialize()
            self.init_ms = init.elapsed_ms
            self._add_log(init.log)
            if init.kind != "ok" or not init.message.get("ok"):
                return self._init_failed(init)
        if self.seed:
            self._seed()
        return self._invoke()

    # -- phases -----------------------------------------------------------------------------

    def _initialize(self) -> Outcome:
        env, config = self.env, self.config
        env.install_code(config.files)
        # INIT runs with the startup CPU (Lambda's INIT is observed to run faster than the
        # handler); the function's own quota applies once it is over.
        env.assign(config.fingerprint, config.memory_mb, self.context.cpu_quota_for(config.memory_mb))
        message = {
            "op": "init",
            "handler": config.handler,
            "env": self._lambda_environment(),
            "rlimits": self._rlimits(),
            "path": [self._task_root()],
            "libraries": self._library_path(RUNTIME_PACKAGES, runtime_packages_inside(self.runtime.minor)),
            "emulator_libraries": self._library_path(EMULATOR_PACKAGES, EMULATOR_PACKAGES_INSIDE),
            "aws": self.context.aws_available,
        }
        try:
            return self._send(message, INIT_TIMEOUT_S)
        finally:
            env.cgroup.set_cpu(env.cpu_quota)

    def _seed(self) -> None:
        plan = seed_plan(json.loads(self.event_json))
        if not plan or not self.context.aws_available:
            return
        # Seeding is the sandbox's set-up, not the function's work: INIT's CPU and time limit.
        self.env.cgroup.set_cpu(self.context.startup_cpu_quota)
        try:
            outcome = self._send({"op": "seed", "plan": plan}, INIT_TIMEOUT_S)
        finally:
            self.env.cgroup.set_cpu(self.env.cpu_quota)
        if outcome.kind == "ok" and outcome.message.get("ok"):
            self.seeded = tuple(outcome.message.get("created", []))
        else:
            reason = (outcome.message or {}).get("error", outcome.kind)
            self.seeded = (f"Seeding failed: {reason}",)

    def _invoke(self) -> InvokeResult:
        config, env = self.config, self.env
        self.log_lines += self.platform.start(self.request_id)
        message = {
            "op": "invoke",
            "request_id": self.request_id,
            "event": self.event_json,
            "deadline_ms": int(time.time() * 1000 + config.timeout_s * 1000),
            "function_arn": self.context.function_arn(config),
            "trace_id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0;Lineage=1",
            "client_context": self.client_context,
            "identity": self.identity,
        }
        outcome = self._send(message, config.timeout_s)
        env.invocations += 1
        self._add_log(outcome.log)
        if outcome.kind == "timeout":
            memory_used = env.max_memory_used_mb()
            self.context.pool.destroy(env)  # Lambda resets the environment after a timeout
            self.log_lines.append(fmt.timeout_log_line(self.request_id, config.timeout_s))
            error = fmt.timeout_error(self.request_id, config.timeout_s)
            return self._finish(
                TIMEOUT,
                json.dumps(error),
                config.timeout_s * 1000,
                report_status="timeout",
                memory_used_mb=memory_used,
            )
        if outcome.kind == "died":
            return self._runtime_died(outcome)
        result = outcome.message
        calls = tuple(result.get("aws_calls") or ())
        if not result.get("ok"):
            error = json.dumps(result.get("error") or {}, ensure_ascii=False)
            return self._finish(ERROR, error, outcome.elapsed_ms, aws_calls=calls)
        payload = result.get("payload", "null")
        size = len(payload.encode())
        if size > SYNC_PAYLOAD_MAX_BYTES:
            error = {
                "errorMessage": f"Response payload size ({size} bytes) exceeded maximum allowed payload "
                f"size ({RESPONSE_LIMIT_REPORTED} bytes).",
                "errorType": "Function.ResponseSizeTooLarge",
            }
            return self._finish(
                ERROR,
                json.dumps(error),
                outcome.elapsed_ms,
                report_status="error",
                error_type=error["errorType"],
                aws_calls=calls,
            )
        return self._finish(SUCCESS, payload, outcome.elapsed_ms, aws_calls=calls)

    # -- endings ----------------------------------------------------------------------------

    def _runtime_died(self, outcome: Outcome) -> InvokeResult:
        env = self.env
        out_of_memory = env.out_of_memory()
        memory_used = env.memory_mb if out_of_memory else env.max_memory_used_mb()
        self.context.pool.destroy(env)
        error_type = "Runtime.OutOfMemory" if out_of_memory else "Runtime.ExitError"
        reason = fmt.exit_reason(137 if out_of_memory else outcome.returncode)
        self.log_lines.append(fmt.runtime_exit_log(self.request_id, reason, error_type))
        error = fmt.runtime_exit_error(self.request_id, reason, error_type)
        return self._finish(
            ERROR,
            json.dumps(error),
            outcome.elapsed_ms,
            report_status="error",
            error_type=error_type,
            memory_used_mb=memory_used,
        )

    def _init_failed(self, init: Outcome) -> InvokeResult:
        env = self.env
        status, report_status = ERROR, "error"
        if init.kind == "ok":
            error = init.message.get("error") or {}
            error_type = error.get("errorType", "Runtime.Unknown")
            payload = json.dumps(error, ensure_ascii=False)
        elif init.kind == "timeout":
            error_type, status, report_status = "Sandbox.Timedout", TIMEOUT, "timeout"
            payload = json.dumps(
                {
                    "errorMessage": f"RequestId: {self.request_id} Error: INIT phase "
                    f"{fmt.timeout_message(INIT_TIMEOUT_S)}",
                    "errorType": error_type,
                }
            )
        else:
            error_type = "Runtime.OutOfMemory" if env.out_of_memory() else "Runtime.ExitError"
            reason = fmt.exit_reason(137 if error_type == "Runtime.OutOfMemory" else init.returncode)
            payload = json.dumps(fmt.runtime_exit_error(self.request_id, reason, error_type))
        memory_used = env.max_memory_used_mb()
        self.context.pool.destroy(env)
        self.log_lines += self.platform.init_report(init.elapsed_ms, report_status, error_type)
        self.log_lines += self.platform.start(self.request_id)
        return self._finish(
            status,
            payload,
            0.0,
            report_status=report_status,
            error_type=error_type,
            memory_used_mb=memory_used,
        )

    def _finish(
        self,
        status: str,
        payload_json: str,
        duration_ms: float,
        *,
        report_status: str = "success",
        error_type: str | None = None,
        memory_used_mb: int | None = None,
        aws_calls: tuple = (),
    ) -> InvokeResult:
        if memory_used_mb is None:
            memory_used_mb = self.env.max_memory_used_mb()
        report = fmt.Report(
            request_id=self.request_id,
            duration_ms=duration_ms,
            billed_duration_ms=fmt.billed_duration_ms(duration_ms, self.init_ms),
            memory_size_mb=self.config.memory_mb,
            max_memory_used_mb=min(memory_used_mb, self.config.memory_mb),
            init_duration_ms=self.init_ms if self.cold else None,
            status=report_status,
            error_type=error_type,
        )
        self.log_lines += self.platform.end_and_report(report)
        return InvokeResult(
            request_id=self.request_id,
            invocation_type=self.invocation_type,
            status=status,
            status_code=200,
            payload_json=payload_json,
            function_error=None if status == SUCCESS else "Unhandled",
            log="\n".join(self.log_lines) + "\n",
            report=report,
            cold_start=self.cold,
            aws_calls=aws_calls,
            seeded=self.seeded,
        )

    # -- helpers ----------------------------------------------------------------------------

    def _add_log(self, text: str) -> None:
        text = application_lines(self.config, text.rstrip("\n")) if text else ""
        if text:
            self.log_lines.append(text)

    def _send(self, message: dict, limit_s: float) -> Outcome:
        log = LogBuffer(self.context.log_limit_bytes)
        outcome = self.env.send(message, time.monotonic() + limit_s, log)
        if outcome.kind == "tainted":
            raise Tainted
        return outcome

    def _task_root(self) -> str:
        return "/var/task" if self.context.isolated else str(self.env.task_dir)

    def _library_path(self, folder: str, inside: str) -> list[str]:
        if not self.context.aws_available:
            return []
        return [inside if self.context.isolated else str(Path(self.context.libraries_dir, folder))]

    def _rlimits(self) -> dict[str, int]:
        context = self.context
        limits = {
            "RLIMIT_NOFILE": 1024,  # Lambda's file descriptor quota
            "RLIMIT_CORE": 0,
            "RLIMIT_FSIZE": context.tmp_size_mb * MIB,
            # CPU seconds: generous where the cgroup and the deadline contain the code, about the
            # timeout where only rlimits do.
            "RLIMIT_CPU": math.ceil(self.config.timeout_s) + 1
            if context.degraded
            else int(context.max_timeout_s * 20),
            "RLIMIT_NPROC": context.pids_max + 4,  # per host uid: effective as non-root
        }
        if self.context.cgroup_mode == "rlimit":
            # Without a memory cgroup only an address-space cap is possible (catchable, unlike Lambda).
            limits["RLIMIT_AS"] = (self.config.memory_mb + 256) * MIB
        return limits

    def _lambda_environment(self) -> dict[str, str]:
        config = self.config
        variables = {
            "_HANDLER": config.handler,
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            "AWS_EXECUTION_ENV": self.runtime.execution_env,
            "AWS_LAMBDA_FUNCTION_NAME": config.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": self.env.log_stream,
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
            # Obviously fake credentials: the sandbox reaches no AWS, and the host's are never passed.
            "AWS_ACCESS_KEY_ID": "ASIACOLDSTARTSANDBOX",
            "AWS_SECRET_ACCESS_KEY": "coldstart-sandbox-not-a-real-secret",
            "AWS_SESSION_TOKEN": "coldstart-sandbox-session",
            "LAMBDA_TASK_ROOT": self._task_root(),
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
            "LD_LIBRARY_PATH": ":".join(LAMBDA_LIBRARY_PATH),
            "PYTHONPATH": "/var/runtime",
        }
        if config.json_logs:
            variables["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
            variables["AWS_LAMBDA_LOG_LEVEL"] = config.effective_application_log_level
        variables.update(config.environment)  # TZ, LANG, PATH... may be overridden, reserved names not
        return variables
