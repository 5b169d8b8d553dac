"""Aggregate clickstream events from a Kinesis data stream.

Kinesis record data arrives base64-encoded, whatever the producer wrote; here producers write
one JSON object per record. The function counts events by type and sums viewing time per photo.
A record that cannot be decoded is reported through batchItemFailures (by its sequence number),
which needs ReportBatchItemFailures on the event source mapping; Lambda then retries from that
record instead of retrying the whole batch.
"""

import base64
import binascii
import json
import logging
import os
from collections import Counter, defaultdict

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))


def lambda_handler(event, context):
    by_type = Counter()
    view_ms = defaultdict(int)
    for record in event.get("Records", []):
        kinesis = record["kinesis"]
        try:
            payload = json.loads(base64.b64decode(kinesis["data"], validate=True))
        except (binascii.Error, ValueError) as exc:  # JSONDecodeError is a ValueError
            logger.error("Undecodable record %s: %s", kinesis["sequenceNumber"], exc)
            # Records of a shard are processed in order, so stop at the first bad one: Lambda
            # resumes from this sequence number and the records after it are retried too.
            return {"batchItemFailures": [{"itemIdentifier": kinesis["sequenceNumber"]}]}

        by_type[payload.get("type", "unknown")] += 1
        if payload.get("type") == "photo_view":
            view_ms[payload["photoId"]] += int(payload.get("ms", 0))

    records = event.get("Records", [])
    summary = {
        "records": len(records),
        # A batch never mixes shards; eventID is "<shard id>:<sequence number>".
        "shard": records[0]["eventID"].split(":")[0] if records else None,
        "byType": dict(by_type),
        "viewMsByPhoto": dict(view_ms),
        "batchItemFailures": [],
    }
    logger.info("Aggregated %d records: %s", len(records), summary["byType"])
    return summary
