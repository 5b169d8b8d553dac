"""The sample events are shaped like AWS's, and every starter handler works in the sandbox."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from studyapp.content.library import library
from studyapp.sandbox.callers import front_door, s3_notifications, sqs_mapping
from studyapp.sandbox.callers.http_request import parse_request
from studyapp.sandbox.runtime import FunctionConfig

SHARED_TOOL = Path(settings.BASE_DIR).parent / "shared" / "tools" / "event_paths.py"
HANDLERS = list(library.__wrapped__().handlers.values())


def test_library_has_the_required_events_and_handlers():
    events = library().events
    for slug in (
        "s3-put",
        "s3-delete",
        "sqs-receive",
        "sns-notification",
        "dynamodb-stream",
        "kinesis-stream",
        "apigateway-rest-proxy",
        "apigateway-http-v2",
        "function-url",
        "alb-target",
        "eventbridge-scheduled",
        "eventbridge-custom",
        "cloudwatch-logs-subscription",
    ):
        assert slug in events
    assert len(events) >= 14
    assert len(library().handlers) >= 10
    assert library().problems == ()


@pytest.mark.skipif(not SHARED_TOOL.exists(), reason="../shared (AWS reference events) is not present")
def test_events_match_aws_shapes():
    result = subprocess.run(
        [sys.executable, str(SHARED_TOOL), str(Path(settings.CONTENT_DIR, "events"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 failing" in result.stdout.strip().splitlines()[-1]


def test_cloudwatch_logs_event_data_really_is_base64_gzip_json():
    import base64
    import gzip
    import json

    data = library().events["cloudwatch-logs-subscription"].data["awslogs"]["data"]
    decoded = json.loads(gzip.decompress(base64.b64decode(data)))
    assert decoded["messageType"] == "DATA_MESSAGE" and decoded["logEvents"]


@pytest.mark.parametrize("starter", HANDLERS, ids=[h.module for h in HANDLERS])
def test_starter_handler_runs_against_its_event(engine, starter):
    config = FunctionConfig(
        files={starter.file_name: starter.source},
        handler=starter.handler,
        timeout_s=starter.timeout_s,
        memory_mb=starter.memory_mb,
        function_name=starter.module.replace("_", "-"),
    )
    engine.reset(config)  # a fresh environment, as the expectations assume a cold start
    result = engine.invoke(config, library().events[starter.event].json_text, seed_resources=starter.seed)
    expect = starter.expect
    assert result.status == expect.get("status", "success"), result.payload_json
    for key, value in (expect.get("payload") or {}).items():
        assert result.payload[key] == value, (key, result.payload_json)
    if expect.get("error_type"):
        assert result.error_type == expect["error_type"]
    for text in expect.get("log_contains", []):
        assert text in result.log, text
    if starter.caller == "sqs":  # and through its queue, with its sample messages
        bodies = library().messages[starter.messages].bodies
        engine.reset(config)
        played = sqs_mapping.play(engine.invoke, config, sqs_mapping.Mapping(**starter.mapping), bodies, 0)
        left = len(bodies) - len(played.deleted) - len(played.dead_lettered)
        assert {key: played.summary(left)[key] for key in expect["queue"]} == expect["queue"], played.timeline
    elif starter.caller == "s3":  # and through its bucket's notification
        engine.reset(config)
        played = s3_notifications.play(
            lambda c, e, seed: [engine.invoke(c, e, seed_resources=seed)],
            config,
            s3_notifications.Trigger(**starter.trigger),
            starter.key,
            1024,
        )
        assert {key: played.summary()[key] for key in expect["bucket"]} == expect["bucket"], played.timeline
    elif starter.caller:  # and through its front door, with its sample request
        sample = library().requests[starter.request]
        request = parse_request(sample.method, sample.target, sample.headers, sample.body, False)
        engine.reset(config)
        through, shown = front_door.send(engine.invoke, config, starter.caller, request)
        assert through.status == expect.get("status", "success"), through.payload_json
        assert shown["response"]["status"] == expect["client_status"], shown["response"]["explanation"]
