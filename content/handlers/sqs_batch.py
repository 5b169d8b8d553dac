"""Consume print orders from SQS and report partial batch failures.

By default one bad message makes the whole batch fail, so SQS redelivers the good messages too.
With ReportBatchItemFailures turned on in the event source mapping, the function instead returns
{"batchItemFailures": [{"itemIdentifier": <messageId>}, ...]} and only those messages go back
to the queue (and, after maxReceiveCount attempts, to the dead-letter queue).
"""

import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

REQUIRED_FIELDS = ("orderId", "photoId", "product", "quantity")
KNOWN_PRODUCTS = {"print-a4-matte", "print-a3-gloss", "canvas-20x30", "canvas-30x40", "frame-oak-a4"}


class InvalidMessage(Exception):
    pass


def lambda_handler(event, context):
    failures = []
    records = event.get("Records", [])
    for index, record in enumerate(records):
        message_id = record["messageId"]
        try:
            process(record)
        except Exception as exc:
            receive_count = record["attributes"].get("ApproximateReceiveCount")
            logger.warning("Message %s failed (receive #%s): %s", message_id, receive_count, exc)
            failures.append({"itemIdentifier": message_id})
            if record["eventSourceARN"].endswith(".fifo"):
                # On a FIFO queue, later messages of the batch must not overtake the failed one:
                # report them all as failed so they are retried in order.
                failures.extend({"itemIdentifier": r["messageId"]} for r in records[index + 1 :])
                break

    logger.info("Batch of %d: %d ok, %d to retry", len(records), len(records) - len(failures), len(failures))
    # An empty list means "all succeeded"; raising instead would retry the entire batch.
    return {"batchItemFailures": failures}


def process(record):
    try:
        order = json.loads(record["body"])
    except json.JSONDecodeError as exc:
        raise InvalidMessage(f"body is not JSON ({exc.msg})") from exc
    if not isinstance(order, dict):
        raise InvalidMessage("body is not a JSON object")
    if order.get("fail") is True:
        # A test hook: lets you send a message that fails on purpose to watch the retry path.
        raise InvalidMessage("message asked to fail")
    missing = [f for f in REQUIRED_FIELDS if f not in order]
    if missing:
        raise InvalidMessage(f"missing field(s): {', '.join(missing)}")
    if order["product"] not in KNOWN_PRODUCTS:
        raise InvalidMessage(f"unknown product {order['product']}")

    attrs = record.get("messageAttributes", {})
    priority = attrs.get("priority", {}).get("stringValue", "standard")
    # Real work would go here (render the print file, book a printer slot). It must be idempotent:
    # SQS delivers at least once, so the same order can arrive twice.
    logger.info(
        "Queued %s x%s for order %s (%s priority)",
        order["product"],
        order["quantity"],
        order["orderId"],
        priority,
    )
