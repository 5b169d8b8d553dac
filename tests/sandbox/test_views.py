"""The sandbox page: every setting, every bad input (a message, never a 500), history,
permalinks, rate limits, and a run that does not block other requests."""

import html
import http.cookiejar
import json
import re
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from studyapp.content.library import library
from studyapp.sandbox import service
from studyapp.sandbox.models import SandboxJob, SandboxRun, SharedRun
from tests.support.sandbox_client import CODE, form

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def run(client, **overrides):
    return client.post(reverse("sandbox_run"), form(**overrides), **HTMX)


def test_page_renders_editor_events_and_templates(client):
    response = client.get(reverse("sandbox_home"))
    assert response.status_code == 200
    assert 'class="code-editor"' in response.text and 'data-mode="json"' in response.text
    for event in library().events.values():
        assert f'value="{event.slug}"' in response.text
    assert "optgroup" in response.text
    assert "Here up to 3008 MB" in response.text and "Here up to 30 s" in response.text


def test_run_returns_result_partial_with_report_and_cost(client):
    response = run(client)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'data-status="success"' in response.text
    assert "REPORT RequestId:" in response.text and "Billed duration" in response.text
    assert "per million such invokes" in response.text
    assert "Cold start" in response.text


def test_run_without_javascript_returns_the_whole_page(client):
    response = client.post(reverse("sandbox_run"), form())
    assert response.status_code == 200
    assert "<html" in response.text and 'data-status="success"' in response.text
    assert "def lambda_handler" in response.text  # the code is still in the editor


def test_second_run_is_warm(client):
    run(client, file_code=[CODE + "# warm test\n"])
    assert "Warm start" in run(client, file_code=[CODE + "# warm test\n"]).text


def test_reset_environment_makes_the_next_run_cold(client):
    code = [CODE + "# reset test\n"]
    run(client, file_code=code)
    response = client.post(reverse("sandbox_reset"), form(file_code=code), **HTMX)
    assert "next run is a cold start" in response.text
    assert "Cold start" in run(client, file_code=code).text


def test_two_learners_never_share_an_environment(client):
    """Same code, two learners: each gets its own environments (what one leaves in /tmp or in
    globals, the other never sees), and one's reset leaves the other's warm."""
    code = [
        "import os\nSEEN = []\ndef lambda_handler(event, context):\n"
        "    SEEN.append(1)\n    open('/tmp/mine', 'a').write('x')\n"
        "    return {'calls': len(SEEN), 'tmp': os.path.getsize('/tmp/mine')}\n# shared code\n"
    ]
    other = Client()
    assert "Cold start" in run(client, file_code=code).text
    assert '"calls": 2' in html.unescape(run(client, file_code=code).text)
    first_for_other = run(other, file_code=code)
    assert "Cold start" in first_for_other.text
    assert '"tmp": 1' in html.unescape(first_for_other.text)  # it found /tmp empty
    client.post(reverse("sandbox_reset"), form(file_code=code), **HTMX)
    assert "Warm start" in run(other, file_code=code).text
    assert "Cold start" in run(client, file_code=code).text


def test_helper_module_in_a_second_file(client):
    response = run(
        client,
        file_name=["lambda_function.py", "helpers.py"],
        file_code=[
            "from helpers import double\ndef lambda_handler(e, c):\n    return double(21)\n",
            "def double(n):\n    return n * 2\n",
        ],
    )
    assert "42" in response.text and 'data-status="success"' in response.text


def test_environment_variables_reach_the_handler(client):
    response = run(
        client,
        file_code=["import os\ndef lambda_handler(e, c):\n    return os.environ['STAGE']\n"],
        env_key=["STAGE"],
        env_value=["prod-eu"],
    )
    assert "prod-eu" in response.text


@pytest.mark.parametrize(("memory", "ok"), [("128", True), ("2048", True), ("4096", False), ("64", False)])
def test_memory_setting(client, memory, ok):
    response = run(client, memory_mb=memory, file_code=[CODE + f"# m{memory}\n"])
    assert (response.status_code == 200) is ok
    if ok:
        assert f"Memory Size: {memory} MB" in response.text
    else:
        assert response.status_code == 422 and "Nothing ran" in response.text


def test_timeout_setting_is_applied(client):
    code = "import time\ndef lambda_handler(e, c):\n    time.sleep(5)\n"
    started = time.monotonic()
    response = run(client, timeout_s="1", file_code=[code])
    assert time.monotonic() - started < 3
    assert "Task timed out after 1.00 seconds" in response.text


def test_event_invocation_shows_the_timeline(client):
    code = "def lambda_handler(e, c):\n    raise ValueError('no')\n"
    response = run(client, invocation_type="Event", file_code=[code])
    assert response.status_code == 200
    assert 'data-testid="timeline"' in response.text
    assert "Attempt 3" in response.text and "after waiting 120 s on Lambda" in response.text
    assert "Discarded" in response.text


def test_dry_run_runs_nothing(client):
    response = run(client, invocation_type="DryRun")
    assert "Dry run" in response.text and "HTTP 204" in response.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"file_code": ["   "]}, "the handler file is empty"),
        ({"file_code": ["x = 1\n" * 20_000]}, "the sandbox takes up to"),
        ({"handler": "lambda_function.lambda handler"}, "cannot be empty or contain spaces"),
        ({"handler": "m." + "f" * 127}, "at most 128 characters (this one has 129)"),
        (
            {"event_json": '{"a": 1,}'},
            "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 9",
        ),
        ({"event_json": json.dumps({"blob": "x" * (6 * 1024 * 1024)})}, "Lambda accepts at most 6 MB"),
        (
            {"invocation_type": "Event", "event_json": json.dumps({"blob": "x" * (1024 * 1024)})},
            "at most 1 MB",
        ),
        ({"env_key": ["AWS_REGION"], "env_value": ["eu-west-1"]}, "AWS_REGION is reserved"),
        ({"env_key": ["1bad"], "env_value": ["x"]}, "is not a valid variable name"),
        ({"env_key": ["BIG"], "env_value": ["x" * 5000]}, "Lambda allows 4 KB"),
        ({"timeout_s": "901"}, "Lambda allows 1 to 900 seconds"),
        ({"timeout_s": "60"}, "this sandbox stops at 30 seconds"),
        ({"timeout_s": "abc"}, "Enter a whole number"),
        ({"memory_mb": "20000"}, "Lambda allows 128 to 10,240 MB"),
        ({"invocation_type": "Later"}, "Select a valid choice"),
        ({"file_name": ["../evil.py"]}, "must be a plain relative path"),
        ({"file_name": ["lambda_function.py"] * 2, "file_code": [CODE] * 2}, "Two files are called"),
        (
            {"file_name": ["lambda_function.py", "lambda_function.py/inner.py"], "file_code": [CODE] * 2},
            "“lambda_function.py” is a file, so “lambda_function.py/inner.py” cannot be inside it.",
        ),
        ({"env_key": ["STAGE", "STAGE"], "env_value": ["a", "b"]}, "Two variables are called STAGE"),
        ({"env_key": [""], "env_value": ["orphan"]}, "Give this value a variable name"),
        ({"event_json": "[" * 100_000 + "]" * 100_000}, "The event nests deeper than 512 levels (100,000)"),
        (
            {"event_json": '{"a": ' * 5000 + "1" + "}" * 5000},
            "The event nests deeper than 512 levels (5,000)",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_the_code(client, overrides, message):
    response = run(client, **overrides)
    assert response.status_code == 422
    assert message in response.text
    full = client.post(reverse("sandbox_run"), form(**overrides))
    assert full.status_code == 422
    assert "Nothing ran" in full.text
    if "file_code" not in overrides:
        assert "def lambda_handler(event, context):" in full.text  # nothing typed is lost


def test_missing_csrf_is_refused_without_a_500():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("sandbox_run"), form())
    assert response.status_code == 403


def test_history_keeps_the_last_20_and_reopens_a_run(client):
    for n in range(22):
        run(client, event_json=json.dumps({"n": n}), file_code=[CODE + "# history\n"])
    runs = SandboxRun.objects.all()
    assert runs.count() == 20
    newest = runs.first()
    page = client.get(reverse("sandbox_history"))
    assert page.text.count("?run=") == 20
    reopened = client.get(reverse("sandbox_home") + f"?run={newest.pk}")
    assert "&quot;n&quot;: 21" in reopened.text or '"n": 21' in reopened.text


def test_another_learners_run_is_not_visible(client):
    run(client)
    other = Client()
    pk = SandboxRun.objects.first().pk
    assert other.get(reverse("sandbox_home") + f"?run={pk}").status_code == 404
    assert other.get(reverse("sandbox_home") + "?run=not-a-number").status_code == 404


def test_permalink_saves_code_event_and_settings(client):
    response = client.post(
        reverse("sandbox_share"), form(memory_mb="256", env_key=["MODE"], env_value=["demo"])
    )
    shared = SharedRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sandbox/s/{shared.token}/"
    page = Client().get(response["Location"])
    assert page.status_code == 200
    assert (
        'value="256"' in page.text
        and 'value="MODE"' in page.text
        and "return {&#x27;got&#x27;: event}" in page.text
    )


def test_tampered_permalink_is_a_friendly_404(client):
    response = client.get("/sandbox/s/not-a-real-token/")
    assert response.status_code == 404
    assert "does not exist" in response.text


def test_starter_template_and_unknown_template(client):
    page = client.get(reverse("sandbox_home") + "?template=sqs_batch")
    assert "sqs_batch.py" in page.text
    assert re.search(r'value="sqs-receive"[^>]* selected>', page.text)
    missing = client.get(reverse("sandbox_home") + "?template=nope")
    assert missing.status_code == 200 and "could not be found" in missing.text


def test_topic_code_block_opens_in_the_sandbox(client):
    from studyapp.content.topics import catalog

    topic, index = next(
        (t, i)
        for t in catalog().topics.values()
        for i, b in enumerate(t.rendered.code_blocks)
        if b.language == "python" and "def lambda_handler(event, context)" in b.code
    )
    page = client.get(reverse("sandbox_home") + f"?topic={topic.slug}&block={index}")
    assert page.status_code == 200 and f'href="{topic.url}"' in page.text
    assert 'value="lambda_function.lambda_handler"' in page.text
    assert client.get(reverse("sandbox_home") + f"?topic={topic.slug}&block=999").status_code == 200


def test_rate_limit_answers_429_with_retry_after(client, settings):
    settings.SANDBOX_RUNS_PER_MINUTE = 2
    from django.core.cache import cache

    cache.clear()
    assert run(client).status_code == 200
    assert run(client).status_code == 200
    response = run(client)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many runs" in response.text


def test_engine_concurrency_cap_is_a_429(client):
    engine = service.engine()
    with engine._accounting.lock:  # every slot taken, as if other learners' code were running
        engine._accounting.running += engine.settings.max_concurrency
    try:
        response = run(client)
    finally:
        with engine._accounting.lock:
            engine._accounting.running -= engine.settings.max_concurrency
    assert response.status_code == 429
    assert response["Retry-After"] == "2"
    assert "Your code is safe here" in response.text


def test_a_run_does_not_block_other_requests(live_server):
    """The threaded server answers a page while a slow handler runs."""
    slow = form(file_code=["import time\ndef lambda_handler(e, c):\n    time.sleep(2)\n    return 1\n"])
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(live_server.url + reverse("sandbox_home"), timeout=10).read()
    slow["csrfmiddlewaretoken"] = next(c.value for c in jar if c.name == "csrftoken")
    done = {}

    def slow_run():
        started = time.monotonic()
        data = urllib.parse.urlencode(slow, doseq=True).encode()
        with opener.open(live_server.url + reverse("sandbox_run"), data=data, timeout=10) as response:
            done["status"] = response.status
            done["body"] = response.read().decode()
        done["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=slow_run)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    with urllib.request.urlopen(live_server.url + "/health/", timeout=5) as response:
        assert response.status == 200
    assert time.monotonic() - started < 1.0
    thread.join(10)
    assert done["status"] == 200 and 'data-status="success"' in done["body"]
    assert done["elapsed"] >= 2


def test_aws_calls_and_seeded_resources_are_listed(client):
    event = library().events["s3-put"].json_text
    code = (
        "import boto3\nfrom urllib.parse import unquote_plus\ns3 = boto3.client('s3')\n"
        "def lambda_handler(event, context):\n    r = event['Records'][0]['s3']\n"
        "    return s3.get_object(Bucket=r['bucket']['name'], Key=unquote_plus(r['object']['key']))"
        "['Body'].read().decode()\n"
    )
    response = run(client, file_code=[code], event_json=event, seed_resources="on", timeout_s="10")
    assert 'data-status="success"' in response.text
    assert (
        'data-testid="seeded"' in response.text and "s3 bucket snapnest-photo-uploads-euw1" in response.text
    )
    assert 'data-testid="aws-calls"' in response.text and "<td>GetObject</td>" in response.text


def test_cost_follows_memory_and_architecture(client):
    from decimal import Decimal

    from studyapp.content.pricing import price_list

    response = run(client, architecture="arm64", memory_mb="1024", file_code=[CODE + "# arm\n"])
    result = response.context["result"]
    cost = response.context["cost"]
    arm_rate = price_list().architectures["arm64"].duration_tiers[0].price_per_gb_second
    expected = Decimal(result.report.billed_duration_ms) / 1000 * arm_rate + Decimal("0.20") / 1_000_000
    assert cost.architecture == "arm64" and cost.per_invoke == expected
    assert "on arm64" in response.text


def test_request_body_over_the_upload_limit_is_a_friendly_400(client):
    response = client.post(reverse("sandbox_run"), {"event_json": "x" * (9 * 1024 * 1024)}, **HTMX)
    assert response.status_code == 400
    assert "could not be read" in response.text


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_an_event_at_the_depth_limit_runs_and_its_result_is_shown(client):
    from studyapp.sandbox.jsontext import MAX_DEPTH

    echo = "def lambda_handler(event, context):\n    return event\n"
    for extra in ({}, HTMX):
        response = client.post(
            reverse("sandbox_run"), form(event_json=nested_list(MAX_DEPTH), file_code=[echo]), **extra
        )
        assert response.status_code == 200
        assert 'data-status="success"' in response.text
        assert response.context["payload_pretty"].startswith("[\n  [\n    [\n")


def test_a_result_nested_too_deeply_to_pretty_print_is_shown_as_it_came(client):
    """A handler may return bytes, which Lambda passes on as the payload unparsed."""
    code = "def lambda_handler(event, context):\n    return ('[' * 5000 + ']' * 5000).encode()\n"
    for extra in ({}, HTMX):
        response = client.post(reverse("sandbox_run"), form(file_code=[code]), **extra)
        assert response.status_code == 200
        assert 'data-status="success"' in response.text
        assert response.context["payload_pretty"] == "[" * 5000 + "]" * 5000


def test_inputs_take_lambdas_bounds_and_help_from_the_engine_constants(client):
    from studyapp.sandbox.runtime import config

    page = client.get(reverse("sandbox_home")).text
    memory = re.search(r'<input type="number" name="memory_mb"[^>]*>', page).group(0)
    timeout = re.search(r'<input type="number" name="timeout_s"[^>]*>', page).group(0)
    assert f'min="{config.MEMORY_MIN_MB}"' in memory and f'max="{config.MEMORY_MAX_MB}"' in memory
    assert f'min="{config.TIMEOUT_MIN_S}"' in timeout and f'max="{config.TIMEOUT_MAX_S}"' in timeout
    assert f"Lambda: {config.MEMORY_MIN_MB}–{config.MEMORY_MAX_MB:,} MB." in page
    assert f"Lambda: {config.TIMEOUT_MIN_S}–{config.TIMEOUT_MAX_S} s." in page
    assert f"({config.ENV_VARS_MAX_BYTES // 1024} KB in total)" in page
    assert f'data-max-bytes="{config.ENV_VARS_MAX_BYTES}"' in page
    assert f"up to {config.SYNC_PAYLOAD_MAX_BYTES // 2**20} MB for a synchronous invoke" in page


def test_limits_are_typed_once_in_the_engine_not_in_templates_script_or_messages():
    from django.conf import settings

    base = Path(settings.BASE_DIR)
    for path in [*base.glob("templates/sandbox/*.html"), base / "static/js/sandbox.js"]:
        found = re.findall(r"\b(?:128|10,?240|900|4,?096)\b|\b[146] ?[KM]B\b", path.read_text())
        assert found == [], f"{path.name} types {found}"
    messages = (base / "studyapp/sandbox/forms.py").read_text()
    assert re.findall(r"\b[146] [KM]B\b", messages) == []


def test_without_javascript_a_bad_row_keeps_every_row_and_names_its_field(client):
    response = client.post(
        reverse("sandbox_run"),
        form(env_key=["STAGE", "AWS_REGION"], env_value=["prod", "eu-west-1"], memory_mb="96"),
    )
    assert response.status_code == 422
    page = response.text
    assert 'value="STAGE"' in page and 'value="prod"' in page and 'value="AWS_REGION"' in page
    assert re.search(r'<input[^>]*name="env-1-key"[^>]*aria-invalid="true"', page)
    assert re.search(r'id="id_env-1-key_error"><p class="field-error">AWS_REGION is reserved', page)
    assert re.search(r'id="id_memory_mb_error"><p class="field-error">Lambda allows 128 to 10,240 MB', page)
    assert '<a href="#id_env-1-key">Variable name</a>: AWS_REGION is reserved' in page
    # A blank row follows for one more variable, counted in the management form.
    assert 'name="env-TOTAL_FORMS" value="3"' in page and 'name="env-2-key"' in page


def test_a_new_variable_typed_in_the_spare_row_without_javascript_is_used(client):
    code = "import os\ndef lambda_handler(e, c):\n    return os.environ['SPARE'] + os.environ['FIRST']\n"
    response = client.post(
        reverse("sandbox_run"), form(file_code=[code], env_key=["FIRST", "SPARE"], env_value=["1", "2"])
    )
    assert response.status_code == 200 and "&quot;21&quot;" in response.text
    assert 'name="env-TOTAL_FORMS" value="3"' in response.text


@pytest.mark.parametrize("url_name", ["sandbox_run", "sandbox_reset", "sandbox_share"])
def test_posts_that_answer_htmx_with_a_fragment_vary_on_hx_request(client, url_name):
    code = [CODE + f"# vary {url_name}\n"]
    for extra in ({}, HTMX):
        for data in (form(file_code=code), form(file_code=code, memory_mb="1")):
            response = client.post(reverse(url_name), data, **extra)
            assert response.status_code in (200, 302, 422)
            assert "HX-Request" in response["Vary"], (url_name, extra, response.status_code)


def test_throttled_runs_vary_on_hx_request(client, settings):
    from django.core.cache import cache

    settings.SANDBOX_RUNS_PER_MINUTE = 0
    cache.clear()
    partial = run(client)
    page = client.post(reverse("sandbox_run"), form())
    for response in (partial, page):
        assert response.status_code == 429
        assert "HX-Request" in response["Vary"]
    assert "<html" not in partial.text and "Too many runs" in partial.text
    assert "Too many runs" in page.text and "return {&#x27;got&#x27;: event}" in page.text  # code kept


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("/sandbox/", "post"),
        ("/sandbox/history/", "post"),
        ("/sandbox/events/s3-put.json", "post"),
        ("/sandbox/run/", "get"),
        ("/sandbox/reset/", "get"),
        ("/sandbox/share/", "get"),
    ],
)
def test_each_view_answers_only_its_method(client, url, refused):
    assert getattr(client, refused)(url).status_code == 405


def test_shared_link_refuses_a_post(client):
    client.post(reverse("sandbox_share"), form())
    url = reverse("sandbox_shared", args=[SharedRun.objects.get().token])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_without_isolation_the_page_says_so_and_keeps_the_code(client, monkeypatch):
    from studyapp.sandbox.runtime import IsolationUnavailable

    def no_isolation():  # as Engine() itself refuses on such a host
        raise IsolationUnavailable("bubblewrap is not installed.")

    monkeypatch.setattr(service, "engine", no_isolation)
    partial = run(client)
    assert partial.status_code == 503 and "<html" not in partial.text
    assert "bubblewrap is not installed." in partial.text
    page = client.post(reverse("sandbox_run"), form())
    assert page.status_code == 503 and "<html" in page.text
    assert "bubblewrap is not installed." in page.text and "return {&#x27;got&#x27;: event}" in page.text


def test_a_post_that_sends_no_variables_and_no_list_counts_need_not_say_so(client):
    data = {key: value for key, value in form().items() if not key.startswith(("env-", "files-INITIAL"))}
    response = client.post(reverse("sandbox_run"), data, **HTMX)
    assert response.status_code == 200 and 'data-status="success"' in response.text
    without_files = {key: value for key, value in data.items() if not key.startswith("files-")}
    response = client.post(reverse("sandbox_run"), without_files, **HTMX)
    assert response.status_code == 422 and "Write some code first" in response.text


def test_past_the_queue_bound_a_run_is_refused_with_the_queue_length(client, settings):
    settings.SANDBOX_QUEUE_LIMIT = 0
    response = run(client)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "0 runs are waiting" in response.text and "Your code is safe here" in response.text
    assert not SandboxJob.objects.exists()  # nothing was queued


def test_a_permalink_keeps_its_event_small(client):
    big = json.dumps({"blob": "x" * (300 * 1024)})
    response = client.post(reverse("sandbox_share"), form(event_json=big), **HTMX)
    assert response.status_code == 422 and "keep the event under 256 KB" in response.text
    assert not SharedRun.objects.exists()


def test_a_handler_the_api_accepts_reaches_the_runtime_which_reports_it(client):
    """The form checks only what the Lambda API checks; a handler with no dot fails at init."""
    response = run(client, handler="lambda_function")
    assert response.status_code == 200
    assert "Runtime.MalformedHandlerName" in response.text
    assert "Bad handler &#x27;lambda_function&#x27;: not enough values to unpack" in response.text


def test_logging_settings_run_and_are_kept_by_permalinks_and_history(client):
    settings = {"log_format": "JSON", "application_log_level": "WARN", "system_log_level": "DEBUG"}
    code = [
        "import logging\ndef lambda_handler(event, context):\n    logging.warning('careful')\n    return 1\n"
    ]
    page = run(client, file_code=code, architecture="arm64", **settings).text
    # Lambda's records and the function's are told apart in the log view, as in text format.
    assert re.search(r'<span class="log-line platform">\{&quot;time&quot;:[^<]*platform\.start', page)
    assert re.search(r'<span class="log-line warning">\{&quot;timestamp&quot;:[^<]*careful', page)
    client.post(reverse("sandbox_share"), form(file_code=code, architecture="arm64", **settings))
    shared = SharedRun.objects.get()
    assert (shared.log_format, shared.application_log_level, shared.system_log_level) == (
        "JSON",
        "WARN",
        "DEBUG",
    )
    opened = client.get(reverse("sandbox_shared", args=[shared.token])).text
    assert '<option value="JSON" selected>' in opened and '<option value="arm64" selected>' in opened
    history = SandboxRun.objects.get()
    assert history.log_format == "JSON" and history.architecture == "arm64"
    reopened = client.get(reverse("sandbox_home") + f"?run={history.pk}").text
    assert '<option value="WARN" selected>' in reopened


def test_log_levels_need_the_json_format(client):
    response = run(client, log_format="Text", application_log_level="DEBUG")
    assert response.status_code == 422
    assert "LogLevel is not supported when LogFormat is set to" in html.unescape(response.text)
