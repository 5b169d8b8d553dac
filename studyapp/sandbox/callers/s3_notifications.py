"""An S3 bucket with an event notification to the function: an object put from the page starts
it; every object the function itself writes into the bucket (through boto3, into the sandbox's
in-memory S3) that matches the trigger's event types and prefix/suffix filters notifies the
function again, asynchronously. A function that writes into its own trigger loops; Lambda's
recursive loop detection stops the chain.

Sources (checked 2026-12-04): lambda/latest/dg/with-s3.html (asynchronous invocation, the event),
AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html (event types,
filters), lambda/latest/dg/invocation-recursion.html and What's New 2023-07 and 2024-10
(loop detection: SQS, SNS and, since 2024, S3; stopped after 16 invocations in one chain;
PutFunctionRecursionConfig's RecursiveLoop Terminate by default, or Allow).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote_plus

BUCKET = "s3"
BUCKET_NAME = "An S3 bucket, through an event notification"
EVENT_TYPES = ("s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectRemoved:*")
LOOP_LIMIT = 16  # invocations of one chain Lambda lets through before it stops the next one
MAX_INVOKES = 30  # with RecursiveLoop Allow, the sandbox stops a loop here (AWS would not)
BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
WRITE_EVENTS = {
    "PutObject": "ObjectCreated:Put",
    "CopyObject": "ObjectCreated:Copy",
    "CompleteMultipartUpload": "ObjectCreated:CompleteMultipartUpload",
    "DeleteObject": "ObjectRemoved:Delete",
}


@dataclass(frozen=True)
class Trigger:
    bucket: str = "sandbox-uploads"
    event_type: str = "s3:ObjectCreated:*"
    prefix: str = ""
    suffix: str = ""
    recursive_loop: str = "Terminate"  # the function's RecursiveLoop setting: Terminate or Allow

    def problem(self) -> tuple[str, str] | None:
        if not BUCKET_PATTERN.match(self.bucket) or ".." in self.bucket:
            return "s3_bucket", "A bucket name is 3-63 lowercase letters, digits, dots and hyphens."
        if self.event_type not in EVENT_TYPES:
            return "s3_event_type", f"The event type is one of {', '.join(EVENT_TYPES)}."
        if len(self.prefix) > 1024 or len(self.suffix) > 1024:
            return "s3_prefix", "A filter value is at most 1,024 characters."
        if self.recursive_loop not in ("Terminate", "Allow"):
            return "s3_recursive_loop", "RecursiveLoop is Terminate or Allow."
        return None

    def matches(self, event_name: str, key: str) -> bool:
        wanted = self.event_type.removeprefix("s3:")
        kind_ok = event_name.startswith(wanted[:-1]) if wanted.endswith("*") else event_name == wanted
        return kind_ok and key.startswith(self.prefix) and key.endswith(self.suffix)


@dataclass
class Playback:
    timeline: list[dict] = field(default_factory=list)
    invokes: int = 0
    stopped_by_loop_detection: bool = False
    stopped_at_cap: bool = False
    last_result: object = None

    def note(self, kind: str, text: str, **extra) -> None:
        self.timeline.append({"kind": kind, "text": text, **extra})

    def summary(self) -> dict:
        return {
            "invokes": self.invokes,
            "stopped_by_loop_detection": self.stopped_by_loop_detection,
            "stopped_at_cap": self.stopped_at_cap,
        }


def event_for(trigger: Trigger, event_name: str, key: str, size: int) -> dict:
    now = dt.datetime.now(dt.UTC)
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
                "eventName": event_name,
                "userIdentity": {"principalId": "AWS:AROASANDBOXEXAMPLE:sandbox"},
                "requestParameters": {"sourceIPAddress": "203.0.113.10"},
                "responseElements": {
                    "x-amz-request-id": secrets.token_hex(8).upper(),
                    "x-amz-id-2": secrets.token_urlsafe(48),
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "sandbox-trigger",
                    "bucket": {
                        "name": trigger.bucket,
                        "ownerIdentity": {"principalId": "A3SANDBOXOWNER"},
                        "arn": f"arn:aws:s3:::{trigger.bucket}",
                    },
                    "object": {
                        "key": quote_plus(key, safe="/"),  # S3 URL-encodes keys in notifications
                        "size": size,
                        "eTag": secrets.token_hex(16),
                        "sequencer": secrets.token_hex(9).upper(),
                    },
                },
            }
        ]
    }


def writes(result) -> list[tuple[str, str, str]]:
    """(event name, bucket, key) of each S3 write the invoke made that succeeded. The records
    come from the sandbox: anything not well-formed is left out."""
    found = []
    for call in result.aws_calls or ():
        operation, bucket, key = call.get("operation"), call.get("bucket"), call.get("key")
        status = call.get("status")
        if call.get("service") != "s3" or operation not in WRITE_EVENTS:
            continue
        if (
            isinstance(bucket, str)
            and isinstance(key, str)
            and key
            and isinstance(status, int)
            and status < 300
        ):
            found.append((WRITE_EVENTS[operation], bucket, key))
    return found


def play(start: Callable, config, trigger: Trigger, key: str, size: int) -> Playback:
    """`start(config, event_json, seed)` runs one asynchronous delivery to its end (with Lambda's
    retries) and returns the results of its attempts."""
    played = Playback()
    pending = [("ObjectCreated:Put", key, size, 1)]  # (event, key, size, depth in the chain)
    played.note("put", f"PUT s3://{trigger.bucket}/{key} from the page.")
    if not trigger.matches("ObjectCreated:Put", key):
        played.note(
            "filtered", "The object does not match the trigger's event type or filters: no notification."
        )
        return played
    first = True
    while pending:
        event_name, object_key, object_size, depth = pending.pop(0)
        if depth > LOOP_LIMIT and trigger.recursive_loop == "Terminate":
            played.stopped_by_loop_detection = True
            played.note(
                "loop",
                f"Lambda detected a recursive loop: this event's chain already invoked the function "
                f"{LOOP_LIMIT} times. It stops the next invocation (the event goes to an on-failure "
                "destination or dead-letter queue if one is set, else it is dropped) and notifies "
                "you (AWS Health Dashboard, email).",
                depth=depth,
            )
            continue
        if played.invokes >= MAX_INVOKES:
            played.stopped_at_cap = True
            played.note(
                "stop",
                f"The sandbox stopped after {MAX_INVOKES} invocations: with RecursiveLoop Allow, "
                "AWS would go on, and bill every one.",
            )
            break
        event = event_for(trigger, event_name, object_key, object_size)
        attempts = start(config, json.dumps(event), first)
        first = False
        played.invokes += len(attempts)
        result = attempts[-1]
        played.last_result = result
        played.note(
            "invoke",
            f"Notification {event_name} for {object_key} (chain depth {depth}) delivered asynchronously: "
            f"{result.status}" + (f" after {len(attempts)} attempts" if len(attempts) > 1 else ""),
            depth=depth,
            status=result.status,
        )
        for attempt in attempts:  # an attempt that failed may still have written objects
            for write_event, bucket, written_key in writes(attempt):
                if bucket != trigger.bucket:
                    played.note(
                        "write",
                        f"The function wrote s3://{bucket}/{written_key}: another bucket, no notification.",
                    )
                elif trigger.matches(write_event, written_key):
                    played.note(
                        "write",
                        f"The function wrote s3://{bucket}/{written_key}: it matches the trigger, "
                        "so S3 notifies the function again.",
                        loop=True,
                    )
                    pending.append((write_event, written_key, 0, depth + 1))
                else:
                    played.note(
                        "write",
                        f"The function wrote s3://{bucket}/{written_key}: outside the trigger's filters.",
                    )
    return played
