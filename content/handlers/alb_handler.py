"""Product listing served by a Lambda target behind an Application Load Balancer.

An ALB expects a response with statusCode, statusDescription, headers, isBase64Encoded and a
string body. Two ALB quirks matter here:
  * query string values reach the function exactly as the client sent them, still
    percent-encoded, so the function has to decode them itself;
  * the whole response JSON, body included after any base64 encoding, must stay within the ALB's
    1 MB limit for Lambda targets, or the client gets a 502. That is far below Lambda's own 6 MB
    synchronous response limit (and API Gateway's 10 MB payload limit).
"""

import html
import json
import logging
import os
from http import HTTPStatus
from urllib.parse import unquote_plus

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

PRODUCTS = [
    {"sku": "frame-oak-a4", "name": "Oak frame, A4", "category": "frames", "priceCents": 2490},
    {"sku": "frame-black-a3", "name": "Black aluminium frame, A3", "category": "frames", "priceCents": 3290},
    {
        "sku": "frame-white-30x40",
        "name": "White box frame, 30 x 40 cm",
        "category": "frames",
        "priceCents": 3890,
    },
    {"sku": "print-a4-matte", "name": "Matte print, A4", "category": "prints", "priceCents": 830},
    {"sku": "canvas-30x40", "name": "Canvas, 30 x 40 cm", "category": "canvas", "priceCents": 4990},
]
MAX_LIMIT = 50


def lambda_handler(event, context):
    if event.get("httpMethod") not in ("GET", "HEAD"):
        return respond(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "Only GET is supported"}, as_html=False)

    # The ALB does not decode query values (unlike API Gateway), so "wall%20art" stays encoded.
    query = {k: unquote_plus(v) for k, v in (event.get("queryStringParameters") or {}).items()}
    category = query.get("category")
    try:
        limit = max(1, min(int(query.get("limit", "20")), MAX_LIMIT))
    except ValueError:
        return respond(HTTPStatus.BAD_REQUEST, {"error": "limit must be a number"}, as_html=False)

    items = [p for p in PRODUCTS if category in (None, p["category"])][:limit]
    logger.info("category=%s limit=%d -> %d product(s)", category, limit, len(items))

    # Single-value header mode: one string per header name.
    wants_html = "text/html" in event.get("headers", {}).get("accept", "")
    return respond(
        HTTPStatus.OK, {"category": category, "count": len(items), "products": items}, as_html=wants_html
    )


def respond(status, data, as_html):
    if as_html:
        rows = "".join(
            f"<li>{html.escape(p['name'])} &ndash; &euro;{p['priceCents'] / 100:.2f}</li>"
            for p in data.get("products", [])
        )
        body = f"<!doctype html><title>Snapnest shop</title><ul>{rows}</ul>"
        content_type = "text/html; charset=utf-8"
    else:
        body = json.dumps(data)
        content_type = "application/json"
    return {
        "statusCode": int(status),
        # The ALB wants the status line text too, e.g. "200 OK".
        "statusDescription": f"{int(status)} {status.phrase}",
        "headers": {"Content-Type": content_type},
        "isBase64Encoded": False,
        "body": body,
    }
