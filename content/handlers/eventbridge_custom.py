"""React to "Order Placed" events that the shop publishes on an EventBridge bus.

The rule's event pattern, not this code, should select the events, for example:
    {"source": ["com.snapnest.shop"], "detail-type": ["Order Placed"]}
The checks below are a safety net for a rule that was widened by mistake. Everything the publisher
sent sits under "detail"; the envelope around it (id, time, source, ...) is added by EventBridge.
"""

import logging
import os

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

EXPECTED_SOURCE = os.environ.get("ORDER_SOURCE", "com.snapnest.shop")
POINTS_PER_EURO = 1
PRINT_SKUS = ("print-", "canvas-")


def lambda_handler(event, context):
    if event.get("source") != EXPECTED_SOURCE or event.get("detail-type") != "Order Placed":
        logger.warning("Ignoring %s / %s", event.get("source"), event.get("detail-type"))
        return {"ignored": True}

    order = event["detail"]
    items = order.get("items", [])
    to_print = [i for i in items if i["sku"].startswith(PRINT_SKUS)]
    express = order.get("shipping", {}).get("method") == "express"

    # EventBridge delivers at least once, so use the event id (stable across retries) as an
    # idempotency key when writing anywhere.
    plan = {
        "orderId": order["orderId"],
        "eventId": event["id"],
        "printJobs": sum(i["quantity"] for i in to_print),
        "queue": "print-express" if express else "print-standard",
        "loyaltyPoints": order.get("totalCents", 0) // 100 * POINTS_PER_EURO,
        "placedAt": order.get("placedAt", event["time"]),
    }
    logger.info(
        "Order %s: %d print job(s) on %s, %d loyalty points for %s",
        plan["orderId"],
        plan["printJobs"],
        plan["queue"],
        plan["loyaltyPoints"],
        order.get("customerId"),
    )
    return plan
