"""Summarise changes to the orders table from its DynamoDB stream.

Stream records carry items in DynamoDB's typed JSON, e.g. {"totalCents": {"N": "2598"}}. The
decoder below turns that into plain Python values (boto3's TypeDeserializer does the same job).
What a record contains depends on the stream view type: with NEW_AND_OLD_IMAGES an INSERT has only
NewImage, a REMOVE only OldImage, and a MODIFY both.
"""

import base64
import logging
import os
from collections import Counter
from decimal import Decimal

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))


def decode(value):
    """Decode one typed attribute value, e.g. {"N": "12"} -> 12."""
    ((type_code, raw),) = value.items()
    if type_code == "S":
        return raw
    if type_code == "N":
        # Numbers travel as strings so no precision is lost; Decimal keeps it that way.
        number = Decimal(raw)
        return int(number) if number == number.to_integral_value() else float(number)
    if type_code == "BOOL":
        return raw
    if type_code == "NULL":
        return None
    if type_code == "B":
        return base64.b64decode(raw)
    if type_code == "M":
        return decode_item(raw)
    if type_code == "L":
        return [decode(v) for v in raw]
    if type_code == "SS":
        return set(raw)
    if type_code == "NS":
        return {decode({"N": n}) for n in raw}
    if type_code == "BS":
        return {base64.b64decode(b) for b in raw}
    raise ValueError(f"Unknown DynamoDB type {type_code}")


def decode_item(image):
    return {name: decode(value) for name, value in (image or {}).items()}


def lambda_handler(event, context):
    counts = Counter()
    changes = []
    for record in event.get("Records", []):
        action = record["eventName"]  # INSERT | MODIFY | REMOVE
        counts[action] += 1
        data = record["dynamodb"]
        keys = decode_item(data["Keys"])
        new, old = decode_item(data.get("NewImage")), decode_item(data.get("OldImage"))

        change = {"action": action, "keys": keys}
        if action == "INSERT":
            change["status"] = new.get("status")
        elif action == "MODIFY":
            # Report only the attributes whose value changed, with before and after.
            names = sorted(set(new) | set(old))
            change["changed"] = {n: [old.get(n), new.get(n)] for n in names if old.get(n) != new.get(n)}
        elif action == "REMOVE":
            # Deletions made by DynamoDB's TTL process are marked with a service identity.
            identity = record.get("userIdentity") or {}
            change["byTtl"] = identity.get("principalId") == "dynamodb.amazonaws.com"
            change["lastStatus"] = old.get("status")
        details = {k: v for k, v in change.items() if k not in ("action", "keys")}
        logger.info("%s %s %s", action, keys, details)
        changes.append(change)

    # Return only JSON-friendly values: Lambda serialises the return value with json.dumps.
    return {
        "inserted": counts["INSERT"],
        "modified": counts["MODIFY"],
        "removed": counts["REMOVE"],
        "changes": changes,
    }
