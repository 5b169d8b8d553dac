"""The bytes Lambda's Python 3.11 runtime produces, pinned against the runtime interface client's
source (awslambdaric: lambda_runtime_marshaller.py, bootstrap.py, lambda_literals.py):
marshalled results, stack traces, the init warning, malformed handlers and the library set."""

import json
import pkgutil
import re

from studyapp.sandbox.runtime import FunctionConfig
from studyapp.sandbox.runtime.bootstrap import UNHANDLED_EXCEPTION_WARNING
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
