"""Where a sandbox form's starting values (its `initial`) come from: a starter template, a past
run, a shared permalink or a code block on a topic page."""

from __future__ import annotations

import re

from studyapp.content.library import library
from studyapp.content.topics import catalog
from studyapp.sandbox.run_settings import RUN_FIELDS

DEFAULT_CODE = """import json


def lambda_handler(event, context):
    print("Received event:", json.dumps(event))
    return {"statusCode": 200, "body": json.dumps({"message": "Hello from the sandbox"})}
"""
HANDLER_DEF = re.compile(r"^def (\w+)\(\s*event\s*,\s*context\s*\)", re.MULTILINE)


def default_values() -> dict:
    """The starting code; the other settings start at the form fields' own initial values."""
    return {"files": [("lambda_function.py", DEFAULT_CODE)]}


def with_event(values: dict, slug: str) -> dict:
    event = library().events.get(slug)
    if event:
        values.update(event_slug=slug, event_json=event.json_text)
    return values


def from_template(module: str) -> dict | None:
    starter = library().handlers.get(module)
    if starter is None:
        return None
    values = default_values() | {
        "files": [(starter.file_name, starter.source)],
        "handler": starter.handler,
        "memory_mb": starter.memory_mb,
        "timeout_s": int(starter.timeout_s),
        "seed_resources": starter.seed,
        "template": module,
    }
    if starter.caller == "sqs":
        values |= queue_values(library().messages[starter.messages].bodies, starter.mapping)
    elif starter.caller == "s3":
        values |= bucket_values(starter.trigger, starter.key)
    elif starter.caller:
        request = library().requests[starter.request]
        values |= {
            "caller": starter.caller,
            "http_method": request.method,
            "http_target": request.target,
            "http_headers": request.headers,
            "http_body": request.body,
        }
    return with_event(values, starter.event)


def from_saved(saved) -> dict:
    """A SandboxRun or SharedRun."""
    values = {name: getattr(saved, name) for name in RUN_FIELDS if name != "caller"}
    # The form lists files and variables as (name, value) rows.
    values |= {"files": list(saved.files.items()), "environment": list(saved.environment.items())}
    return default_values() | values | caller_values(saved.caller)


def from_topic_block(slug: str, index: int) -> dict | None:
    topic = catalog().topics.get(slug)
    if topic is None or not 0 <= index < len(topic.rendered.code_blocks):
        return None
    block = topic.rendered.code_blocks[index]
    match = HANDLER_DEF.search(block.code)
    if block.language not in ("python", "py", "python3") or match is None:
        return None
    values = default_values() | {
        "files": [("lambda_function.py", block.code)],
        "handler": f"lambda_function.{match.group(1)}",
        "from_topic": topic,
    }
    event_slug = block.attributes.get("data-event") or topic.sandbox_event
    if event_slug:
        with_event(values, event_slug)
    return values


def caller_values(caller: dict) -> dict:
    """The form's caller fields from a saved caller ({} when invoked directly)."""
    if not caller.get("kind"):
        return {}
    if caller["kind"] == "sqs":
        return queue_values(caller["messages"], caller["mapping"])
    if caller["kind"] == "s3":
        return bucket_values(caller["trigger"], caller["key"])
    request = caller["request"]
    target = request["path"] + (f"?{request['query']}" if request["query"] else "")
    return {
        "caller": caller["kind"],
        "http_method": request["method"],
        "http_target": target,
        "http_headers": "\n".join(f"{name}: {value}" for name, value in request["headers"]),
        "http_body": request["body"],
        "http_body_base64": request["body_is_base64"],
    }


def queue_values(bodies, mapping: dict) -> dict:
    return {
        "caller": "sqs",
        "sqs_messages": "\n".join(bodies),
        "sqs_batch_size": mapping.get("batch_size", 10),
        "sqs_window_s": mapping.get("window_s", 0),
        "sqs_report_failures": mapping.get("report_failures", False),
        "sqs_visibility_s": mapping.get("visibility_timeout_s", 30),
        "sqs_max_receive": mapping.get("max_receive_count", 0),
    }


def bucket_values(trigger: dict, key: str) -> dict:
    return {
        "caller": "s3",
        "s3_bucket": trigger.get("bucket", ""),
        "s3_event_type": trigger.get("event_type", "s3:ObjectCreated:*"),
        "s3_prefix": trigger.get("prefix", ""),
        "s3_suffix": trigger.get("suffix", ""),
        "s3_recursive_loop": trigger.get("recursive_loop", "Terminate"),
        "s3_key": key,
    }
