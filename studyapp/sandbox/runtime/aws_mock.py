"""In-sandbox AWS: the first `import boto3` (or botocore) starts moto's in-memory AWS in the
environment, so handlers can call S3, DynamoDB, SQS, SNS, EC2, Secrets Manager and Step
Functions. State lives as long as the environment is warm. Every API call is recorded.

Runs inside the sandbox (imported by bootstrap.py); standard library at import time only.
"""

import sys

AWS_MODULES = ("boto3", "botocore")
calls: list[dict] = []
_state = {"active": False}


def record_call(http_response=None, parsed=None, model=None, **_kwargs):
    """botocore 'after-call' hook: service, operation and HTTP status of each call."""
    status = getattr(http_response, "status_code", None)
    if status is None and isinstance(parsed, dict):
        status = parsed.get("ResponseMetadata", {}).get("HTTPStatusCode")
    calls.append(
        {
            "service": model.service_model.service_name if model else "?",
            "operation": model.name if model else "?",
            "status": status,
            "error": (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, dict) else None,
        }
    )


def start(before_start=None, after_start=None) -> None:
    if _state["active"]:
        return
    _state["active"] = True
    sys.meta_path[:] = [finder for finder in sys.meta_path if not getattr(finder, "starts_aws", False)]
    if before_start:
        before_start()
    import moto
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("after-call", record_call))
    moto.mock_aws().start()
    if after_start:
        after_start()


def seed(plan: dict) -> list[str]:
    """Create what the event names (bucket, object, table, queue, topic); idempotent."""
    start()
    import boto3

    created = []
    s3 = boto3.client("s3")
    for bucket, keys in plan.get("s3", {}).items():
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        if bucket not in existing:
            s3.create_bucket(Bucket=bucket) if s3.meta.region_name == "us-east-1" else s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name}
            )
            created.append(f"s3 bucket {bucket}")
        for key in keys:
            s3.put_object(Bucket=bucket, Key=key, Body=b"Seeded by Coldstart: sample object content.\n")
            created.append(f"s3 object s3://{bucket}/{key}")
    dynamodb = boto3.client("dynamodb")
    for table, keys in plan.get("dynamodb", {}).items():
        if table not in dynamodb.list_tables()["TableNames"]:
            schema = [
                {"AttributeName": name, "KeyType": "HASH" if i == 0 else "RANGE"}
                for i, (name, _) in enumerate(keys)
            ]
            definitions = [{"AttributeName": name, "AttributeType": kind} for name, kind in keys]
            dynamodb.create_table(
                TableName=table,
                KeySchema=schema,
                AttributeDefinitions=definitions,
                BillingMode="PAY_PER_REQUEST",
            )
            created.append(f"dynamodb table {table}")
    sqs = boto3.client("sqs")
    for queue in plan.get("sqs", []):
        attributes = {"FifoQueue": "true"} if queue.endswith(".fifo") else {}
        sqs.create_queue(QueueName=queue, Attributes=attributes)
        created.append(f"sqs queue {queue}")
    sns = boto3.client("sns")
    for topic in plan.get("sns", []):
        sns.create_topic(Name=topic)
        created.append(f"sns topic {topic}")
    calls.clear()  # seeding is not the handler's doing
    return created
