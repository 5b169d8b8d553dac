"""What the client of an HTTP front door gets back, from the Lambda invoke's result.

Sources (checked 2026-12-04): REST proxy output format and its 502 for anything else
(apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html, lambda/latest/dg/
services-apigateway-errors.html); HTTP API payload 2.0 and its response inference
(apigateway/latest/developerguide/http-api-develop-integrations-lambda.html); function URL
payloads (lambda/latest/dg/urls-invocation.html). Where AWS documents no error body, the
answers observed against real AWS (and reproduced by emulators tested against it) are used.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

from studyapp.sandbox.callers.http_events import FUNCTION_URL, HTTP_API, REST

REST_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
REST_TIMEOUT_S = 29.0  # the REST API's default integration timeout
HTTP_API_TIMEOUT_S = 30.0  # the HTTP API's maximum, and its default
REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class ClientResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    verdict: str  # ok | malformed | function_error | timeout | not_invoked
    explanation: str
    service_log: str = ""  # what the front door's own log would say, where it has one
    notes: tuple[str, ...] = field(default=())

    @property
    def status_line(self) -> str:
        return f"HTTP/1.1 {self.status} {REASONS.get(self.status, '')}".rstrip()

    @property
    def body_text(self) -> str | None:
        """The body as text, or None when it is not UTF-8 (shown as base64 then)."""
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "headers": [list(pair) for pair in self.headers],
            "body": base64.b64encode(self.body).decode(),
            "verdict": self.verdict,
            "explanation": self.explanation,
            "service_log": self.service_log,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ClientResponse:
        return cls(
            status=data["status"],
            headers=tuple((name, value) for name, value in data["headers"]),
            body=base64.b64decode(data["body"]),
            verdict=data["verdict"],
            explanation=data["explanation"],
            service_log=data.get("service_log", ""),
            notes=tuple(data.get("notes", ())),
        )


class Malformed(ValueError):
    """The handler's answer is not a response this front door can read."""


def client_response(front_door: str, result, duration_s: float | None = None) -> ClientResponse:
    """`result`: the engine's InvokeResult. `duration_s`: how long the invoke took (a REST API
    answers 504 after 29 s even when the function goes on to succeed)."""
    if front_door == REST:
        return _rest(result, duration_s)
    return _v2(front_door, result, duration_s)


def _json(message: dict) -> bytes:
    return json.dumps(message).encode()


def _not_invoked(front_door: str, result) -> ClientResponse:
    reason = (result.payload or {}).get("errorMessage", "") if isinstance(result.payload, dict) else ""
    body = {
        REST: _json({"message": "Internal server error"}),
        HTTP_API: _json({"message": "Internal Server Error"}),
        FUNCTION_URL: b"Internal Server Error",
    }[front_door]
    status = 502 if front_door == FUNCTION_URL else 500
    explanation = (
        f"Lambda did not run the function ({result.status}: {reason}). The front door answers "
        f"{status} without the function having run."
    )
    if result.status_code == 413:
        limit = (
            "API Gateway accepts requests up to 10 MB" if front_door != FUNCTION_URL else "The URL took it"
        )
        explanation += (
            f" {limit}, but a synchronous invoke carries at most 6 MB of event: a request that "
            "grows the event past 6 MB never reaches your function (send big payloads to S3 "
            "and pass a reference instead)."
        )
    return ClientResponse(status, _content_type(front_door, body), body, "not_invoked", explanation)


def _content_type(front_door: str, body: bytes) -> tuple[tuple[str, str], ...]:
    if front_door == FUNCTION_URL and not body.startswith(b"{"):
        return (("Content-Type", "text/plain; charset=utf-8"),)
    return (("Content-Type", "application/json"),)


# -- REST API, payload 1.0 -----------------------------------------------------------------------


def _rest(result, duration_s: float | None) -> ClientResponse:
    error_body = _json({"message": "Internal server error"})
    if result.status == "timeout" or (duration_s or 0) > REST_TIMEOUT_S:
        body = _json({"message": "Endpoint request timed out"})
        return ClientResponse(
            504,
            (("Content-Type", "application/json"),),
            body,
            "timeout",
            f"The REST API waits at most {REST_TIMEOUT_S:g} s for its integration (the default, "
            "the most a Regional API can have without asking AWS for more). The client gets "
            "504 Endpoint request timed out, whatever the function does afterwards.",
            "Execution failed due to a timeout error",
        )
    if result.status in ("rejected", "throttled"):
        return _not_invoked(REST, result)
    if result.status != "success":
        message = (result.payload or {}).get("errorMessage", "") if isinstance(result.payload, dict) else ""
        return ClientResponse(
            502,
            (("Content-Type", "application/json"),),
            error_body,
            "function_error",
            "The function failed (an unhandled error), so there is no proxy response to read: "
            "API Gateway answers 502 with its generic body. The client never sees your error "
            "message; catch errors in the handler and return a proper statusCode instead.",
            f"Lambda execution failed with status 200 due to customer function error: {message}",
        )
    try:
        status, headers, body = _rest_response(json.loads(result.payload_json))
    except Malformed as problem:
        return ClientResponse(
            502,
            (("Content-Type", "application/json"),),
            error_body,
            "malformed",
            f"API Gateway could not read the handler's answer as a proxy response: {problem} "
            "A proxy response is an object with statusCode, headers, multiValueHeaders, body "
            "(a string: json.dumps it) and isBase64Encoded, and nothing else.",
            "Execution failed due to configuration error: Malformed Lambda proxy response",
        )
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return ClientResponse(
        status, tuple(headers), body, "ok", "API Gateway turned the proxy response into this HTTP response."
    )


def _scalar(value, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise Malformed(f"{where} must be a string, not {type(value).__name__}.")


def _status(value) -> int:
    if isinstance(value, bool):
        raise Malformed("statusCode must be a number.")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or not 100 <= value <= 599:
        raise Malformed(f"statusCode must be an HTTP status such as 200, not {json.dumps(value)}.")
    return value


def _body(value, is_base64) -> bytes:
    if value is None:
        return b""
    if not isinstance(value, str):
        raise Malformed(f"body must be a string, not a {type(value).__name__} (json.dumps it).")
    if is_base64:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise Malformed("isBase64Encoded is true but the body is not valid base64.") from None
    return value.encode()


def _rest_response(answer) -> tuple[int, list, bytes]:
    if not isinstance(answer, dict):
        raise Malformed(f"the handler returned a {type(answer).__name__}, not an object.")
    unknown = sorted(set(answer) - REST_KEYS)
    if unknown:
        raise Malformed(f"it has keys a proxy response cannot have: {', '.join(unknown)}.")
    status = _status(answer["statusCode"]) if "statusCode" in answer else 200
    headers: list[tuple[str, str]] = []
    multi = answer.get("multiValueHeaders") or {}
    if not isinstance(multi, dict) or not all(isinstance(values, list) for values in multi.values()):
        raise Malformed("multiValueHeaders must map each header name to a list of values.")
    for name, values in multi.items():
        headers += [(name, _scalar(value, f"the {name} header")) for value in values]
    single = answer.get("headers") or {}
    if not isinstance(single, dict):
        raise Malformed("headers must be an object of names and values.")
    for name, value in single.items():
        text = _scalar(value, f"the {name} header")
        if (name, text) not in headers:  # a pair in both maps appears once, from multiValueHeaders
            headers.append((name, text))
    return status, headers, _body(answer.get("body"), answer.get("isBase64Encoded") is True)


# -- HTTP API and function URLs, payload 2.0 -------------------------------------------------------


def _v2(front_door: str, result, duration_s: float | None) -> ClientResponse:
    url = front_door == FUNCTION_URL
    error_body = b"Internal Server Error" if url else _json({"message": "Internal Server Error"})
    error_status = 502 if url else 500
    name = "The function URL" if url else "The HTTP API"
    if result.status == "timeout" or (not url and (duration_s or 0) > HTTP_API_TIMEOUT_S):
        body = b"Internal Server Error" if url else _json({"message": "Service Unavailable"})
        status = 502 if url else 503
        return ClientResponse(
            status,
            _content_type(front_door, body),
            body,
            "timeout",
            f"The function timed out, so there is no response: {name.lower()} answers {status}."
            + ("" if url else f" An HTTP API waits at most {HTTP_API_TIMEOUT_S:g} s for Lambda."),
        )
    if result.status in ("rejected", "throttled"):
        return _not_invoked(front_door, result)
    if result.status != "success":
        return ClientResponse(
            error_status,
            _content_type(front_door, error_body),
            error_body,
            "function_error",
            f"The function failed (an unhandled error). {name} answers {error_status} with a "
            "generic body; the client never sees your error message.",
        )
    answer = json.loads(result.payload_json)
    if not (isinstance(answer, dict) and "statusCode" in answer):
        return _inferred(front_door, answer, result.payload_json)
    try:
        status = _status(answer["statusCode"])
        headers = [
            (key, _scalar(value, f"the {key} header")) for key, value in (answer.get("headers") or {}).items()
        ]
        cookies = answer.get("cookies") or []
        if not isinstance(cookies, list) or not all(isinstance(cookie, str) for cookie in cookies):
            raise Malformed("cookies must be a list of strings.")
        headers += [("set-cookie", cookie) for cookie in cookies]
        body = _body(answer.get("body"), answer.get("isBase64Encoded") is True)
    except Malformed as problem:
        return ClientResponse(
            error_status,
            _content_type(front_door, error_body),
            error_body,
            "malformed",
            f"{name} could not read the handler's answer: {problem}",
        )
    notes = ()
    ignored = sorted(set(answer) - {"statusCode", "headers", "cookies", "body", "isBase64Encoded"})
    if ignored:
        notes = (f"Keys payload 2.0 does not know were ignored: {', '.join(ignored)}.",)
    return ClientResponse(
        status,
        tuple(headers),
        body,
        "ok",
        f"{name} turned the handler's response into this HTTP response.",
        notes=notes,
    )


def _inferred(front_door: str, answer, payload_json: str) -> ClientResponse:
    """No statusCode: payload 2.0 assumes 200, application/json and the answer as the body."""
    # The HTTP API sends a returned string as it is; a function URL sends the JSON text, quotes
    # and all (urls-invocation.html shows "Hello, world!" arriving with its quotes).
    bare_string = isinstance(answer, str) and front_door == HTTP_API
    body = answer.encode() if bare_string else payload_json.encode()
    return ClientResponse(
        200,
        (("content-type", "application/json"),),
        body,
        "ok",
        "The handler returned no statusCode, so payload format 2.0 inferred the response: "
        "status 200, content-type application/json, and the returned value as the body. "
        "A REST API (payload 1.0) never infers: the same return there is a 502.",
    )
