"""The function's side of the in-sandbox AWS: on the first `import boto3` (or botocore), every
botocore client sends its requests to the emulator process (aws_emulator.py) over a unix socket
instead of the network, so handlers can call S3, DynamoDB, SQS, SNS, EC2, Secrets Manager and
Step Functions. State lives in the emulator as long as the environment is warm. Every API call
is recorded. What this costs the function (botocore, the requests) is the function's, as on
Lambda; the services' own work is the emulator's.

Runs inside the sandbox (loaded by bootstrap.py into the worker); standard library at import
time only.
"""

import io
import json
import socket
import sys
import threading

AWS_MODULES = ("boto3", "botocore")
calls: list[dict] = []
_state = {"address": None}
_local = threading.local()


# S3 writes name their bucket and key in the record: the sandbox's S3 notifications follow them.
S3_WRITES = ("PutObject", "CopyObject", "DeleteObject", "CompleteMultipartUpload")


# Sends to SQS name their queue and carry their bodies (each cut at 4 KB, 10 a call): the
# sandbox's queue caller feeds them to its queue.
SQS_SENDS = ("SendMessage", "SendMessageBatch")


def note_target(params=None, model=None, **_kwargs):
    """botocore 'provide-client-params' hook: remember which object an S3 write is about, or
    which queue an SQS send goes to and what it sends."""
    if model is None or not isinstance(params, dict):
        return
    service = model.service_model.service_name
    if service == "s3" and model.name in S3_WRITES:
        _local.target = {"bucket": str(params.get("Bucket", "")), "key": str(params.get("Key", ""))}
    elif service == "sqs" and model.name in SQS_SENDS:
        entries = params.get("Entries") if model.name == "SendMessageBatch" else [params]
        bodies = [str(entry.get("MessageBody", ""))[:4096] for entry in (entries or [])[:10]]
        _local.target = {"queue": str(params.get("QueueUrl", "")).rsplit("/", 1)[-1], "bodies": bodies}


def record_call(http_response=None, parsed=None, model=None, **_kwargs):
    """botocore 'after-call' hook: service, operation and HTTP status of each call."""
    status = getattr(http_response, "status_code", None)
    if status is None and isinstance(parsed, dict):
        status = parsed.get("ResponseMetadata", {}).get("HTTPStatusCode")
    call = {
        "service": model.service_model.service_name if model else "?",
        "operation": model.name if model else "?",
        "status": status,
        "error": (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, dict) else None,
    }
    target = getattr(_local, "target", None)
    _local.target = None
    if target and call["operation"] in (*S3_WRITES, *SQS_SENDS):
        call.update(target)
    calls.append(call)


class _Body(io.BytesIO):
    """A response body botocore can stream, as urllib3's would be."""

    def stream(self, **_kwargs):
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


def forward(request, **_kwargs):
    """botocore 'before-send' hook: the emulator answers instead of the network."""
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    body = body or b""
    headers = [
        [key, value.decode("latin-1") if isinstance(value, bytes) else str(value)]
        for key, value in request.headers.items()
    ]
    header = json.dumps(
        {"method": request.method, "url": request.url, "headers": headers, "body_length": len(body)}
    )
    connection, reader = _connection()
    connection.sendall(header.encode() + b"\n" + body)
    answer = json.loads(reader.readline())
    content = reader.read(answer["body_length"])
    response_headers = HTTPHeaders()
    for key, value in answer["headers"]:
        response_headers[key] = value
    return AWSResponse(request.url, answer["status"], response_headers, _Body(content))


def _connection():
    if getattr(_local, "pid", None) != _pid():  # one per thread, and none inherited by a fork
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(_state["address"])
        _local.connection, _local.reader, _local.pid = connection, connection.makefile("rb"), _pid()
    return _local.connection, _local.reader


def _pid() -> int:
    import os

    return os.getpid()


def start(address: str, builtin_handlers: list) -> None:
    """Route botocore to the emulator at `address` (an abstract unix socket name)."""
    if _state["address"] is not None:
        return
    _state["address"] = address
    sys.meta_path[:] = [finder for finder in sys.meta_path if not getattr(finder, "starts_aws", False)]
    builtin_handlers.append(("before-send", forward))
    builtin_handlers.append(("provide-client-params", note_target))
    builtin_handlers.append(("after-call", record_call))


def seed(plan: dict) -> list[str]:
    """Create what the event names (bucket, object, table, queue, topic); idempotent."""
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
