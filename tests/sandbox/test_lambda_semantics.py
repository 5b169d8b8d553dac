"""The engine answers like Lambda's Python runtime: payloads, errors, logs, context, phases."""

import json
import re
import subprocess
import sys
import time

import pytest
from django.conf import settings

from studyapp.sandbox.runtime import FunctionConfig
from tests.sandbox.conftest import function

HELLO = """
def handler(event, context):
    return {"echo": event, "ok": True}
"""


def test_importing_the_engine_imports_no_django():
    code = (
        "import sys, studyapp.sandbox.runtime as r; r.FunctionConfig; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_success_returns_the_handler_result_as_json(engine):
    result = engine.invoke(function(HELLO), {"n": 1, "text": "héllo"})
    assert result.status == "success" and result.status_code == 200
    assert result.payload == {"echo": {"n": 1, "text": "héllo"}, "ok": True}
    assert "h\\u00e9llo" in result.payload_json  # python3.11 escapes non-ASCII (3.12+ keep it)
    assert result.function_error is None


def test_log_has_start_end_and_tab_separated_report(engine):
    result = engine.invoke(function(HELLO + "\n# report"), {})
    lines = result.log_lines
    rid = result.request_id
    assert lines[0].startswith("INIT_START Runtime Version: python:3.")
    assert "\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:" in lines[0]
    assert f"START RequestId: {rid} Version: $LATEST" in lines
    assert lines[-2] == f"END RequestId: {rid}"
    report = lines[-1]
    assert re.fullmatch(
        rf"REPORT RequestId: {rid}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB"
        r"\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t",
        report,
    ), report


def test_warm_invoke_has_no_init_and_keeps_globals(engine):
    config = function("""
        import time
        count = 0
        started = time.time()
        def handler(event, context):
            global count
            count += 1
            return {"count": count, "started": started}
    """)
    first, second = engine.invoke(config, {}), engine.invoke(config, {})
    assert first.cold_start and not second.cold_start
    assert second.payload["count"] == 2
    assert second.payload["started"] == first.payload["started"]
    assert "INIT_START" not in second.log and "Init Duration" not in second.log
    assert second.report.init_duration_ms is None


def test_tmp_persists_while_warm(engine):
    config = function("""
        import os
        def handler(event, context):
            existed = os.path.exists("/tmp/cache.txt")
            open("/tmp/cache.txt", "a").write("x")
            return {"existed": existed, "size": os.path.getsize("/tmp/cache.txt")}
    """)
    assert engine.invoke(config, {}).payload == {"existed": False, "size": 1}
    assert engine.invoke(config, {}).payload == {"existed": True, "size": 2}


def test_changed_code_or_settings_is_a_cold_start(engine):
    config = function(HELLO + "\n# v1")
    engine.invoke(config, {})
    assert engine.invoke(config, {}).cold_start is False
    assert engine.invoke(function(HELLO + "\n# v2"), {}).cold_start is True
    more_memory = FunctionConfig(files=config.files, handler=config.handler, memory_mb=256)
    assert engine.invoke(more_memory, {}).cold_start is True


def test_reset_forces_a_cold_start(engine):
    config = function(HELLO + "\n# reset")
    engine.invoke(config, {})
    assert engine.reset(config) == 1
    assert engine.invoke(config, {}).cold_start is True


def test_billed_duration_rounds_up_and_includes_init_on_cold_start(engine):
    config = function(HELLO + "\n# billing")
    cold, warm = engine.invoke(config, {}), engine.invoke(config, {})
    assert cold.report.billed_duration_ms == pytest.approx(
        int(-(-(cold.report.duration_ms + cold.report.init_duration_ms) // 1)), abs=0
    )
    assert warm.report.billed_duration_ms == max(1, -(-int(warm.report.duration_ms * 1000) // 1000))
    assert warm.report.billed_duration_ms >= warm.report.duration_ms


def test_handler_exception_payload_keys_in_lambda_order(engine):
    result = engine.invoke(
        function("""
        def handler(event, context):
            raise KeyError("missing")
    """),
        {},
    )
    assert result.status == "error" and result.function_error == "Unhandled"
    assert list(json.loads(result.payload_json)) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert result.payload["errorType"] == "KeyError"
    assert result.payload["errorMessage"] == "'missing'"
    assert result.payload["requestId"] == result.request_id
    assert result.payload["stackTrace"][0].startswith('  File "/var/task/app.py", line 3, in handler')
    assert "[ERROR] KeyError: 'missing'\rTraceback (most recent call last):" in result.log


@pytest.mark.parametrize(
    ("code", "handler", "error_type", "message"),
    [
        (
            "import not_installed_pkg\n",
            "app.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'app': No module named 'not_installed_pkg'",
        ),
        (
            "x = 1\n",
            "missing.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'missing': No module named 'missing'",
        ),
        (
            "def other(e, c):\n    pass\n",
            "app.handler",
            "Runtime.HandlerNotFound",
            "Handler 'handler' missing on module 'app'",
        ),
        (
            "def handler(e, c)\n    pass\n",
            "app.handler",
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module 'app': expected ':' (app.py, line 1)",
        ),
        (
            "import datetime\ndef handler(e, c):\n    return datetime.datetime(2026, 1, 1)\n",
            "app.handler",
            "Runtime.MarshalError",
            "Unable to marshal response: Object of type datetime is not JSON serializable",
        ),
    ],
)
def test_runtime_errors_have_lambdas_types_and_messages(engine, code, handler, error_type, message):
    result = engine.invoke(FunctionConfig(files={"app.py": code}, handler=handler), {})
    assert result.status == "error"
    assert result.payload["errorType"] == error_type
    assert result.payload["errorMessage"] == message
    assert f"[ERROR] {error_type}: {message}" in result.log
    # Init-phase failures show in REPORT; an error returned by the handler phase does not.
    assert result.report.status == ("success" if error_type == "Runtime.MarshalError" else "error")


def test_init_error_reports_init_phase_and_next_invoke_is_cold_again(engine):
    config = function("raise RuntimeError('bad init')\n")
    first = engine.invoke(config, {})
    assert first.payload["errorType"] == "RuntimeError"
    assert "INIT_REPORT Init Duration:" in first.log and "Phase: init\tStatus: error" in first.log
    assert "Status: error\tError Type: RuntimeError" in first.log_lines[-1]
    assert engine.invoke(config, {}).cold_start is True


def test_timeout_message_log_and_cold_next_time(engine):
    config = function(
        """
        import time
        def handler(event, context):
            print("working")
            time.sleep(30)
    """,
        timeout_s=1,
    )
    started = time.monotonic()
    result = engine.invoke(config, {})
    assert time.monotonic() - started < 3
    assert result.status == "timeout"
    assert result.payload == {
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after 1.00 seconds",
        "errorType": "Sandbox.Timedout",
    }
    assert re.search(rf"Z {result.request_id} Task timed out after 1\.00 seconds", result.log)
    assert "working" in result.log
    assert result.log_lines[-1].endswith("Status: timeout\t")
    assert result.report.duration_ms == 1000.0
    assert engine.invoke(config, {}).cold_start is True


def test_out_of_memory_kills_the_environment_uncatchably(engine):
    config = function(
        """
        def handler(event, context):
            hoard = []
            while True:
                try:
                    hoard.append(bytearray(8 * 1024 * 1024))
                    hoard[-1][::4096] = b"x" * len(hoard[-1][::4096])
                except MemoryError:
                    return "survived"
    """,
        memory_mb=128,
    )
    result = engine.invoke(config, {})
    assert result.status == "error"
    assert result.payload["errorType"] == "Runtime.OutOfMemory"
    assert result.payload["errorMessage"].endswith("Error: Runtime exited with error: signal: killed")
    assert "Status: error\tError Type: Runtime.OutOfMemory" in result.log_lines[-1]
    assert result.report.max_memory_used_mb == 128
    assert engine.invoke(config, {}).cold_start is True


def test_context_object_has_every_attribute(engine):
    result = engine.invoke(
        function(
            """
        import time
        def handler(event, context):
            first = context.get_remaining_time_in_millis()
            time.sleep(0.2)
            return {
                "function_name": context.function_name,
                "function_version": context.function_version,
                "invoked_function_arn": context.invoked_function_arn,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "aws_request_id": context.aws_request_id,
                "log_group_name": context.log_group_name,
                "log_stream_name": context.log_stream_name,
                "identity": context.identity.cognito_identity_id,
                "client_app": context.client_context.client.app_title,
                "custom": context.client_context.custom,
                "first": first, "second": context.get_remaining_time_in_millis(),
            }
    """,
            function_name="orders-api",
            memory_mb=256,
            timeout_s=2,
        ),
        {},
        client_context={"client": {"app_title": "shop"}, "custom": {"k": "v"}, "env": {}},
        identity={"cognitoIdentityId": "eu-west-1:abc", "cognitoIdentityPoolId": "pool"},
    )
    context = result.payload
    assert context["function_name"] == "orders-api"
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:orders-api"
    assert context["memory_limit_in_mb"] == "256"  # a string, as in the real runtime
    assert context["aws_request_id"] == result.request_id
    assert context["log_group_name"] == "/aws/lambda/orders-api"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", context["log_stream_name"])
    assert context["identity"] == "eu-west-1:abc"
    assert context["client_app"] == "shop" and context["custom"] == {"k": "v"}
    assert 1700 <= context["first"] <= 2000
    assert 150 <= context["first"] - context["second"] <= 400  # it really counts down


def test_lambda_environment_variables_and_user_variables(engine):
    result = engine.invoke(
        function(
            """
        import os, time
        def handler(event, context):
            return {k: os.environ.get(k) for k in event["keys"]} | {"tzname": time.tzname[0]}
    """,
            function_name="env-test",
            memory_mb=512,
            environment={"STAGE": "dev", "TZ": "Europe/Paris"},
        ),
        {
            "keys": [
                "AWS_LAMBDA_FUNCTION_NAME",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                "AWS_REGION",
                "_HANDLER",
                "LAMBDA_TASK_ROOT",
                "AWS_EXECUTION_ENV",
                "AWS_LAMBDA_FUNCTION_VERSION",
                "AWS_LAMBDA_LOG_GROUP_NAME",
                "STAGE",
                "TZ",
                "_X_AMZN_TRACE_ID",
            ]
        },
    )
    values = result.payload
    assert values["AWS_LAMBDA_FUNCTION_NAME"] == "env-test"
    assert values["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert values["AWS_REGION"] == "us-east-1"
    assert values["_HANDLER"] == "app.handler"
    assert values["LAMBDA_TASK_ROOT"] == "/var/task"
    assert values["AWS_EXECUTION_ENV"].startswith("AWS_Lambda_python3.")
    assert values["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert values["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/env-test"
    assert values["STAGE"] == "dev"
    assert values["TZ"] == "Europe/Paris" and values["tzname"] == "CET"  # TZ may be overridden
    assert values["_X_AMZN_TRACE_ID"].startswith("Root=1-")


def test_default_timezone_is_utc(engine):
    result = engine.invoke(function("import time\ndef handler(e, c):\n    return time.tzname[0]\n"), {})
    assert result.payload == "UTC"


def test_logging_uses_lambda_format_and_default_level_warning(engine):
    result = engine.invoke(
        function("""
        import logging
        def handler(event, context):
            logging.getLogger().info("not shown by default")
            logging.getLogger().warning("careful %s", 42)
            print("plain print")
            return 1
    """),
        {},
    )
    assert "not shown by default" not in result.log
    assert re.search(
        rf"^\[WARNING\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{result.request_id}\tcareful 42$",
        result.log,
        re.MULTILINE,
    )
    assert "\nplain print\n" in result.log


def test_log_level_can_be_raised_to_info(engine):
    result = engine.invoke(
        function("""
        import logging
        logger = logging.getLogger()
        logger.setLevel(logging.INFO)
        def handler(event, context):
            logger.info("now visible")
    """),
        {},
    )
    assert "[INFO]\t" in result.log and "now visible" in result.log
    assert result.payload is None


@pytest.mark.parametrize(
    ("settings_kwargs", "field", "message"),
    [
        ({"handler": "app.my handler"}, "handler", "cannot be empty or contain spaces"),
        ({"handler": "a." + "h" * 127}, "handler", "at most 128 characters"),
        ({"memory_mb": 64}, "memory_mb", "128-10,240 MB"),
        ({"memory_mb": 20_000}, "memory_mb", "128-10,240 MB"),
        ({"memory_mb": 4096}, "memory_mb", "This sandbox allows up to"),
        ({"timeout_s": 0}, "timeout_s", "1-900 seconds"),
        ({"timeout_s": 60}, "timeout_s", "This sandbox allows timeouts up to"),
        ({"environment": {"AWS_REGION": "x"}}, "environment", "reserved by Lambda"),
        ({"environment": {"1BAD": "x"}}, "environment", "not a valid variable name"),
        ({"environment": {"BIG": "x" * 4100}}, "environment", "4 KB"),
        ({"environment": {f"V{i}": "x" * 100 for i in range(41)}}, "environment", "for all of them together"),
    ],
)
def test_invalid_configuration_is_rejected_with_the_field(engine, settings_kwargs, field, message):
    config = FunctionConfig(**{"files": {"app.py": HELLO}, "handler": "app.handler", **settings_kwargs})
    result = engine.invoke(config, {})
    assert result.status == "rejected" and result.status_code == 400
    assert result.error_field == field
    assert message in result.payload["errorMessage"]


def test_environment_variables_just_under_4_kb_are_accepted(engine):
    variables = {f"V{i:02d}": "x" * 97 for i in range(40)}  # 40 x (3 + 97) = 4,000 bytes
    result = engine.invoke(function(HELLO, environment=variables), {})
    assert result.status == "success"


def test_empty_code_is_rejected(engine):
    result = engine.invoke(FunctionConfig(files={"app.py": "  \n"}, handler="app.handler"), {})
    assert result.status == "rejected" and result.error_field == "files"


def test_sync_payload_over_6_mb_is_refused(engine):
    result = engine.invoke(function(HELLO), {"blob": "x" * (6 * 1024 * 1024)})
    assert result.status_code == 413
    assert result.payload["errorType"] == "RequestEntityTooLargeException"
    assert "6291456 bytes" in result.payload["errorMessage"]


def test_async_payload_over_1_mb_is_refused_but_sync_accepts_it(engine):
    event = {"blob": "x" * (1024 * 1024 + 10)}
    refused = engine.invoke(function(HELLO), event, "Event")
    assert refused.status_code == 413 and "1048576 bytes" in refused.payload["errorMessage"]
    assert engine.invoke(function("def handler(e, c):\n    return len(e['blob'])\n"), event).payload == len(
        event["blob"]
    )


def test_response_over_6_mb_is_an_error(engine):
    result = engine.invoke(function("def handler(e, c):\n    return 'x' * (7 * 1024 * 1024)\n"), {})
    assert result.payload["errorType"] == "Function.ResponseSizeTooLarge"
    assert "exceeded maximum allowed payload size (6291556 bytes)" in result.payload["errorMessage"]


def test_invalid_event_json_is_rejected(engine):
    result = engine.invoke(function(HELLO), "{not json")
    assert result.status_code == 400 and result.error_field == "event"


def test_dry_run_runs_nothing(engine):
    config = function("def handler(e, c):\n    raise SystemExit('should not run')\n")
    result = engine.invoke(config, {}, "DryRun")
    assert result.status == "dry_run" and result.status_code == 204
    assert result.log == "" and result.payload is None


def test_unknown_invocation_type_is_rejected(engine):
    assert engine.invoke(function(HELLO), {}, "Later").status_code == 400


def test_files_in_packages_import(engine):
    config = FunctionConfig(
        files={
            "app.py": "from lib.helpers import shout\ndef handler(e, c):\n    return shout(e['w'])\n",
            "lib/__init__.py": "",
            "lib/helpers.py": "def shout(word):\n    return word.upper() + '!'\n",
        },
        handler="app.handler",
    )
    assert engine.invoke(config, {"w": "hi"}).payload == "HI!"
