"""What an unhandled exception looks like: reserve stock for an order and run out.

When a handler raises, the Python runtime catches it and reports an error response with
errorType (the exception class name), errorMessage and stackTrace, and logs the same as JSON.
For a synchronous caller that is the response. For an asynchronous source such as EventBridge,
Lambda retries the event (twice by default, with delays) and then gives up or sends it to an
on-failure destination.
"""

import logging
import os

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

# Canvas stock is empty on purpose so the sample order fails.
STOCK = {"canvas-30x40": 0, "print-a4-matte": 500, "frame-oak-a4": 12}


class OutOfStockError(Exception):
    """A custom exception class: its name becomes errorType, which alarms and retries can match."""


def lambda_handler(event, context):
    order = event["detail"]
    for item in order["items"]:
        available = STOCK.get(item["sku"], 0)
        logger.info("%s: need %d, have %d", item["sku"], item["quantity"], available)
        if available < item["quantity"]:
            raise OutOfStockError(
                f"Order {order['orderId']}: {item['sku']} needs {item['quantity']}, only {available} in stock"
            )
        STOCK[item["sku"]] = available - item["quantity"]
    return {"orderId": order["orderId"], "reserved": True}
