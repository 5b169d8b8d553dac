"""What "Seed resources" creates for an event: the bucket (and object), table, queue or topic
the event names, read from the places AWS puts them."""

from __future__ import annotations

from urllib.parse import unquote_plus


def _arn_resource(arn: str) -> str:
    return arn.split(":", 5)[-1] if arn.count(":") >= 5 else ""


def seed_plan(event) -> dict:
    plan: dict = {"s3": {}, "dynamodb": {}, "sqs": [], "sns": []}
    records = event.get("Records", []) if isinstance(event, dict) else []
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict):
            continue
        s3 = record.get("s3")
        if isinstance(s3, dict) and isinstance(s3.get("bucket"), dict):
            bucket = s3["bucket"].get("name")
            key = (s3.get("object") or {}).get("key")
            if bucket:
                keys = plan["s3"].setdefault(bucket, [])
                if key and record.get("eventName", "").startswith("ObjectCreated"):
                    keys.append(unquote_plus(key))
        source_arn = record.get("eventSourceARN") or record.get("EventSourceArn") or ""
        if record.get("eventSource") == "aws:dynamodb" and "table/" in source_arn:
            table = source_arn.split("table/", 1)[1].split("/", 1)[0]
            keys = (record.get("dynamodb") or {}).get("Keys") or {}
            plan["dynamodb"][table] = [
                (name, next(iter(value)))
                for name, value in list(keys.items())[:2]
                if isinstance(value, dict) and value
            ] or [("id", "S")]
        elif record.get("eventSource") == "aws:sqs" and source_arn:
            queue = _arn_resource(source_arn)
            if queue and queue not in plan["sqs"]:
                plan["sqs"].append(queue)
        topic_arn = (record.get("Sns") or {}).get("TopicArn", "")
        if topic_arn:
            topic = _arn_resource(topic_arn)
            if topic and topic not in plan["sns"]:
                plan["sns"].append(topic)
    return {kind: value for kind, value in plan.items() if value}
