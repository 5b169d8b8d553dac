"""Asynchronous (Event) invocations: queued, retried on error with backoff, then delivered to
an on-success / on-failure destination or a dead-letter queue. Every attempt is recorded.

Lambda waits about one minute before the first retry and two before the second; the sandbox
scales those waits down (EngineSettings.async_retry_delays_s) and shows both.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from studyapp.sandbox.runtime.results import SUCCESS, THROTTLED, InvokeResult

LAMBDA_RETRY_DELAYS_S = (60, 120)
THROTTLE_RETRY_S = 0.2
MAX_THROTTLE_RETRIES = 50


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True)
class Attempt:
    number: int  # 1 = first try, 2 and 3 = retries
    request_id: str  # Lambda keeps the same request ID across retries of one event
    started_at: str
    waited_s: float  # the sandbox's (scaled) wait before this attempt
    lambda_wait_s: int  # what Lambda would wait
    result: InvokeResult


@dataclass
class AsyncInvocation:
    """One queued event. `run` makes one synchronous attempt (same request id each time): the
    engine passes it in, so this module needs nothing of the engine."""

    run: Callable[[], InvokeResult]
    function_arn: str
    event_json: str
    request_id: str
    destinations: dict = field(default_factory=dict)  # on_success / on_failure / dead_letter_queue
    maximum_retry_attempts: int = 2
    retry_delays_s: tuple[float, float] = (1.0, 2.0)  # the sandbox's scaled-down waits
    attempts: list[Attempt] = field(default_factory=list)
    destination_record: dict | None = None
    destination: str | None = None  # which target got the record
    done: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._run, name=f"async-{self.request_id[:8]}", daemon=True).start()

    def wait(self, timeout_s: float | None = None) -> bool:
        return self.done.wait(timeout_s)

    @property
    def succeeded(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].result.status == SUCCESS

    def timeline(self) -> list[dict]:
        entries = [
            {
                "attempt": a.number,
                "request_id": a.request_id,
                "started_at": a.started_at,
                "waited_s": a.waited_s,
                "lambda_wait_s": a.lambda_wait_s,
                "status": a.result.status,
                "error_type": a.result.error_type,
                "duration_ms": a.result.report.duration_ms if a.result.report else None,
            }
            for a in self.attempts
        ]
        if self.destination:
            entries.append({"destination": self.destination, "record": self.destination_record})
        return entries

    def _run(self) -> None:
        try:
            retries = max(0, min(2, self.maximum_retry_attempts))
            for number in range(1, retries + 2):
                waited = 0.0
                if number > 1:
                    waited = self.retry_delays_s[min(number - 2, 1)]
                    time.sleep(waited)
                result = self._attempt()
                self.attempts.append(
                    Attempt(
                        number,
                        self.request_id,
                        _now_iso(),
                        waited,
                        0 if number == 1 else LAMBDA_RETRY_DELAYS_S[min(number - 2, 1)],
                        result,
                    )
                )
                if result.status == SUCCESS:
                    break
            self._deliver()
        finally:
            self.done.set()

    def _attempt(self) -> InvokeResult:
        # Throttled async events stay queued and are tried again, as Lambda does.
        for _ in range(MAX_THROTTLE_RETRIES):
            result = self.run()
            if result.status != THROTTLED:
                return result
            time.sleep(THROTTLE_RETRY_S)
        return result

    def _deliver(self) -> None:
        last = self.attempts[-1].result
        if last.status == SUCCESS:
            if self.destinations.get("on_success"):
                self.destination = self.destinations["on_success"]
                self.destination_record = self._record("Success", last)
            return
        if self.destinations.get("on_failure"):
            self.destination = self.destinations["on_failure"]
            self.destination_record = self._record("RetriesExhausted", last)
        elif self.destinations.get("dead_letter_queue"):
            self.destination = self.destinations["dead_letter_queue"]
            error = last.error or {}
            self.destination_record = {
                "body": self.event_json,
                "messageAttributes": {
                    "RequestID": {"stringValue": self.request_id, "dataType": "String"},
                    "ErrorCode": {"stringValue": "200", "dataType": "Number"},
                    "ErrorMessage": {"stringValue": error.get("errorMessage", ""), "dataType": "String"},
                },
            }

    def _record(self, condition: str, last: InvokeResult) -> dict:
        """An invocation record as Lambda sends it to a destination."""
        response_context = {"statusCode": 200, "executedVersion": "$LATEST"}
        if last.status != SUCCESS:
            response_context["functionError"] = "Unhandled"
        return {
            "version": "1.0",
            "timestamp": _now_iso(),
            "requestContext": {
                "requestId": self.request_id,
                "functionArn": f"{self.function_arn}:$LATEST",
                "condition": condition,
                "approximateInvokeCount": len(self.attempts),
            },
            "requestPayload": json.loads(self.event_json),
            "responseContext": response_context,
            "responsePayload": last.payload,
        }
