"""The lines and payloads Lambda itself prints around a handler: INIT_START, START, END, REPORT,
timeouts and runtime crashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import sys
import uuid
from dataclasses import dataclass

RUNTIME_NAME = f"python{sys.version_info.major}.{sys.version_info.minor}"


def new_request_id() -> str:
    return str(uuid.uuid4())


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def billed_duration_ms(duration_ms: float, init_duration_ms: float | None) -> int:
    """Rounded up to the next millisecond; on a cold start the init phase is billed too
    (standard since 1 August 2025 for on-demand functions on managed runtimes)."""
    return max(1, math.ceil(duration_ms + (init_duration_ms or 0)))


def runtime_version_arn(region: str, runtime_name: str = RUNTIME_NAME) -> str:
    digest = hashlib.sha256(f"coldstart-{runtime_name}".encode()).hexdigest()
    return f"arn:aws:lambda:{region}::runtime:{digest}"


def runtime_version(runtime_name: str = RUNTIME_NAME) -> str:
    return f"{runtime_name.replace('python', 'python:')}.sandbox"


def init_start_line(region: str, runtime_name: str = RUNTIME_NAME) -> str:
    arn = runtime_version_arn(region, runtime_name)
    return f"INIT_START Runtime Version: {runtime_version(runtime_name)}\tRuntime Version ARN: {arn}"


def start_line(request_id: str, version: str = "$LATEST") -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


@dataclass(frozen=True)
class Report:
    request_id: str
    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None = None
    status: str = "success"  # success | error | timeout
    error_type: str | None = None

    def line(self) -> str:
        fields = [
            f"REPORT RequestId: {self.request_id}",
            f"Duration: {self.duration_ms:.2f} ms",
            f"Billed Duration: {self.billed_duration_ms} ms",
            f"Memory Size: {self.memory_size_mb} MB",
            f"Max Memory Used: {self.max_memory_used_mb} MB",
        ]
        if self.init_duration_ms is not None:
            fields.append(f"Init Duration: {self.init_duration_ms:.2f} ms")
        if self.status != "success":
            fields.append(f"Status: {self.status}")
            if self.error_type:
                fields.append(f"Error Type: {self.error_type}")
        return "\t".join(fields) + "\t"


def timeout_message(timeout_s: float) -> str:
    return f"Task timed out after {timeout_s:.2f} seconds"


def timeout_log_line(request_id: str, timeout_s: float) -> str:
    return f"{iso_now()} {request_id} {timeout_message(timeout_s)}"


def timeout_error(request_id: str, timeout_s: float) -> dict:
    return {
        "errorMessage": f"RequestId: {request_id} Error: {timeout_message(timeout_s)}",
        "errorType": "Sandbox.Timedout",
    }


SIGNAL_NAMES = {
    4: "illegal instruction",
    6: "aborted",
    7: "bus error",
    8: "floating point exception",
    9: "killed",
    11: "segmentation fault",
    15: "terminated",
    24: "CPU time limit exceeded",
}


def exit_reason(returncode: int | None) -> str:
    """How the Go-based Lambda init reports a dead runtime process."""
    if returncode is None:
        return "Runtime exited without providing a reason"
    if returncode >= 128:  # bubblewrap reports a signalled child as 128 + signal
        signal_number = returncode - 128
        return f"Runtime exited with error: signal: {SIGNAL_NAMES.get(signal_number, signal_number)}"
    if returncode < 0:
        return f"Runtime exited with error: signal: {SIGNAL_NAMES.get(-returncode, -returncode)}"
    if returncode == 0:
        return "Runtime exited without providing a reason"
    return f"Runtime exited with error: exit status {returncode}"


def runtime_exit_error(request_id: str, reason: str, error_type: str = "Runtime.ExitError") -> dict:
    return {"errorMessage": f"RequestId: {request_id} Error: {reason}", "errorType": error_type}


def runtime_exit_log(request_id: str, reason: str, error_type: str) -> str:
    return f"RequestId: {request_id} Error: {reason}\n{error_type}"
