"""One request through an HTTP front door: the event it builds, the invoke, the client's view."""

from __future__ import annotations

import json
from collections.abc import Callable

from studyapp.sandbox.callers.http_events import build_event
from studyapp.sandbox.callers.http_request import HttpRequest
from studyapp.sandbox.callers.http_responses import client_response


def send(invoke: Callable, config, front_door: str, request: HttpRequest) -> tuple[object, dict]:
    """(the invoke's result, what the page shows of the caller: the event and the response)."""
    event = build_event(front_door, request, config.region)
    result = invoke(config, json.dumps(event))
    duration_s = result.report.duration_ms / 1000 if result.report else None
    response = client_response(front_door, result, duration_s)
    return result, {"front_door": front_door, "event": event, "response": response.to_dict()}
