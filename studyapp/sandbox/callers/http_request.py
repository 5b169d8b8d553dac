"""The HTTP request a learner writes for an HTTP front door: method, target (path and query),
header lines, body (text, or base64 for binary). Parsed strictly: a clear message per field."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 token
MAX_HEADERS = 50
SOURCE_IP = "203.0.113.10"  # a documentation address: the "client" of the sandbox's front doors
USER_AGENT = "coldstart-sandbox/1.0"


class RequestError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # "/orders/7", percent-encoding as sent
    query: str  # the raw query string, without "?"
    headers: tuple[tuple[str, str], ...]  # as written: order kept, repeats allowed
    body: str = ""  # text, or base64 text when body_is_base64
    body_is_base64: bool = False

    @property
    def user_agent(self) -> str:
        return next((value for name, value in self.headers if name.lower() == "user-agent"), USER_AGENT)

    @property
    def body_bytes(self) -> bytes:
        return base64.b64decode(self.body) if self.body_is_base64 else self.body.encode()

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": [list(pair) for pair in self.headers],
            "body": self.body,
            "body_is_base64": self.body_is_base64,
        }

    @classmethod
    def from_dict(cls, data: dict) -> HttpRequest:
        return cls(
            method=data["method"],
            path=data["path"],
            query=data["query"],
            headers=tuple((name, value) for name, value in data["headers"]),
            body=data.get("body", ""),
            body_is_base64=bool(data.get("body_is_base64")),
        )


def parse_request(
    method: str, target: str, header_lines: str, body: str, body_is_base64: bool
) -> HttpRequest:
    """The request as typed in the page; RequestError names the field that is wrong."""
    method = method.strip().upper()
    if method not in METHODS:
        raise RequestError("http_method", f"The method is one of {', '.join(METHODS)}.")
    target = target.strip()
    if not target.startswith("/") or any(character.isspace() for character in target):
        raise RequestError(
            "http_target", "The path starts with / and has no spaces, e.g. /orders?status=open."
        )
    path, _, query = target.partition("?")
    headers = []
    for number, line in enumerate(header_lines.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not HEADER_NAME.match(name.strip()):
            raise RequestError("http_headers", f"Line {number} is not a header: write Name: value.")
        headers.append((name.strip(), value.strip()))
    if len(headers) > MAX_HEADERS:
        raise RequestError("http_headers", f"Up to {MAX_HEADERS} headers.")
    if body_is_base64:
        try:
            base64.b64decode(body.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise RequestError("http_body", "The body is marked as binary but is not valid base64.") from None
        body = body.strip()
    return HttpRequest(method, path, query, tuple(headers), body, body_is_base64)
