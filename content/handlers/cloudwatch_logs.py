"""Count error lines delivered by a CloudWatch Logs subscription filter.

The payload is packed three times: awslogs.data is base64, the bytes are gzip-compressed, and the
result is JSON with logGroup, logStream and a list of logEvents. Each delivery can hold many lines
from one log stream.
"""

import base64
import gzip
import json
import logging
import os
import re

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

# Matches the level column written by Lambda's Python runtime ("[ERROR]\t<time>\t<request id>\t...")
# as well as the runtime's own "Task timed out" line.
ERROR_LINE = re.compile(r"^\[ERROR\]|\bERROR\b|Task timed out")
MAX_SAMPLES = 5


def lambda_handler(event, context):
    raw = base64.b64decode(event["awslogs"]["data"])
    payload = json.loads(gzip.decompress(raw))

    # When a subscription is created, CloudWatch sends one CONTROL_MESSAGE to check the destination.
    if payload.get("messageType") == "CONTROL_MESSAGE":
        logger.info("Control message from CloudWatch Logs, nothing to do")
        return {"control": True}

    errors = [e for e in payload["logEvents"] if ERROR_LINE.search(e["message"])]
    for error in errors:
        logger.info("ERROR line at %d: %s", error["timestamp"], error["message"].rstrip())

    return {
        "logGroup": payload["logGroup"],
        "logStream": payload["logStream"],
        "filters": payload.get("subscriptionFilters", []),
        "events": len(payload["logEvents"]),
        "errors": len(errors),
        # Only the message text after the level, time and request id columns.
        "errorSamples": [e["message"].rstrip().split("\t")[-1] for e in errors[:MAX_SAMPLES]],
        "compressedBytes": len(raw),
    }
