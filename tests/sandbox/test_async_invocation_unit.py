"""The asynchronous path on its own: it is handed a run function (one synchronous attempt), so
its queueing, retries and destination records are checked here without any sandbox."""

import json

from studyapp.sandbox.runtime.async_invoke import AsyncInvocation
from studyapp.sandbox.runtime.results import ERROR, SUCCESS, THROTTLED, InvokeResult

ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders"


def answer(status: str, payload) -> InvokeResult:
    return InvokeResult(
        request_id="req-1",
        invocation_type="Event",
        status=status,
        status_code=200 if status != THROTTLED else 429,
        payload_json=json.dumps(payload),
        function_error="Unhandled" if status == ERROR else None,
    )


def queued(script: list[InvokeResult], **options) -> AsyncInvocation:
    answers = iter(script)
    invocation = AsyncInvocation(
        run=lambda: next(answers),
        function_arn=ARN,
        event_json='{"id": 7}',
        request_id="req-1",
        retry_delays_s=(0.0, 0.0),
        **options,
    )
    invocation.start()
    assert invocation.wait(5)
    return invocation


def test_an_error_is_retried_until_success_and_the_success_is_delivered():
    failure = answer(ERROR, {"errorType": "ValueError", "errorMessage": "no"})
    invocation = queued(
        [failure, answer(SUCCESS, {"ok": 7})], destinations={"on_success": "arn:aws:sqs:us-east-1:1:done"}
    )
    assert [a.result.status for a in invocation.attempts] == [ERROR, SUCCESS]
    assert [a.lambda_wait_s for a in invocation.attempts] == [0, 60]
    record = invocation.destination_record
    assert record["requestContext"]["functionArn"] == ARN + ":$LATEST"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"] == {"id": 7} and record["responsePayload"] == {"ok": 7}


def test_a_throttled_attempt_stays_queued_and_is_not_counted():
    invocation = queued([answer(THROTTLED, None), answer(THROTTLED, None), answer(SUCCESS, 1)])
    assert len(invocation.attempts) == 1 and invocation.succeeded


def test_without_retries_one_failure_goes_to_the_dead_letter_queue():
    invocation = queued(
        [answer(ERROR, {"errorType": "RuntimeError", "errorMessage": "boom"})],
        destinations={"dead_letter_queue": "arn:aws:sqs:us-east-1:1:dlq"},
        maximum_retry_attempts=0,
    )
    assert len(invocation.attempts) == 1
    assert invocation.destination_record["messageAttributes"]["ErrorMessage"]["stringValue"] == "boom"
