"""An SQS queue and its event source mapping, the handler really running in the sandbox: partial
batch responses exactly as documented (only the listed messages return; an invalid identifier
fails the whole batch; with ReportBatchItemFailures off the list is ignored and the batch
deleted), visibility timeouts, receive counts and the dead-letter queue. Sources: with-sqs.html,
services-sqs-errorhandling.html, services-sqs-configure.html (checked 2026-12-04)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from studyapp.sandbox.callers import sqs_mapping
from studyapp.sandbox.callers.sqs_mapping import Mapping, failed_ids, play
from tests.sandbox.conftest import function

SHARED_TOOL = Path(settings.BASE_DIR).parent / "shared" / "tools" / "event_paths.py"
BODIES = ['{"n": 1}', '{"n": 2, "fail": true}', '{"n": 3}']
PARTIAL = """
import json
def handler(event, context):
    failed = [r["messageId"] for r in event["Records"] if json.loads(r["body"]).get("fail")]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}
"""


def run(engine, code: str, bodies=BODIES, **mapping):
    return play(engine.invoke, function(code), Mapping(**mapping), bodies, 1_795_000_000_000)


def kinds(played) -> list[str]:
    return [step["kind"] for step in played.timeline]


def test_a_partial_batch_response_returns_only_the_failed_message_until_the_dlq_takes_it(engine):
    played = run(engine, PARTIAL, report_failures=True, visibility_timeout_s=30, max_receive_count=3)
    assert played.invokes == 3 and len(played.deleted) == 2 and len(played.dead_lettered) == 1
    polls = [step for step in played.timeline if step["kind"] == "poll"]
    assert len(polls[0]["messages"]) == 3 and len(polls[1]["messages"]) == 1
    assert "receive #2" in polls[1]["text"] and "receive #3" in polls[2]["text"]
    # Each retry waits out the 30 s visibility timeout (simulated), counted from the receive.
    assert polls[1]["t"] >= 30 and polls[2]["t"] >= 60
    assert kinds(played)[-1] == "dlq" and "maxReceiveCount 3" in played.timeline[-1]["text"]


def test_with_the_setting_off_a_returned_batch_item_failures_is_ignored_and_the_batch_deleted(engine):
    played = run(engine, PARTIAL, report_failures=False, max_receive_count=3)
    assert played.invokes == 1 and len(played.deleted) == 3 and not played.dead_lettered
    result = next(step for step in played.timeline if step["kind"] == "result")
    assert "IGNORED" in result["text"] and "ReportBatchItemFailures is off" in result["text"]


def test_an_exception_returns_the_whole_batch_good_messages_included(engine):
    code = "import json\ndef handler(event, context):\n    raise ValueError('one bad message')\n"
    played = run(engine, code, report_failures=True, max_receive_count=2)
    assert played.invokes == 2 and not played.deleted and len(played.dead_lettered) == 3
    assert played.last_result.error_type == "ValueError"


def test_an_invalid_identifier_fails_the_whole_batch(engine):
    code = "def handler(event, context):\n    return {'batchItemFailures': [{'itemIdentifier': 'nope'}]}\n"
    played = run(engine, code, report_failures=True, max_receive_count=1)
    assert played.invokes == 1 and not played.deleted and len(played.dead_lettered) == 3
    result = next(step for step in played.timeline if step["kind"] == "result")
    assert "'nope' is no message of this batch: the whole batch failed" in result["text"]


@pytest.mark.parametrize(
    ("answer", "failing"),
    [
        (None, set()),
        ({}, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": None}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "a"}]}, {"a"}),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, None),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, None),
        ({"batchItemFailures": [{"id": "a"}]}, None),
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, None),
        ({"batchItemFailures": "a"}, None),
        ("ok", None),
    ],
)
def test_what_counts_as_success_and_as_failure(answer, failing):
    assert failed_ids(answer, ["a", "b"])[0] == failing


def test_a_function_that_always_fails_with_no_dlq_stops_at_the_cap(engine):
    code = "def handler(event, context):\n    raise RuntimeError('poison')\n"
    played = run(engine, code, bodies=['{"n": 1}'], max_receive_count=0)
    assert played.stopped_early and played.invokes == sqs_mapping.MAX_INVOKES and not played.dead_lettered


def test_batches_follow_the_batch_size(engine):
    played = run(engine, "def handler(event, context):\n    return len(event['Records'])\n", batch_size=2)
    sizes = [len(step["messages"]) for step in played.timeline if step["kind"] == "poll"]
    assert sizes == [2, 1] and len(played.deleted) == 3


def test_the_lambda_api_refuses_what_it_refuses():
    assert Mapping(visibility_timeout_s=2).problem(3)[0] == "sqs_visibility_s"
    assert Mapping(batch_size=20).problem(3) == (
        "sqs_window_s",
        "A batch size above 10 needs a batching window of at least 1 second.",
    )
    assert Mapping(batch_size=20, window_s=1).problem(3) is None


@pytest.mark.skipif(not SHARED_TOOL.exists(), reason="../shared (AWS reference events) is not present")
def test_the_records_have_the_shape_of_an_aws_sample(engine, tmp_path):
    code = "import json\ndef handler(event, context):\n    print(json.dumps(event))\n"
    played = run(engine, code)
    event = next(line for line in played.last_result.log.splitlines() if line.startswith('{"Records"'))
    (tmp_path / "sqs-receive.json").write_text(event)
    result = subprocess.run([sys.executable, str(SHARED_TOOL), str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(event)["Records"][0]["attributes"]["ApproximateReceiveCount"] == "1"


@pytest.mark.django_db
def test_the_page_plays_the_queue_and_keeps_its_settings(client):
    from django.urls import reverse

    from studyapp.sandbox.models import SandboxRun
    from tests.support.sandbox_client import form

    fields = {
        "caller": "sqs",
        "sqs_messages": "\n".join(BODIES),
        "sqs_batch_size": "10",
        "sqs_window_s": "0",
        "sqs_visibility_s": "30",
        "sqs_max_receive": "3",
    }
    code = [PARTIAL.replace("def handler", "def lambda_handler")]
    page = client.post(reverse("sandbox_run"), form(file_code=code, **fields), HTTP_HX_REQUEST="true").text
    assert 'data-testid="queue-result"' in page and 'data-deleted="3"' in page and "IGNORED" in page
    assert SandboxRun.objects.get().caller["mapping"]["report_failures"] is False
    refused = client.post(
        reverse("sandbox_run"),
        form(file_code=code, **fields | {"sqs_visibility_s": "1"}),
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 422 and "Lambda refuses such a mapping" in refused.text


@pytest.mark.django_db
def test_a_queue_run_charges_the_invokes_it_may_make(client, settings):
    from django.urls import reverse

    from tests.support.sandbox_client import form

    settings.SANDBOX_RUNS_PER_MINUTE = 6
    fields = {
        "caller": "sqs",
        "sqs_messages": "\n".join(BODIES),
        "sqs_max_receive": "3",
        "sqs_visibility_s": "30",
    }
    code = [PARTIAL.replace("def handler", "def lambda_handler")]
    assert (
        client.post(
            reverse("sandbox_run"), form(file_code=code, **fields), HTTP_HX_REQUEST="true"
        ).status_code
        == 200
    )
    # One batch, up to three receives: 3 of the 6 runs this minute.
    for _ in range(3):
        assert client.post(reverse("sandbox_run"), form(), HTTP_HX_REQUEST="true").status_code == 200
    assert client.post(reverse("sandbox_run"), form(), HTTP_HX_REQUEST="true").status_code == 429


def test_messages_the_function_sends_with_boto3_join_the_queue(engine):
    code = """
import json, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        if order.get("split"):  # a big order becomes two small ones, sent back to the queue
            url = sqs.get_queue_url(QueueName="sandbox-queue")["QueueUrl"]
            for part in (1, 2):
                sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": order["n"], "part": part}))
"""
    played = run(engine, code, bodies=['{"n": 1, "split": true}', '{"n": 2}'])
    assert played.sent_by_function == 2 and len(played.deleted) == 4 and played.invokes == 2
    assert any("with boto3" in step["text"] for step in played.timeline)


def test_a_function_that_requeues_forever_is_stopped_by_loop_detection(engine):
    code = """
import boto3
sqs = boto3.client("sqs")
def handler(event, context):
    url = sqs.get_queue_url(QueueName="sandbox-queue")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=event["Records"][0]["body"])
"""
    played = run(engine, code, bodies=['{"n": 1}'])
    assert played.stopped_by_loop_detection and played.invokes == sqs_mapping.LOOP_LIMIT
    assert [step["kind"] for step in played.timeline].count("loop") == 1
