"""S3 event notifications, the handler really running in the sandbox and really writing into
the in-memory S3: asynchronous delivery (with Lambda's retries), the trigger's event types and
filters, and a function that writes into its own trigger looping until Lambda's recursive loop
detection stops it after 16 invocations (or the sandbox's cap with RecursiveLoop Allow).
Sources: with-s3.html, invocation-recursion.html, What's New 2023-07 and 2024-10."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from studyapp.sandbox.callers import s3_notifications
from studyapp.sandbox.callers.s3_notifications import LOOP_LIMIT, Trigger, event_for, play
from tests.sandbox.conftest import function

SHARED_TOOL = Path(settings.BASE_DIR).parent / "shared" / "tools" / "event_paths.py"
WRITER = """
import boto3
from urllib.parse import unquote_plus
s3 = boto3.client("s3")
def handler(event, context):
    record = event["Records"][0]["s3"]
    key = unquote_plus(record["object"]["key"])
    if BUCKET != record["bucket"]["name"]:
        s3.create_bucket(Bucket=BUCKET)  # the output bucket (it would exist already on AWS)
    s3.put_object(Bucket=BUCKET, Key=OUTPUT + key.rsplit("/", 1)[-1], Body=b"x")
    return key
"""


def writer(bucket="sandbox-uploads", output="processed/"):
    return function(f"BUCKET = {bucket!r}\nOUTPUT = {output!r}\n" + WRITER, timeout_s=10, memory_mb=256)


def deliver_with(engine):
    def deliver(config, event_json, seed):
        invocation = engine.start(config, event_json, "Event", seed_resources=seed)
        invocation.pending.wait(60)
        return [attempt.result for attempt in invocation.pending.attempts]

    return deliver


def test_a_function_writing_into_its_trigger_is_stopped_by_loop_detection(engine):
    played = play(deliver_with(engine), writer(), Trigger(), "uploads/photo.jpg", 1024)
    assert played.invokes == LOOP_LIMIT and played.stopped_by_loop_detection
    assert played.timeline[-1]["kind"] == "loop" and "16 times" in played.timeline[-1]["text"]
    assert sum(1 for step in played.timeline if step.get("loop")) == LOOP_LIMIT


def test_with_recursive_loop_allow_only_the_sandboxs_cap_stops_it(engine):
    played = play(deliver_with(engine), writer(), Trigger(recursive_loop="Allow"), "uploads/a.jpg", 1)
    assert played.invokes == s3_notifications.MAX_INVOKES and played.stopped_at_cap
    assert not played.stopped_by_loop_detection


def test_a_prefix_the_output_avoids_or_another_bucket_breaks_the_loop(engine):
    fixed = play(deliver_with(engine), writer(), Trigger(prefix="uploads/"), "uploads/photo.jpg", 1)
    assert fixed.invokes == 1 and "outside the trigger's filters" in fixed.timeline[-1]["text"]
    elsewhere = play(deliver_with(engine), writer(bucket="sandbox-thumbnails"), Trigger(), "uploads/p.jpg", 1)
    assert elsewhere.invokes == 1 and "another bucket" in elsewhere.timeline[-1]["text"]


def test_an_object_outside_the_filters_notifies_nobody(engine):
    played = play(deliver_with(engine), writer(), Trigger(suffix=".png"), "uploads/photo.jpg", 1)
    assert played.invokes == 0 and played.timeline[-1]["kind"] == "filtered"
    removed_only = Trigger(event_type="s3:ObjectRemoved:*")
    assert play(deliver_with(engine), writer(), removed_only, "uploads/photo.jpg", 1).invokes == 0


def test_delivery_is_asynchronous_with_lambdas_retries(engine):
    failing = function("def handler(event, context):\n    raise ValueError('cannot read it')\n")
    played = play(deliver_with(engine), failing, Trigger(), "uploads/photo.jpg", 1)
    assert played.invokes == 3  # the first attempt and Lambda's two retries
    assert "after 3 attempts" in played.timeline[-1]["text"]


def test_event_types_and_filters_match_as_s3_does():
    trigger = Trigger(event_type="s3:ObjectCreated:*", prefix="uploads/", suffix=".jpg")
    assert trigger.matches("ObjectCreated:Put", "uploads/a.jpg")
    assert trigger.matches("ObjectCreated:Copy", "uploads/a.jpg")
    assert not trigger.matches("ObjectRemoved:Delete", "uploads/a.jpg")
    assert not trigger.matches("ObjectCreated:Put", "other/a.jpg")
    assert Trigger(event_type="s3:ObjectCreated:Put").matches("ObjectCreated:Put", "x")
    assert not Trigger(event_type="s3:ObjectCreated:Put").matches("ObjectCreated:Copy", "x")
    assert Trigger(bucket="Bad_Name").problem()[0] == "s3_bucket"


@pytest.mark.skipif(not SHARED_TOOL.exists(), reason="../shared (AWS reference events) is not present")
def test_the_event_has_the_shape_of_an_aws_sample(tmp_path):
    event = event_for(Trigger(), "ObjectCreated:Put", "uploads/red flower.jpg", 12)
    assert event["Records"][0]["s3"]["object"]["key"] == "uploads/red+flower.jpg"
    (tmp_path / "s3-put.json").write_text(json.dumps(event))
    result = subprocess.run([sys.executable, str(SHARED_TOOL), str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_the_page_shows_the_loop_and_its_fix(client):
    from django.urls import reverse

    from studyapp.content.library import library
    from tests.support.sandbox_client import form

    starter = library().handlers["s3_self_trigger"]
    fields = {"caller": "s3", "s3_bucket": "sandbox-uploads", "s3_event_type": "s3:ObjectCreated:*"}
    fields |= {"s3_key": "uploads/photo.jpg", "s3_recursive_loop": "Terminate", "timeout_s": "10"}
    data = form(file_name=[starter.file_name], file_code=[starter.source], handler=starter.handler, **fields)
    page = client.post(reverse("sandbox_run"), data, HTTP_HX_REQUEST="true").text
    assert 'data-testid="bucket-result"' in page and 'data-invokes="16"' in page
    assert "recursive loop detection stopped the chain" in page
