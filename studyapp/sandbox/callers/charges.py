"""What a run through a caller is charged against the learner's runs per minute."""

from __future__ import annotations

from studyapp.sandbox.callers import s3_notifications, sqs_mapping


def invokes_at_most(caller: dict) -> int:
    """The invokes a run through `caller` may make, charged to the learner's runs per minute
    before it starts (like the memory tuner's)."""
    kind = caller.get("kind")
    if kind == sqs_mapping.QUEUE:
        mapping = caller["mapping"]
        batches = -(-len(caller["messages"]) // max(1, mapping["batch_size"]))
        return min(sqs_mapping.MAX_INVOKES, batches * max(1, mapping["max_receive_count"]))
    if kind == s3_notifications.BUCKET:
        allow = caller["trigger"].get("recursive_loop") == "Allow"
        return s3_notifications.MAX_INVOKES if allow else s3_notifications.LOOP_LIMIT
    return 1
