"""What the runtime inside an environment may say to the host, checked strictly.

Everything that comes back from a sandbox is untrusted: the learner's code runs in the same
process as the runtime and can write lines of its own. A message of the wrong shape, or one the
host is not waiting for (a result during init, a second answer, a stale request id), is a
violation: the host kills that environment and reports a crash, never acts on it.
"""

from __future__ import annotations

# The runtime's supervisor refuses a request when its worker wrote before being asked: the
# request ran nowhere, so the engine may run it in a clean environment.
TAINTED = "tainted"


class ProtocolViolation(Exception):
    """The environment said something the runtime never says at that point."""


REPLY_TO = {"init": "init_done", "invoke": "result", "seed": "seeded"}
# Keys each message may carry, beside `op`, `ok` and `max_rss_kb`.
KEYS = {
    "ready": {"aws_pid"},
    "init_done": {"error"},
    "result": {"request_id", "payload", "error", "aws_calls"},
    "seeded": {"error", "created"},
    TAINTED: set(),
}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _error_problem(error) -> str | None:
    if not isinstance(error, dict):
        return "an error must be an object"
    for key in ("errorMessage", "errorType"):
        if key in error and not isinstance(error[key], str):
            return f"{key} must be a string"
    if "stackTrace" in error and not (
        isinstance(error["stackTrace"], list) and all(isinstance(line, str) for line in error["stackTrace"])
    ):
        return "stackTrace must be a list of strings"
    return None


def problem(message: object, sent: dict | None) -> str | None:
    """Why `message` is not an acceptable answer to `sent` (None: it is). `sent` is None while
    the host waits for a new environment's "ready"."""
    if not isinstance(message, dict):
        return "not a JSON object"
    op = message.get("op")
    expected = "ready" if sent is None else REPLY_TO.get(sent.get("op"))
    if op == TAINTED and sent is not None and sent.get("op") in ("invoke", "seed"):
        return None if set(message) <= {"op", "max_rss_kb"} else "unknown keys in 'tainted'"
    if op != expected:
        return f"op {op!r} where {expected!r} was due"
    if set(message) - {"op", "ok", "max_rss_kb"} - KEYS[op]:
        return f"unknown keys in {op!r}"
    if "max_rss_kb" in message and not (_is_int(message["max_rss_kb"]) and message["max_rss_kb"] >= 0):
        return "max_rss_kb must be a whole number"
    if op == "ready":
        pid = message.get("aws_pid")
        return None if pid is None or (_is_int(pid) and pid > 0) else "aws_pid must be a process id"
    if not isinstance(message.get("ok"), bool):
        return "ok must be true or false"
    if "error" in message:
        if op == "seeded":
            found = None if isinstance(message["error"], str) else "a seeding error must be a string"
        else:
            found = _error_problem(message["error"])
        if found:
            return found
    if op == "result":
        if message.get("request_id") != sent.get("request_id"):
            return "a result for another request"
        if message["ok"] and not isinstance(message.get("payload"), str):
            return "the payload must be a string"
        calls = message.get("aws_calls", [])
        if not (isinstance(calls, list) and all(isinstance(call, dict) for call in calls)):
            return "aws_calls must be a list of objects"
    if op == "seeded":
        created = message.get("created", [])
        if not (isinstance(created, list) and all(isinstance(item, str) for item in created)):
            return "created must be a list of strings"
    return None
