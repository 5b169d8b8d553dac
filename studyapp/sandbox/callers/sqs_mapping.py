"""An SQS queue and a Lambda event source mapping polling it, played out on a simulated clock:
batches, invokes, deletes, messages coming back after the visibility timeout, receive counts and
moves to the dead-letter queue.

The invokes are real (the handler runs in the sandbox and takes its real time); the waits
between them (the batching window, visibility timeouts) are skipped, so 30 s of visibility
timeout costs nothing. The timeline shows the simulated clock.

Sources (checked 2026-12-04): lambda/latest/dg/with-sqs.html, services-sqs-errorhandling.html
(partial batch responses: what counts as success and as failure), services-sqs-configure.html
(visibility timeout at least the function timeout, redrive policy), services-sqs-parameters.html
and API_EventSourceMappingConfiguration.html (batch size and window).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

QUEUE, QUEUE_NAME = "sqs", "An SQS queue, through an event source mapping"
QUEUE_NAME = "sandbox-queue"  # what a handler sends to, with boto3, to put messages on this queue
QUEUE_ARN = f"arn:aws:sqs:us-east-1:123456789012:{QUEUE_NAME}"
LOOP_LIMIT = 16  # invocations of one chain before Lambda's recursive loop detection stops it
MAX_INVOKES = 25  # a function that fails forever stops here (SQS would go on until retention)
MAX_MESSAGES = 50


@dataclass(frozen=True)
class Mapping:
    batch_size: int = 10
    window_s: int = 0
    report_failures: bool = False  # FunctionResponseTypes: ["ReportBatchItemFailures"]
    visibility_timeout_s: int = 30
    max_receive_count: int = 0  # the queue's redrive policy; 0: no dead-letter queue

    def problem(self, function_timeout_s: float) -> tuple[str, str] | None:
        """(field, message) for a mapping the Lambda API would refuse."""
        if not 1 <= self.batch_size <= 10_000:
            return "sqs_batch_size", "The batch size is 1 to 10,000 for a standard queue."
        if not 0 <= self.window_s <= 300:
            return "sqs_window_s", "The batching window is 0 to 300 seconds."
        if self.batch_size > 10 and self.window_s < 1:
            return "sqs_window_s", "A batch size above 10 needs a batching window of at least 1 second."
        if not 0 <= self.visibility_timeout_s <= 43_200:
            return "sqs_visibility_s", "A queue's visibility timeout is 0 to 43,200 seconds (12 hours)."
        if self.visibility_timeout_s < function_timeout_s:
            return "sqs_visibility_s", (
                f"The queue's visibility timeout ({self.visibility_timeout_s} s) is shorter than the "
                f"function's timeout ({function_timeout_s:g} s): Lambda refuses such a mapping. AWS "
                "recommends at least six times the function timeout."
            )
        if not 0 <= self.max_receive_count <= 1000:
            return "sqs_max_receive", "maxReceiveCount is 1 to 1,000 (0 here: no dead-letter queue)."
        return None


@dataclass
class Message:
    id: str
    body: str
    sent_ms: int
    receive_count: int = 0
    first_receive_ms: int | None = None
    visible_at: float = 0.0
    depth: int = 1  # invocations in its chain: 1 from the page, +1 for each send by the function


@dataclass
class Playback:
    timeline: list[dict] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    dead_lettered: list[str] = field(default_factory=list)
    invokes: int = 0
    last_result: object = None
    stopped_early: bool = False
    sent_by_function: int = 0
    stopped_by_loop_detection: bool = False

    def note(self, clock: float, kind: str, text: str, **extra) -> None:
        self.timeline.append({"t": round(clock, 3), "kind": kind, "text": text, **extra})

    def summary(self, left: int) -> dict:
        return {
            "invokes": self.invokes,
            "deleted": len(self.deleted),
            "dead_lettered": len(self.dead_lettered),
            "left_in_queue": left,
            "stopped_early": self.stopped_early,
            "sent_by_function": self.sent_by_function,
            "stopped_by_loop_detection": self.stopped_by_loop_detection,
        }


def record(message: Message, receipt: str) -> dict:
    return {
        "messageId": message.id,
        "receiptHandle": receipt,
        "body": message.body,
        "attributes": {
            "ApproximateReceiveCount": str(message.receive_count),
            "SentTimestamp": str(message.sent_ms),
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": str(message.first_receive_ms),
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(message.body.encode()).hexdigest(),  # noqa: S324 (SQS's own checksum)
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "us-east-1",
    }


def failed_ids(answer, batch_ids: list[str]) -> tuple[set[str] | None, str]:
    """With ReportBatchItemFailures on: the messages to return (None: the whole batch), and why."""
    if answer is None or answer == {}:
        return set(), "an empty response: the whole batch succeeded"
    if not isinstance(answer, dict):
        return None, "the response is not a batch response object: the whole batch failed"
    failures = answer.get("batchItemFailures")
    if failures is None or failures == []:
        return set(), "no batchItemFailures: the whole batch succeeded"
    if not isinstance(failures, list):
        return None, "batchItemFailures is not a list: the whole batch failed"
    wanted = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or not identifier:
            return None, "an itemIdentifier is missing, null or empty: the whole batch failed"
        if identifier not in batch_ids:
            return None, f"itemIdentifier {identifier!r} is no message of this batch: the whole batch failed"
        wanted.add(identifier)
    return wanted, f"{len(wanted)} of {len(batch_ids)} reported in batchItemFailures: only those return"


def play(invoke: Callable, config, mapping: Mapping, bodies: list[str], started_ms: int) -> Playback:
    """Send `bodies` to the queue and let the mapping poll it until it is empty (or the DLQ took
    the rest, or MAX_INVOKES were made)."""
    queue = [Message(str(uuid.uuid4()), body, started_ms) for body in bodies[:MAX_MESSAGES]]
    played, clock = Playback(), 0.0
    played.note(clock, "send", f"{len(queue)} message(s) sent to the queue.")
    while queue:
        if played.invokes >= MAX_INVOKES:
            played.stopped_early = True
            played.note(
                clock,
                "stop",
                f"Stopped after {MAX_INVOKES} invokes (SQS would go on until the retention period).",
            )
            break
        visible = [message for message in queue if message.visible_at <= clock]
        if not visible:
            clock = min(message.visible_at for message in queue)
            played.note(
                clock, "visible", "Visibility timeout over: the messages in flight are visible again."
            )
            continue
        if mapping.window_s and len(visible) < mapping.batch_size:
            clock += mapping.window_s
            played.note(
                clock, "window", f"Batching window of {mapping.window_s} s over: the batch goes as it is."
            )
            visible = [message for message in queue if message.visible_at <= clock]
        batch = _receive(visible[: mapping.batch_size], queue, clock, mapping, started_ms, played)
        if not batch:
            continue
        clock = _invoke_batch(invoke, config, mapping, batch, queue, clock, played)
    return played


def _receive(candidates, queue, clock, mapping, started_ms, played) -> list[Message]:
    batch = []
    for message in candidates:
        if mapping.max_receive_count and message.receive_count >= mapping.max_receive_count:
            queue.remove(message)
            played.dead_lettered.append(message.id)
            played.note(
                clock,
                "dlq",
                f"Message {message.id[:8]} was received {message.receive_count} times "
                f"(maxReceiveCount {mapping.max_receive_count}): SQS moved it to the dead-letter queue.",
                message=message.id,
            )
            continue
        message.receive_count += 1
        if message.first_receive_ms is None:
            message.first_receive_ms = started_ms + int(clock * 1000)
        message.visible_at = clock + mapping.visibility_timeout_s
        batch.append(message)
    return batch


def _invoke_batch(invoke, config, mapping, batch, queue, clock, played) -> float:
    event = {"Records": [record(message, secrets.token_urlsafe(48)) for message in batch]}
    played.note(
        clock,
        "poll",
        f"The mapping received a batch of {len(batch)}: "
        + ", ".join(f"{m.id[:8]} (receive #{m.receive_count})" for m in batch),
        messages=[m.id for m in batch],
    )
    # The first invoke creates the queue in the sandbox's in-memory SQS (its "Seed resources"),
    # so the function can send to it with boto3.
    result = invoke(config, json.dumps(event), seed_resources=played.invokes == 0)
    played.invokes += 1
    played.last_result = result
    duration_s = result.report.duration_ms / 1000 if result.report else 0.0
    clock += duration_s
    ids = [message.id for message in batch]
    answer = result.payload if result.status == "success" else None
    played.note(
        clock,
        "invoke",
        f"Invoke {played.invokes}: {result.status}"
        + (f" ({result.error_type})" if result.error_type else ""),
        status=result.status,
        payload=(result.payload_json or "")[:2000],
        request_id=result.request_id,
    )
    if result.status != "success":
        failing, why = set(ids), "the invoke failed: the whole batch stays in the queue"
    elif not mapping.report_failures:
        failing, why = set(), "success: the whole batch is deleted"
        if isinstance(answer, dict) and answer.get("batchItemFailures"):
            why = (
                "success, and the returned batchItemFailures are IGNORED: ReportBatchItemFailures is "
                "off on this mapping, so Lambda deletes the whole batch (the failed messages are lost)"
            )
    else:
        failing, why = failed_ids(answer, ids)
        if failing is None:
            failing = set(ids)
    for message in list(batch):
        if message.id not in failing:
            queue.remove(message)
            played.deleted.append(message.id)
    _enqueue_sends(
        result, max(message.depth for message in batch) + 1, queue, clock, batch[0].sent_ms, played
    )
    returned = [m.id[:8] for m in batch if m.id in failing]
    played.note(
        clock,
        "result",
        why[0].upper()
        + why[1:]
        + "."
        + (f" Back after the visibility timeout: {', '.join(returned)}." if returned else ""),
        deleted=[m.id for m in batch if m.id not in failing],
        returned=[m.id for m in batch if m.id in failing],
    )
    return clock


def _enqueue_sends(result, depth: int, queue: list, clock: float, sent_ms: int, played: Playback) -> None:
    """Messages the function sent to this queue with boto3 join it (the records come from the
    sandbox: anything not well-formed is left out); a chain that keeps sending is stopped."""
    for call in result.aws_calls or ():
        if call.get("service") != "sqs" or call.get("operation") not in ("SendMessage", "SendMessageBatch"):
            continue
        bodies = call.get("bodies")
        if not (isinstance(call.get("status"), int) and call["status"] < 300 and isinstance(bodies, list)):
            continue
        if call.get("queue") != QUEUE_NAME:
            played.note(clock, "send", f"The function sent {len(bodies)} message(s) to another queue.")
            continue
        if depth > LOOP_LIMIT:
            played.stopped_by_loop_detection = True
            played.note(
                clock,
                "loop",
                f"Lambda detected a recursive loop: this message's chain already invoked the function "
                f"{LOOP_LIMIT} times, so it stops the next invocation and notifies you.",
            )
            continue
        for body in bodies:
            if isinstance(body, str) and len(queue) < MAX_MESSAGES:
                queue.append(
                    Message(
                        str(uuid.uuid4()), body, sent_ms + int(clock * 1000), visible_at=clock, depth=depth
                    )
                )
                played.sent_by_function += 1
        played.note(clock, "send", f"The function sent {len(bodies)} message(s) to this queue with boto3.")
