"""Echo endpoint behind a Lambda function URL: shows exactly what the caller sent.

Function URLs use the same request shape as API Gateway payload 2.0, with routeKey and stage
fixed to "$default". There is no router in front, so every path and method reaches this code.
With AuthType AWS_IAM the caller's signed identity shows up under requestContext.authorizer.iam;
with AuthType NONE that block is absent and anyone with the URL can call the function.
"""

import base64
import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

# Never echo credentials back: the SigV4 headers would leak a (temporary) session token.
SECRET_HEADERS = {"authorization", "x-amz-security-token", "cookie"}


def lambda_handler(event, context):
    ctx = event["requestContext"]
    body = event.get("body")
    if body and event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    try:
        parsed_body = json.loads(body) if body else None
    except json.JSONDecodeError:
        parsed_body = body  # echo non-JSON bodies as plain text

    iam = (ctx.get("authorizer") or {}).get("iam") or {}
    echo = {
        "method": ctx["http"]["method"],
        "path": event["rawPath"],
        "rawQueryString": event.get("rawQueryString", ""),
        # Absent (not empty) when the URL has no query string, hence the default.
        "query": event.get("queryStringParameters") or {},
        # Payload 2.0 moves the Cookie header into this list.
        "cookies": event.get("cookies") or [],
        "headers": {k: v for k, v in event.get("headers", {}).items() if k not in SECRET_HEADERS},
        "body": parsed_body,
        "caller": iam.get("userArn", "anonymous (AuthType NONE)"),
        "sourceIp": ctx["http"]["sourceIp"],
        "requestId": ctx["requestId"],
        "function": {
            "name": context.function_name,
            "version": context.function_version,
            "memoryMb": int(context.memory_limit_in_mb),
            "remainingMs": context.get_remaining_time_in_millis(),
        },
    }
    logger.info("Echoing %s %s for %s", echo["method"], echo["path"], echo["caller"])
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        # Function URLs set cookies from this list (one Set-Cookie header each), not from headers.
        "cookies": ["last_echo=" + ctx["requestId"] + "; Max-Age=600; Secure; HttpOnly"],
        "body": json.dumps(echo, indent=2),
    }
