"""Turn an "order shipped" SNS notification into customer notifications.

SNS invokes Lambda asynchronously: the function's return value goes nowhere, and if it raises,
Lambda retries the event (twice by default) before sending it to an on-failure destination or DLQ,
if one is configured. So the function should only raise for errors a retry could fix.
"""

import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

# Which channels each event type goes out on. The SNS subscription could filter on the eventType
# message attribute so unwanted types never invoke the function at all.
CHANNELS = {
    "OrderShipped": ["email", "push"],
    "OrderDelayed": ["email"],
    "OrderDelivered": ["push"],
}

# Async retries and SNS's at-least-once delivery can both repeat a message. Remembering ids helps
# within one warm execution environment only; real deduplication needs a shared store.
_seen_message_ids = set()


def lambda_handler(event, context):
    dispatched = []
    for record in event.get("Records", []):
        sns = record["Sns"]
        if sns["MessageId"] in _seen_message_ids:
            logger.info("Duplicate SNS message %s ignored", sns["MessageId"])
            continue

        # Message attributes come as {"Type": ..., "Value": ...}; Value is always a string.
        attributes = {name: attr["Value"] for name, attr in sns.get("MessageAttributes", {}).items()}
        event_type = attributes.get("eventType", "unknown")
        message = json.loads(sns["Message"])  # the publisher sent JSON as the message string

        for channel in CHANNELS.get(event_type, []):
            notification = build(channel, event_type, message, sns.get("Subject"))
            # In production: SES for email, SNS mobile push or a push provider for push.
            logger.info("%s -> %s: %s", channel, message.get("customerId"), notification["text"])
            dispatched.append(notification)
        _seen_message_ids.add(sns["MessageId"])

    return {
        "received": len(event.get("Records", [])),
        "notifications": len(dispatched),
        "dispatched": dispatched,
    }


def build(channel, event_type, message, subject):
    order_id = message.get("orderId")
    if event_type == "OrderShipped":
        carrier, tracking = message.get("carrier"), message.get("trackingNumber")
        text = f"Your order {order_id} is on its way with {carrier} ({tracking})."
    else:
        text = f"Update on order {order_id}: {subject or event_type}."
    return {"channel": channel, "customerId": message.get("customerId"), "orderId": order_id, "text": text}
