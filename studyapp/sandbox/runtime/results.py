"""What an invoke returns: Lambda's response (status code, payload or error, function error),
the log, the REPORT fields and whether the environment was cold."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from studyapp.sandbox.runtime.lambda_format import Report

SUCCESS, ERROR, TIMEOUT = "success", "error", "timeout"
THROTTLED, REJECTED, ACCEPTED, DRY_RUN = "throttled", "rejected", "accepted", "dry_run"


@dataclass(frozen=True)
class InvokeResult:
    request_id: str
    invocation_type: str  # RequestResponse | Event | DryRun
    status: str  # success | error | timeout | throttled | rejected | accepted | dry_run
    status_code: int  # what the Invoke API answers: 200, 202, 204, 400, 413, 429
    payload_json: str | None = None  # the response body, exactly as Lambda would return it
    function_error: str | None = None  # X-Amz-Function-Error: "Unhandled" for function errors
    log: str = ""
    report: Report | None = None
    cold_start: bool = False
    error_field: str | None = None  # for rejected configs: which setting is wrong
    aws_calls: tuple = ()  # AWS API calls the handler made: {service, operation, status, error}
    seeded: tuple = ()  # resources "Seed resources" created before the invoke

    @property
    def payload(self) -> Any:
        if self.payload_json is None:
            return None
        try:
            return json.loads(self.payload_json)
        except ValueError:
            return self.payload_json

    @property
    def error(self) -> dict | None:
        """The error payload ({errorMessage, errorType, ...}) when the invoke did not succeed."""
        if self.status == SUCCESS or self.payload_json is None:
            return None
        payload = self.payload
        return payload if isinstance(payload, dict) and "errorType" in payload else None

    @property
    def error_type(self) -> str | None:
        return (self.error or {}).get("errorType")

    @property
    def init_duration_ms(self) -> float | None:
        return self.report.init_duration_ms if self.report else None

    @property
    def log_lines(self) -> list[str]:
        return self.log.splitlines()


def api_error(
    request_id: str,
    invocation_type: str,
    status: str,
    status_code: int,
    error_type: str,
    message: str,
    field: str | None = None,
) -> InvokeResult:
    """An answer from the Invoke API itself (nothing ran): throttles, bad requests."""
    body = json.dumps({"errorType": error_type, "errorMessage": message})
    return InvokeResult(
        request_id=request_id,
        invocation_type=invocation_type,
        status=status,
        status_code=status_code,
        payload_json=body,
        error_field=field,
    )
