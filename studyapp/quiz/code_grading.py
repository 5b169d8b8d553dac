"""Grading a code question: run the learner's handler in the sandbox and check the result."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings

from studyapp.content.library import library
from studyapp.sandbox.runtime import FunctionConfig, InvokeResult
from studyapp.sandbox.service import send_through_front_door, send_through_queue


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    failures: tuple[str, ...]
    result: InvokeResult | None


def question_event(question) -> str:
    if question.event_json:
        return question.event_json
    event = library().events.get(question.event)
    return event.json_text if event else "{}"


def evaluate(checks: dict, result: InvokeResult) -> list[str]:
    """Every check the result fails, said plainly."""
    failures = []
    payload = result.payload
    expected_status = checks.get("status", "success")
    if result.status != expected_status:
        failures.append(
            f"expected the invoke to end in {expected_status}, it ended in {result.status}"
            + (f" ({result.error_type})" if result.error_type else "")
        )
    if "error_type" in checks and result.error_type != checks["error_type"]:
        failures.append(f"expected error type {checks['error_type']}, got {result.error_type or 'none'}")
    if "status_code" in checks:
        got = payload.get("statusCode") if isinstance(payload, dict) else None
        if got != checks["status_code"]:
            failures.append(f"expected statusCode {checks['status_code']}, got {got}")
    for key, value in (checks.get("payload") or {}).items():
        got = payload.get(key, "<missing>") if isinstance(payload, dict) else "<no object>"
        if got != value:
            failures.append(f"expected {key} = {value!r} in the response, got {got!r}")
    for key in checks.get("payload_keys") or ():
        if not isinstance(payload, dict) or key not in payload:
            failures.append(f"the response has no '{key}' key")
    if checks.get("body_json"):
        try:
            body = json.loads(payload.get("body", "")) if isinstance(payload, dict) else None
        except (TypeError, ValueError):
            body = None
        for key, value in checks["body_json"].items():
            got = body.get(key, "<missing>") if isinstance(body, dict) else "<body is not a JSON object>"
            if got != value:
                failures.append(f"expected {key} = {value!r} in the JSON body, got {got!r}")
    for text in checks.get("log_contains") or ():
        if text not in result.log:
            failures.append(f"the log does not contain {text!r}")
    return failures


def run_code(run, question, code: str, owner: str = "") -> CheckOutcome:
    """`run(config, event_json)` runs the function cold and answers (the sandbox service's
    code_runner, or local_runner for an engine of one's own)."""
    config = FunctionConfig(
        owner=owner,
        files={"lambda_function.py": code},
        handler=question.handler,
        timeout_s=min(question.timeout_s, settings.SANDBOX_MAX_TIMEOUT_S),
        function_name=f"quiz-{question.id}"[:64],
    )
    response = queue = None
    if question.caller.get("kind") == "sqs":  # graded by what happened to the messages
        bodies = library().messages[question.caller["messages"]].bodies
        result, queue = send_through_queue(run, config, bodies, question.caller.get("mapping", {}))
    elif question.caller:  # graded by what the front door's client gets back
        sample = library().requests[question.caller["request"]]
        result, response = send_through_front_door(run, config, question.caller["kind"], sample)
    else:
        result = run(config, question_event(question))
    if result.status in ("throttled", "rejected"):
        return CheckOutcome(
            False, (f"the sandbox could not run it: {result.payload.get('errorMessage')}",), result
        )
    failures = evaluate(question.checks, result)
    if response is not None:
        failures += evaluate_client(question.checks, response)
    for key, value in (question.checks.get("queue") or {}).items():
        if queue is not None and queue.get(key) != value:
            failures.append(f"expected {key.replace('_', ' ')} = {value} on the queue, got {queue.get(key)}")
    return CheckOutcome(not failures, tuple(failures), result)


def evaluate_client(checks: dict, response) -> list[str]:
    """The checks on what the front door's client got: its status and its JSON body."""
    failures = []
    if "client_status" in checks and response.status != checks["client_status"]:
        failures.append(
            f"expected the client to get HTTP {checks['client_status']}, it got {response.status}: "
            + response.explanation
        )
    if checks.get("client_body_json"):
        try:
            body = json.loads(response.body)
        except ValueError:
            body = None
        for key, value in checks["client_body_json"].items():
            got = body.get(key, "<missing>") if isinstance(body, dict) else "<body is not a JSON object>"
            if got != value:
                failures.append(f"expected {key} = {value!r} in the body the client got, got {got!r}")
    if checks.get("client_content_type"):
        types = [value for name, value in response.headers if name.lower() == "content-type"]
        if checks["client_content_type"] not in types:
            failures.append(f"expected content-type {checks['client_content_type']}, the client got {types}")
    return failures
