"""The sandbox in a real browser: run a handler against a sample event, timeouts, warm starts,
Ctrl+Enter, "Run in sandbox" from a topic, and keyboard-only use."""

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def embedded_jobs(settings):
    """As a server runs them: each run a job on the embedded executor, the page polling it."""
    settings.SANDBOX_JOBS = "embedded"


def test_a_run_shows_running_then_its_result(page):
    page.goto("/sandbox/")
    set_code(page, "import time\ndef lambda_handler(event, context):\n    time.sleep(2)\n    return 'done'\n")
    page.locator("#run-button").click()
    expect(page.get_by_test_id("job-state")).to_contain_text("Running your function")
    expect(page.get_by_test_id("status")).to_have_text("SUCCESS", timeout=15_000)
    expect(page.get_by_test_id("job")).to_have_attribute("data-state", "finished")


def test_an_event_timeline_fills_in_in_the_browser(page, screenshot):
    page.goto("/sandbox/")
    set_code(page, "def lambda_handler(event, context):\n    raise ValueError('no')\n")
    page.get_by_label("Invocation type").select_option("Event")
    page.locator("#run-button").click()
    expect(page.get_by_test_id("timeline-waiting")).to_be_visible(timeout=10_000)
    expect(page.get_by_test_id("attempt")).to_have_count(3, timeout=30_000)
    expect(page.get_by_test_id("timeline")).to_contain_text("Discarded")
    screenshot(page, "sandbox-event-timeline")


def set_code(page, code: str) -> None:
    page.evaluate("(code) => document.querySelector('#files .CodeMirror').CodeMirror.setValue(code)", code)


def test_api_gateway_event_with_the_json_api_handler(page, screenshot):
    page.goto("/sandbox/")
    page.get_by_label("Starter template").select_option("api_json")
    page.get_by_role("button", name="Load").click()
    page.get_by_label("Sample event").select_option("apigateway-rest-proxy")
    expect(page.locator("#event-description")).to_contain_text("REST API")
    expect(page.locator("#event-json-status")).to_have_text("Valid JSON.")
    page.locator("#run-button").click()
    expect(page.get_by_test_id("status")).to_have_text("SUCCESS")
    expect(page.get_by_test_id("payload")).to_contain_text('"statusCode": 201')
    expect(page.get_by_test_id("log")).to_contain_text("REPORT RequestId:")
    expect(page.get_by_test_id("log")).to_contain_text("Billed Duration:")
    expect(page.get_by_test_id("start-kind")).to_contain_text("Cold start")
    screenshot(page, "sandbox-api-json")


def test_second_run_is_warm_and_ctrl_enter_runs(page):
    page.goto("/sandbox/")
    set_code(
        page,
        "count = 0\ndef lambda_handler(event, context):\n    global count\n    count += 1\n"
        "    return {'count': count}\n",
    )
    page.locator("#files .CodeMirror textarea").focus()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("payload")).to_contain_text('"count": 1')
    expect(page.get_by_test_id("start-kind")).to_contain_text("Cold start")
    page.get_by_role("button", name="Invoke again").click()
    expect(page.get_by_test_id("payload")).to_contain_text('"count": 2')
    expect(page.get_by_test_id("start-kind")).to_have_text("Warm start")


def test_timeout_message_arrives_within_the_limit_plus_two_seconds(page, screenshot):
    page.goto("/sandbox/")
    set_code(page, "import time\ndef lambda_handler(event, context):\n    time.sleep(60)\n")
    page.get_by_label("Timeout (s)", exact=True).fill("2")
    started = time.monotonic()
    page.locator("#run-button").click()
    expect(page.get_by_test_id("payload")).to_contain_text(
        "Task timed out after 2.00 seconds", timeout=10_000
    )
    assert time.monotonic() - started < 2 + 2
    expect(page.get_by_test_id("status")).to_have_text("TIMEOUT")
    screenshot(page, "sandbox-timeout")


def test_invalid_event_json_is_flagged_before_running(page):
    page.goto("/sandbox/")
    page.evaluate(
        "() => document.querySelector('.sandbox-event .CodeMirror').CodeMirror.setValue('{\"a\": 1,\\n  }')"
    )
    expect(page.locator("#event-json-status")).to_contain_text("line 2")
    page.locator("#run-button").click()
    expect(page.get_by_test_id("result")).to_have_count(0)


def test_run_in_sandbox_from_a_topic(page, screenshot):
    page.goto("/topics/handler-and-event/")
    link = page.get_by_role("link", name="Run in sandbox").first
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/sandbox/\?topic=handler-and-event&block=\d+"))
    expect(page.get_by_role("link", name="The handler and the event object")).to_be_visible()
    page.locator("#run-button").click()
    expect(page.get_by_test_id("log")).to_contain_text("END RequestId:")
    screenshot(page, "sandbox-from-topic")


def test_keyboard_only_use_of_the_page(page):
    page.goto("/sandbox/")
    page.locator("#id_handler").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#id_runtime")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_memory_mb")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_timeout_s")).to_be_focused()
    # The code editor can be left with Esc then Tab.
    page.locator("#files .CodeMirror textarea").focus()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(page.locator("#files .CodeMirror textarea")).not_to_be_focused()
    page.locator("#run-button").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("status")).to_have_text("SUCCESS")


def test_form_errors_keep_the_code(page):
    page.goto("/sandbox/")
    page.get_by_label("Memory (MB)").fill("4096")  # Lambda allows it, this sandbox does not
    page.locator("#run-button").click()
    expect(page.locator("#result")).to_contain_text("Nothing ran")
    expect(page.locator("#result")).to_contain_text("this sandbox runs up to 3,008 MB")
    expect(page.locator("#files .CodeMirror")).to_contain_text("lambda_handler")


def test_added_file_and_variable_rows_reach_the_handler(page):
    page.goto("/sandbox/")
    set_code(
        page,
        "import os\nfrom helpers import greet\ndef lambda_handler(event, context):\n"
        "    return greet(os.environ['WHO'], os.environ['PUNCTUATION'])\n",
    )
    page.get_by_role("button", name="Add a file").click()
    expect(page.locator("#id_files-1-name")).to_have_value("helpers.py")
    page.evaluate(
        "() => document.querySelectorAll('#files .CodeMirror')[1].CodeMirror"
        ".setValue('def greet(who, mark):\\n    return \"hello \" + who + mark\\n')"
    )
    page.locator("#id_env-0-key").fill("WHO")
    page.locator("#id_env-0-value").fill("world")
    page.get_by_role("button", name="Add a variable").click()
    expect(page.locator("#id_env-1-key")).to_be_focused()
    page.keyboard.type("PUNCTUATION")
    page.locator("#id_env-1-value").fill("!")
    expect(page.locator("#env-size")).to_have_text("20 of 4,096 bytes used")
    expect(page.locator("#id_files-TOTAL_FORMS")).to_have_value("2")
    expect(page.locator("#id_env-TOTAL_FORMS")).to_have_value("2")
    page.locator("#run-button").click()
    expect(page.get_by_test_id("payload")).to_have_text('"hello world!"')
    # Up to five files: then the button goes.
    for _ in range(3):
        page.get_by_role("button", name="Add a file").click()
    expect(page.locator("#id_files-4-name")).to_have_value("helpers4.py")
    expect(page.get_by_role("button", name="Add a file")).to_be_hidden()


def test_the_memory_tuner_draws_its_chart_from_the_prepared_example(page, screenshot):
    page.goto("/topics/memory-and-cpu/")
    page.get_by_role("link", name="memory and cost tuner with a CPU-bound example").click()
    expect(page.locator("#tuner")).to_have_attribute("open", "")
    for size in ("256", "512", "1,024", "1,769"):  # keep 128 and 3,008: two sizes, quickly
        page.locator("#tuner").get_by_label(size, exact=True).uncheck()
    page.get_by_label("Measured invokes at each size").fill("1")
    page.locator("#tune-button").click()
    expect(page.get_by_test_id("tuner-chart")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("tuner-verdict")).to_contain_text("Cheapest:", timeout=60_000)
    expect(page.locator('[data-mark~="fastest"]')).to_have_count(1)
    expect(page.get_by_test_id("tuner-table").locator("tbody tr")).to_have_count(2)
    screenshot(page, "sandbox-memory-tuner")


def test_a_request_through_the_rest_api_shows_the_clients_502(page, screenshot):
    page.goto("/topics/api-gateway-with-lambda/")
    page.get_by_role("link", name="a dict body behind a REST API").click()
    expect(page.get_by_label("Invoke", exact=True)).to_have_value("rest")
    page.locator("#run-button").click()
    response = page.get_by_test_id("client-response")
    expect(response).to_have_attribute("data-status", "502", timeout=15_000)
    expect(response).to_contain_text('{"message": "Internal server error"}')
    expect(page.get_by_test_id("caller-explanation")).to_contain_text("body must be a string")
    expect(page.get_by_test_id("status")).to_have_text("SUCCESS")  # Lambda itself was happy
    screenshot(page, "sandbox-caller-rest-502")
    # The fix, and the same request again: API Gateway answers 200 with the JSON body.
    code = page.evaluate("() => document.querySelector('#files .CodeMirror').CodeMirror.getValue()")
    set_code(page, code.replace('"body": order,', '"body": json.dumps(order),'))
    page.locator("#run-button").click()
    expect(page.get_by_test_id("client-response")).to_have_attribute("data-status", "200", timeout=15_000)
    expect(page.get_by_test_id("client-response")).to_contain_text('"status": "open"')


def test_a_queue_plays_out_and_the_setting_decides_what_is_lost(page, screenshot):
    page.goto("/topics/sqs-and-event-source-mappings/")
    page.get_by_role("link", name="the same response with the setting off").click()
    expect(page.get_by_label("Invoke", exact=True)).to_have_value("sqs")
    page.locator("#run-button").click()
    summary = page.get_by_test_id("queue-summary")
    expect(summary).to_contain_text("3 deleted", timeout=15_000)
    expect(page.get_by_test_id("queue-timeline")).to_contain_text("IGNORED")
    # The setting on: the failed message comes back until the dead-letter queue takes it.
    page.get_by_label("Report batch item failures", exact=False).check()
    page.locator("#run-button").click()
    expect(page.get_by_test_id("queue-summary")).to_contain_text(
        "1 moved to the dead-letter queue", timeout=20_000
    )
    expect(page.locator('.queue-timeline li[data-kind="dlq"]')).to_have_count(1)
    screenshot(page, "sandbox-caller-sqs")


def test_an_s3_trigger_loop_is_stopped_and_a_prefix_fixes_it(page, screenshot):
    page.goto("/topics/s3-event-notifications/")
    page.get_by_role("link", name="Watch the loop in the sandbox").click()
    expect(page.get_by_label("Invoke", exact=True)).to_have_value("s3")
    page.locator("#run-button").click()
    summary = page.get_by_test_id("bucket-summary")
    expect(summary).to_contain_text("recursive loop detection stopped the chain", timeout=30_000)
    expect(summary).to_have_attribute("data-invokes", "16")
    screenshot(page, "sandbox-caller-s3-loop")
    page.get_by_label("Prefix filter").fill("uploads/")
    page.locator("#run-button").click()
    expect(page.get_by_test_id("bucket-summary")).to_have_attribute("data-invokes", "1", timeout=30_000)
    expect(page.get_by_test_id("bucket-timeline")).to_contain_text("outside the trigger's filters")
