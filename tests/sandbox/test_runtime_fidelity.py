"""The bytes Lambda's Python 3.11 runtime produces, pinned against the runtime interface client's
source (awslambdaric: lambda_runtime_marshaller.py, bootstrap.py, lambda_literals.py):
marshalled results, stack traces, the init warning, malformed handlers and the library set."""

import json
import pkgutil
import re

import pytest

from studyapp.sandbox.runtime import FunctionConfig
from studyapp.sandbox.runtime.bootstrap import UNHANDLED_EXCEPTION_WARNING
from studyapp.sandbox.runtime.config import ConfigError
from studyapp.sandbox.runtime.libraries import RUNTIME_MODULES
from tests.sandbox.conftest import function

MARSHALLED = """
import collections
from decimal import Decimal

Point = collections.namedtuple("Point", "x y")

def handler(event, context):
    return {
        "price": Decimal("19.90"), "big": Decimal("1E+3"), "odd": Decimal("NaN"),
        "text": "h\\u00e9llo", "emoji": "\\U0001F600", "cjk": "\\u65e5\\u672c",
        "nan": float("nan"), "inf": float("inf"), "pair": (1, 2), "point": Point(1, 2),
        7: "int key", None: "none key", "raw": b"bytes",
    }
"""


def test_results_are_marshalled_as_the_runtime_does(engine):
    result = engine.invoke(function(MARSHALLED), {})
    assert result.status == "success", result.payload
    # simplejson as the runtime client uses it on python3.11: a Decimal keeps its digits, a NaN
    # Decimal is NaN, non-ASCII is escaped, a named tuple is an object, bytes are UTF-8 text.
    assert result.payload_json == (
        '{"price": 19.90, "big": 1E+3, "odd": NaN, "text": "h\\u00e9llo", "emoji": "\\ud83d\\ude00", '
        '"cjk": "\\u65e5\\u672c", "nan": NaN, "inf": Infinity, "pair": [1, 2], "point": {"x": 1, "y": 2}, '
        '"7": "int key", "null": "none key", "raw": "bytes"}'
    )


def test_unmarshallable_results_fail_with_the_runtimes_message(engine):
    for value, kind in (
        ("{1, 2}", "set"),
        ("__import__('datetime').date(2026, 1, 1)", "date"),
        ("object()", "object"),
    ):
        result = engine.invoke(function(f"def handler(event, context):\n    return {value}\n"), {})
        assert result.payload == {
            "errorMessage": f"Unable to marshal response: Object of type {kind} is not JSON serializable",
            "errorType": "Runtime.MarshalError",
            "requestId": result.request_id,
            "stackTrace": [],
        }


def test_stack_traces_have_no_caret_lines(engine):
    code = """
def handler(event, context):
    return lookup(event)

def lookup(event):
    return event["missing"] + 1
"""
    result = engine.invoke(function(code), {})
    assert result.payload["stackTrace"] == [
        '  File "/var/task/app.py", line 3, in handler\n    return lookup(event)\n',
        '  File "/var/task/app.py", line 6, in lookup\n    return event["missing"] + 1\n',
    ]
    assert "^" not in result.log and "~" not in result.log
    block = result.log[result.log.index("[ERROR] KeyError") :].split("\n")[0]
    assert block == (
        "[ERROR] KeyError: 'missing'\rTraceback (most recent call last):\r"
        '\u00a0\u00a0File "/var/task/app.py", line 3, in handler\r'
        "\u00a0\u00a0\u00a0\u00a0return lookup(event)\r"
        '\u00a0\u00a0File "/var/task/app.py", line 6, in lookup\r'
        '\u00a0\u00a0\u00a0\u00a0return event["missing"] + 1'
    )


def test_an_init_error_is_preceded_by_the_runtimes_warning(engine):
    for code in ("import not_there\n", "raise ValueError('at import')\n", "def handler(e, c)\n"):
        result = engine.invoke(function(code), {})
        warning = next(i for i, line in enumerate(result.log_lines) if "LAMBDA_WARNING" in line)
        assert re.fullmatch(
            r"\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t\t"
            + re.escape(UNHANDLED_EXCEPTION_WARNING),
            result.log_lines[warning],
        ), result.log_lines[warning]
        assert result.log_lines[warning + 1].startswith("[ERROR] ")
    assert UNHANDLED_EXCEPTION_WARNING.startswith("LAMBDA_WARNING: Unhandled exception. The most likely")
    handled_later = engine.invoke(
        function("def handler(e, c):\n    raise ValueError('in the handler')\n"), {}
    )
    assert "LAMBDA_WARNING" not in handled_later.log  # the runtime warns about init errors only


def test_a_malformed_handler_is_the_runtimes_error(engine):
    result = engine.invoke(
        FunctionConfig(files={"app.py": "def handler(e, c):\n    pass\n"}, handler="app"), {}
    )
    assert result.payload["errorType"] == "Runtime.MalformedHandlerName"
    assert (
        result.payload["errorMessage"] == "Bad handler 'app': not enough values to unpack (expected 2, got 1)"
    )
    assert "Phase: init\tStatus: error\tError Type: Runtime.MalformedHandlerName" in result.log


LIST_MODULES = """
import pkgutil
import sys

def handler(event, context):
    paths = [path for path in sys.path if path != "/var/task"]
    return {"path": sys.path, "modules": sorted({m.name for m in pkgutil.iter_modules(paths)})}
"""


def test_the_handler_imports_only_the_standard_library_and_the_runtimes_set(engine):
    result = engine.invoke(function(LIST_MODULES), {})
    assert result.status == "success", result.payload
    found = set(result.payload["modules"])
    # The interpreter's own folders, read on the host (the sandbox shows them at the same path):
    # its standard library, with the build's test modules and the distribution's hooks.
    interpreter = [path for path in result.payload["path"] if not path.startswith("/var/")]
    assert interpreter
    standard = {module.name for module in pkgutil.iter_modules(interpreter)}
    assert found - standard == RUNTIME_MODULES
    assert not [path for path in result.payload["path"] if "emulator" in path or "runtime" in path]


def test_import_requests_fails_as_on_lambda(engine):
    for name in ("requests", "yaml", "werkzeug", "moto", "cryptography", "docker"):
        result = engine.invoke(function(f"import {name}\ndef handler(e, c):\n    return 1\n"), {})
        assert result.payload["errorType"] == "Runtime.ImportModuleError"
        assert result.payload["errorMessage"] == f"Unable to import module 'app': No module named '{name}'"
    boto = engine.invoke(
        function("import boto3, simplejson\ndef handler(e, c):\n    return boto3.__version__\n"), {}
    )
    assert boto.status == "success" and json.loads(boto.payload_json).count(".") == 2


LOGGING = """
import logging, os
logger = logging.getLogger()

def handler(event, context):
    logger.debug("debug detail")
    logger.info("order placed", extra={"orderId": 7})
    logger.warning("stock low")
    print("plain print")
    try:
        1 / 0
    except ZeroDivisionError:
        logger.exception("division failed")
    if event.get("fail"):
        raise ValueError("boom")
    return [os.environ.get("AWS_LAMBDA_LOG_FORMAT"), os.environ.get("AWS_LAMBDA_LOG_LEVEL")]
"""
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"


def records(result) -> list:
    """Each log line: the parsed JSON object, or the text of a plain line."""
    parsed = []
    for line in result.log.rstrip("\n").split("\n"):
        parsed.append(json.loads(line) if line.startswith("{") else line)
    return parsed


def test_the_json_log_format_writes_records_as_the_runtime_and_lambda_do(engine):
    config = function(LOGGING, log_format="JSON")
    cold = engine.invoke(config, {"fail": True})
    lines = records(cold)
    init_start, start, *application, report = lines
    assert init_start["type"] == "platform.initStart" and re.fullmatch(
        STAMP + r"\.\d{3}Z", init_start["time"]
    )
    assert list(init_start["record"]) == [
        "initializationType",
        "phase",
        "runtimeVersion",
        "runtimeVersionArn",
        "functionName",
        "functionVersion",
    ]
    assert start == {
        "time": start["time"],
        "type": "platform.start",
        "record": {
            "requestId": cold.request_id,
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:sandbox-function",
            "version": "$LATEST",
        },
    }
    info, warning, printed, logged_error, unhandled = application  # DEBUG is below INFO: dropped
    assert info == {
        "timestamp": info["timestamp"],
        "level": "INFO",
        "message": "order placed",
        "logger": "root",
        "requestId": cold.request_id,
        "orderId": 7,
    }
    assert re.fullmatch(STAMP + r"\.\d{3}Z", info["timestamp"])
    assert warning["level"] == "WARNING" and warning["message"] == "stock low"
    assert printed == "plain print"  # print() stays plain text
    assert list(logged_error) == [
        "timestamp",
        "level",
        "message",
        "logger",
        "stackTrace",
        "errorType",
        "errorMessage",
        "requestId",
        "location",
    ]
    assert (
        logged_error["errorType"] == "ZeroDivisionError"
        and logged_error["location"] == "/var/task/app.py:handler:13"
    )
    # The runtime's record of an unhandled error: seconds only, then the error's own fields.
    assert list(unhandled) == ["timestamp", "level", "errorMessage", "errorType", "requestId", "stackTrace"]
    assert re.fullmatch(STAMP, unhandled["timestamp"]) and unhandled["errorMessage"] == "boom"
    assert report["type"] == "platform.report" and report["record"]["requestId"] == cold.request_id
    assert list(report["record"]["metrics"]) == [
        "durationMs",
        "billedDurationMs",
        "memorySizeMB",
        "maxMemoryUsedMB",
        "initDurationMs",
    ]
    assert not [
        line for line in lines if isinstance(line, str) and line.startswith(("END", "REPORT", "START"))
    ]
    warm = engine.invoke(config, {})
    assert warm.payload == ["JSON", "INFO"]
    warm_report = records(warm)[-1]["record"]
    assert "initDurationMs" not in warm_report["metrics"] and warm_report["status"] == "success"
    assert records(warm)[0]["type"] == "platform.start"


def test_log_levels_filter_the_function_and_the_platform(engine):
    quiet = records(engine.invoke(function(LOGGING, log_format="JSON", application_log_level="WARN"), {}))
    messages = [line.get("message") if isinstance(line, dict) else line for line in quiet]
    assert "stock low" in messages and "division failed" in messages
    # Below WARN: the INFO record, and the print() line, which Lambda files as INFO.
    assert "order placed" not in messages and "plain print" not in messages
    chatty = records(engine.invoke(function(LOGGING, log_format="JSON", application_log_level="TRACE"), {}))
    assert any(isinstance(line, dict) and line.get("message") == "debug detail" for line in chatty)
    silent = engine.invoke(function(LOGGING, log_format="JSON", system_log_level="WARN"), {})
    assert not [line for line in records(silent) if isinstance(line, dict) and "type" in line]
    assert silent.report is not None  # the numbers are still measured: only the records are not shown


def test_log_levels_are_refused_with_the_text_format():
    config = function(LOGGING, log_format="Text", application_log_level="DEBUG")
    with pytest.raises(ConfigError) as refused:
        config.validate()
    assert refused.value.field == "application_log_level"
    assert str(refused.value).startswith('LogLevel is not supported when LogFormat is set to "Text".')
    text = function(LOGGING)
    text.validate()
    assert text.effective_application_log_level == ""
