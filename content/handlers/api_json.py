"""A small JSON API for print orders behind an API Gateway REST API (Lambda proxy integration).

With the proxy integration API Gateway hands the whole HTTP request to the function (payload
format 1.0) and expects a dict back with statusCode, headers and a *string* body. Routing happens
here, in the code, on httpMethod and path.

Routes:
    POST /orders        create an order from a JSON body  -> 201, 400 on bad input
    GET  /orders/{id}   fetch one order                    -> 200, or 404 if unknown
"""

import base64
import json
import logging
import os
import re
import uuid
from datetime import UTC, datetime

logger = logging.getLogger()
# Lambda's Python runtime leaves the root logger at WARNING; raise it so info lines show up.
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

# The catalogue and the order "table" live in memory to keep the sample self-contained. A real
# service would read and write DynamoDB: module-level data only lasts as long as one execution
# environment, and concurrent requests may land on different environments with different copies.
PRICES_CENTS = {
    "print-a4-matte": 830,
    "print-a3-gloss": 1450,
    "frame-oak-a4": 2490,
    "canvas-20x30": 1299,
    "canvas-30x40": 4990,
}
SUPPORTED_CURRENCIES = {"EUR"}
MAX_QUANTITY = 50

ORDERS = {
    # Seeded so that GET /orders/ord_8K2M4Q7T answers 200 even in a brand-new environment.
    "ord_8K2M4Q7T": {
        "orderId": "ord_8K2M4Q7T",
        "customerId": "cus_41e7b0",
        "status": "SHIPPED",
        "currency": "EUR",
        "totalCents": 1660,
        "items": [{"sku": "print-a4-matte", "photoId": "ph_51c9e2", "quantity": 2, "unitCents": 830}],
        "createdAt": "2026-11-21T16:19:58Z",
    }
}

ORDER_PATH = re.compile(r"^/orders/(?P<order_id>[A-Za-z0-9_-]+)/?$")
ALLOWED_ORIGIN = os.environ.get("ALLOWED_ORIGIN", "https://shop.snapnest.example")


class BadRequest(Exception):
    """Raised for client mistakes; turned into a 400 response with the message."""


def lambda_handler(event, context):
    method = event.get("httpMethod", "")
    path = event.get("path") or "/"
    logger.info(
        "%s %s (API Gateway request %s)", method, path, event.get("requestContext", {}).get("requestId")
    )
    try:
        if path.rstrip("/") == "/orders":
            if method == "POST":
                return create_order(event, context)
            return respond(405, {"error": f"{method} is not allowed on /orders"}, {"Allow": "POST"})
        match = ORDER_PATH.match(path)
        if match:
            if method == "GET":
                # Prefer the value API Gateway already extracted for /orders/{id}; fall back to the
                # regex when the API uses a greedy {proxy+} resource instead.
                order_id = (event.get("pathParameters") or {}).get("id") or match["order_id"]
                return get_order(order_id, event)
            return respond(405, {"error": f"{method} is not allowed here"}, {"Allow": "GET"})
        return respond(404, {"error": f"No route for {method} {path}"})
    except BadRequest as exc:
        return respond(400, {"error": str(exc)})
    except Exception:
        # Without this, an exception reaches API Gateway, which answers a bare 502. Logging the
        # traceback and returning our own 500 keeps the client response JSON and the cause in logs.
        logger.exception("Unhandled error")
        return respond(500, {"error": "Internal server error", "requestId": context.aws_request_id})


def create_order(event, context):
    payload = parse_json_body(event)
    currency = (event.get("queryStringParameters") or {}).get("currency", "EUR").upper()
    if currency not in SUPPORTED_CURRENCIES:
        raise BadRequest(f"Unsupported currency '{currency}'")

    customer_id = payload.get("customerId")
    if not isinstance(customer_id, str) or not customer_id:
        raise BadRequest("'customerId' must be a non-empty string")
    items = payload.get("items")
    if not isinstance(items, list) or not items:
        raise BadRequest("'items' must be a non-empty list")

    lines = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadRequest(f"items[{position}] must be an object")
        sku, quantity = item.get("sku"), item.get("quantity")
        if sku not in PRICES_CENTS:
            raise BadRequest(f"items[{position}]: unknown sku '{sku}'")
        # bool is a subclass of int in Python, so rule it out explicitly.
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
            raise BadRequest(f"items[{position}]: 'quantity' must be an integer from 1 to {MAX_QUANTITY}")
        lines.append(
            {"sku": sku, "photoId": item.get("photoId"), "quantity": quantity, "unitCents": PRICES_CENTS[sku]}
        )

    order_id = "ord_" + uuid.uuid4().hex[:8].upper()
    order = {
        "orderId": order_id,
        "customerId": customer_id,
        "status": "PENDING",
        "currency": currency,
        # Money as integer cents: floats would turn 8.30 * 3 into 24.900000000000002.
        "totalCents": sum(line["quantity"] * line["unitCents"] for line in lines),
        "items": lines,
        "shipping": payload.get("shipping"),
        "createdAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    ORDERS[order_id] = order
    logger.info(
        "Created %s for %s: %d line(s), %d cents", order_id, customer_id, len(lines), order["totalCents"]
    )
    return respond(201, order, {"Location": f"/orders/{order_id}"})


def get_order(order_id, event):
    order = ORDERS.get(order_id)
    if order is None:
        return respond(404, {"error": f"Order {order_id} not found"})
    include = (event.get("queryStringParameters") or {}).get("include", "")
    if "items" in include.split(","):
        return respond(200, order)
    # Without ?include=items the client gets a lighter summary.
    return respond(200, {k: v for k, v in order.items() if k != "items"})


def parse_json_body(event):
    body = event.get("body")
    if body is None or body == "":
        raise BadRequest("Request body is empty; expected a JSON object")
    # Binary media types make API Gateway base64-encode the body; handle both cases.
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise BadRequest(f"Body is not valid JSON: {exc.msg} at {where}") from exc
    if not isinstance(payload, dict):
        raise BadRequest("Body must be a JSON object")
    return payload


def respond(status, data, extra_headers=None):
    # The proxy integration requires body to be a string, so serialise here; returning a dict as
    # body makes API Gateway report a malformed Lambda proxy response (502).
    headers = {
        "Content-Type": "application/json",
        "Access-Control-Allow-Origin": ALLOWED_ORIGIN,
    }
    headers.update(extra_headers or {})
    return {"statusCode": status, "headers": headers, "body": json.dumps(data)}
