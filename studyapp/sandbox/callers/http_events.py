"""The event each HTTP front door builds from a client's request: API Gateway REST API (Lambda
proxy integration, payload format 1.0, a `/{proxy+}` resource on stage `prod`), HTTP API
(payload format 2.0, the `$default` route and stage) and a function URL (format 2.0, auth NONE).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from urllib.parse import parse_qsl

from studyapp.sandbox.callers.http_request import SOURCE_IP, HttpRequest

REST, HTTP_API, FUNCTION_URL = "rest", "http", "url"
FRONT_DOORS = {
    REST: "API Gateway REST API (proxy integration, payload 1.0)",
    HTTP_API: "API Gateway HTTP API (payload 2.0)",
    FUNCTION_URL: "Lambda function URL",
}
ACCOUNT_ID = "123456789012"
STAGE = "prod"


def build_event(front_door: str, request: HttpRequest, region: str = "us-east-1") -> dict:
    now = dt.datetime.now(dt.UTC)
    if front_door == REST:
        return rest_event(request, region, now)
    return v2_event(request, region, now, function_url=front_door == FUNCTION_URL)


def _request_time(now: dt.datetime) -> str:
    return now.strftime("%d/%b/%Y:%H:%M:%S +0000")


def _epoch_ms(now: dt.datetime) -> int:
    return int(now.timestamp() * 1000)


def _trace_id(now: dt.datetime) -> str:
    return f"Root=1-{int(now.timestamp()):08x}-{secrets.token_hex(12)}"


def _query_pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def rest_event(request: HttpRequest, region: str, now: dt.datetime) -> dict:
    """Payload 1.0: headers and query parameters twice, the last value of a repeated one in the
    single-value map and all of them in the multi-value map; null where there are none."""
    api_id = secrets.token_hex(5)
    host = f"{api_id}.execute-api.{region}.amazonaws.com"
    pairs = [
        *request.headers,
        ("Host", host),
        ("X-Amzn-Trace-Id", _trace_id(now)),
        ("X-Forwarded-For", SOURCE_IP),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Proto", "https"),
    ]
    headers, multi_headers = {}, {}
    for name, value in pairs:
        headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    query, multi_query = {}, {}
    for name, value in _query_pairs(request.query):
        query[name] = value
        multi_query.setdefault(name, []).append(value)
    proxy = request.path.lstrip("/")
    resource = "/{proxy+}" if proxy else "/"
    return {
        "resource": resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": proxy} if proxy else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": secrets.token_hex(3),
            "resourcePath": resource,
            "httpMethod": request.method,
            "extendedRequestId": secrets.token_urlsafe(12),
            "requestTime": _request_time(now),
            "path": f"/{STAGE}{request.path}",
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainPrefix": api_id,
            "requestTimeEpoch": _epoch_ms(now),
            "requestId": str(uuid.uuid4()),
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": SOURCE_IP,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": request.user_agent,
                "user": None,
            },
            "domainName": host,
            "apiId": api_id,
        },
        "body": request.body or None,
        "isBase64Encoded": request.body_is_base64,
    }


def v2_event(request: HttpRequest, region: str, now: dt.datetime, function_url: bool) -> dict:
    """Payload 2.0: header names in lower case and repeats joined with commas, cookies taken out
    into their own list, repeated query parameters joined with commas."""
    if function_url:
        api_id = secrets.token_hex(16)
        host = f"{api_id}.lambda-url.{region}.on.aws"
    else:
        api_id = secrets.token_hex(5)
        host = f"{api_id}.execute-api.{region}.amazonaws.com"
    headers: dict[str, str] = {}
    cookies: list[str] = []
    pairs = [
        *request.headers,
        ("host", host),
        ("x-amzn-trace-id", _trace_id(now)),
        ("x-forwarded-for", SOURCE_IP),
        ("x-forwarded-port", "443"),
        ("x-forwarded-proto", "https"),
    ]
    for name, value in pairs:
        name = name.lower()
        if name == "cookie":
            cookies += [cookie.strip() for cookie in value.split(";") if cookie.strip()]
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    query: dict[str, str] = {}
    for name, value in _query_pairs(request.query):
        query[name] = f"{query[name]},{value}" if name in query else value
    context = {
        "accountId": ACCOUNT_ID if not function_url else "anonymous",
        "apiId": api_id,
        "domainName": host,
        "domainPrefix": api_id,
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": "HTTP/1.1",
            "sourceIp": SOURCE_IP,
            "userAgent": request.user_agent,
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": "$default",
        "stage": "$default",
        "time": _request_time(now),
        "timeEpoch": _epoch_ms(now),
    }
    event: dict = {"version": "2.0", "routeKey": "$default", "rawPath": request.path}
    event["rawQueryString"] = request.query
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = context
    if request.body:
        event["body"] = request.body
    if function_url:
        event["pathParameters"] = None
        event["stageVariables"] = None
    event["isBase64Encoded"] = request.body_is_base64
    return event
