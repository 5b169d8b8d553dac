"""A REST API handler with the most common proxy-integration bug: the body is a dict.

API Gateway's Lambda proxy integration expects the handler to return an object with
statusCode, headers and a *string* body. Lambda itself is happy with any JSON, so the invoke
succeeds and the function's logs look fine, but API Gateway cannot read the answer and the
client gets 502 {"message": "Internal server error"}; the API's execution log says
"Malformed Lambda proxy response".

Run it through the REST API caller, read the client's 502, then fix it: json.dumps the body.
"""

import json  # noqa: F401  (the fix needs it)


def lambda_handler(event, context):
    order_id = (event.get("pathParameters") or {}).get("proxy", "").split("/")[-1]
    order = {"id": order_id, "status": "open", "items": 2}
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": order,  # the bug: must be json.dumps(order)
    }
