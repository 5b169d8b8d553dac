"""A handler that returns a plain dict, with no statusCode.

Behind an HTTP API (payload format 2.0) or a function URL this works: the front door infers a
200 with content-type application/json and sends the dict as the JSON body. Behind a REST API
(payload format 1.0) the same handler is a 502: a REST proxy integration never infers, and
"id" and "status" are not keys a proxy response may have.

Run it through the HTTP API caller, then switch the caller to the REST API and run it again.
"""


def lambda_handler(event, context):
    path = event.get("rawPath") or event.get("path") or "/"
    return {"id": path.rstrip("/").split("/")[-1], "status": "open"}
