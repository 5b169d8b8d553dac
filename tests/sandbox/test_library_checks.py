"""check_content reports broken sample events and handlers with their file."""

from studyapp.sandbox.checks import check_sandbox_library, check_topic_sandbox_events
from tests.support.checks import reported


def run_check() -> str:
    output = reported(check_sandbox_library, check_topic_sandbox_events)
    assert output, "the library checks passed"
    return output


def test_invalid_event_json_is_reported(content_dir):
    (content_dir / "events" / "s3-put.json").write_text('{"Records": [')
    output = run_check()
    assert "s3-put.json" in output and "invalid JSON" in output


def test_unlisted_event_file_is_reported(content_dir):
    (content_dir / "events" / "stray.json").write_text("{}")
    assert "stray.json: event file is not listed in events.yaml" in run_check()


def test_handler_that_does_not_compile_is_reported(content_dir):
    (content_dir / "handlers" / "api_json.py").write_text("def lambda_handler(event, context)\n")
    assert "api_json.py:1: does not compile" in run_check()


def test_handler_naming_a_missing_function_is_reported(content_dir):
    path = content_dir / "handlers" / "handlers.yaml"
    path.write_text(path.read_text().replace("handler: api_json.lambda_handler", "handler: api_json.nope"))
    assert "handler 'api_json.nope' is not a function defined in api_json.py" in run_check()


def test_handler_with_unknown_event_is_reported(content_dir):
    path = content_dir / "handlers" / "handlers.yaml"
    path.write_text(path.read_text().replace("event: apigateway-rest-proxy", "event: no-such-event", 1))
    assert "unknown event 'no-such-event'" in run_check()
