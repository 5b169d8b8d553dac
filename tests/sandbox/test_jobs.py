"""Runs as jobs on the embedded executor: the Run request answers at once, the page follows the
job (htmx polling, or a reloading page without JavaScript), an Event's timeline fills in while
its retries happen, and a job is its learner's alone. Real threads, real sandboxes, committed
rows (the executor's threads see only what is committed)."""

import html
import re
import subprocess
import time
from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studyapp.sandbox import jobs
from studyapp.sandbox.models import SandboxJob
from tests.sandbox.test_views import HTMX
from tests.support.sandbox_client import form

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = "import time\ndef lambda_handler(event, context):\n    time.sleep(1.5)\n    return {'slept': True}\n"
FAILS = "def lambda_handler(event, context):\n    raise ValueError('always')\n"


@pytest.fixture(autouse=True)
def embedded(settings):
    settings.SANDBOX_JOBS = "embedded"


def submit(client, code: str, **overrides):
    started = time.monotonic()
    response = client.post(reverse("sandbox_run"), form(file_code=[code], **overrides), **HTMX)
    return response, time.monotonic() - started


def job_id(response) -> str:
    return re.search(r'data-job="([^"]+)"', response.text).group(1)


def follow(client, public_id: str, timeout_s: float = 30, **headers) -> list:
    """Poll as htmx does until the job is done; every response on the way."""
    seen = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = client.get(reverse("sandbox_job", args=[public_id]), **headers)
        seen.append(response)
        if "hx-get=" not in response.text and 'http-equiv="refresh"' not in response.text:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"job {public_id} not done in {timeout_s} s")


def test_the_run_request_answers_at_once_and_the_page_follows_the_job(client):
    response, took = submit(client, SLOW + "# job 1\n")
    assert response.status_code == 200 and took < 1.0  # no web thread waits on the sandbox
    assert re.search(r'data-state="(queued|running)"', response.text)
    assert 'hx-trigger="load delay:500ms"' in response.text
    seen = follow(client, job_id(response), **HTMX)
    assert any('data-state="running"' in r.text for r in seen)
    final = seen[-1]
    assert 'data-state="finished"' in final.text and 'data-status="success"' in final.text
    assert '"slept": true' in html.unescape(final.text)
    assert final["Vary"] and "HX-Request" in final["Vary"]
    job = SandboxJob.objects.get(public_id=job_id(response))
    assert job.started_at and job.finished_at and job.finished_at > job.started_at


def test_without_javascript_the_job_page_reloads_until_the_result_is_in(client):
    response, _ = submit(client, SLOW + "# job no-js\n")
    page = client.get(reverse("sandbox_job", args=[job_id(response)]))
    assert "<html" in page.text and '<meta http-equiv="refresh" content="1">' in page.text
    final = follow(client, job_id(response))[-1]
    assert "<html" in final.text and 'http-equiv="refresh"' not in final.text
    assert 'data-status="success"' in final.text
    assert "time.sleep(1.5)" in html.unescape(final.text)  # the code is back in the editor


def test_an_event_timeline_fills_in_while_the_retries_happen(client, settings):
    response, took = submit(client, FAILS + "# job event\n", invocation_type="Event")
    assert took < 1.0
    seen = follow(client, job_id(response), **HTMX)
    assert "Event · HTTP 202" in seen[0].text or "Event · HTTP 202" in seen[1].text  # accepted at once
    counts = [r.text.count('data-testid="attempt"') for r in seen]
    assert counts[-1] == 3 and any(0 < count < 3 for count in counts), counts  # seen part way
    assert any('data-testid="timeline-waiting"' in r.text for r in seen)
    assert "Discarded" in seen[-1].text and 'data-done="true"' in seen[-1].text


def test_a_job_is_its_learners_alone(client):
    response, _ = submit(client, "def lambda_handler(e, c):\n    return 1\n# job owner\n")
    public_id = job_id(response)
    assert Client().get(reverse("sandbox_job", args=[public_id]), **HTMX).status_code == 404
    follow(client, public_id, **HTMX)


def test_runs_past_the_executors_threads_wait_in_line_and_see_their_place(settings):
    learners = [Client() for _ in range(settings.SANDBOX_MAX_CONCURRENCY + 2)]  # one run each
    responses = [submit(learner, SLOW + f"# queue {n}\n")[0] for n, learner in enumerate(learners)]
    assert any("ahead of yours" in r.text for r in responses), [r.text[:300] for r in responses]
    for learner, response in zip(learners, responses, strict=True):
        assert 'data-status="success"' in follow(learner, job_id(response), **HTMX)[-1].text


def test_one_run_in_flight_per_learner(client):
    first, _ = submit(client, SLOW + "# one at a time\n")
    second, _ = submit(client, "def lambda_handler(e, c):\n    return 2\n")
    assert second.status_code == 429 and "Your previous run is still going" in second.text
    follow(client, job_id(first), **HTMX)
    third, _ = submit(client, "def lambda_handler(e, c):\n    return 3\n")
    assert third.status_code == 200 and 'data-job="' in third.text
    other, _ = submit(Client(), SLOW + "# another learner meanwhile\n")  # others are not held up
    assert other.status_code == 200
    follow(client, job_id(third), **HTMX)


def stale_job(**fields) -> SandboxJob:
    values = {
        "files": {"lambda_function.py": "x = 1\n"},
        "handler": "lambda_function.lambda_handler",
        "memory_mb": 128,
        "timeout_s": 3,
        "event_json": "{}",
        "owner": "anonymous:stale",
        "learner_key": "stale",
    }
    return SandboxJob.objects.create(**(values | fields))


def test_a_job_whose_web_process_is_gone_ends_with_a_clear_message(client):
    """Embedded mode: a job waits in one web process's memory. When that process ends (a
    restart), the job says so and no longer holds its learner's run in flight."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    queued = stale_job(queue=f"embedded:{jobs.host_name()}:{dead.pid}")
    session = client.session
    session["learner_key"] = "stale"
    session.save()
    page = client.get(reverse("sandbox_job", args=[queued.public_id]), **HTMX)
    assert "The sandbox stopped" in page.text and "hx-get=" not in page.text
    assert jobs.in_flight({"learner_key": "stale", "user": None}) is None


def test_an_event_still_retrying_past_its_limits_is_closed(client):
    started = timezone.now() - timedelta(minutes=10)
    retrying = stale_job(
        invocation_type="Event", state=SandboxJob.FINISHED, timeline_done=False, started_at=started
    )
    assert jobs.in_flight({"learner_key": "stale", "user": None}) is None
    retrying.refresh_from_db()
    assert retrying.done and "stopped" in retrying.problem


def test_a_queued_job_whose_message_redis_lost_ends_with_a_clear_message(client, settings, redis_url):
    """Redis restarted without its data: the job's message is gone, so it would wait forever."""
    settings.SANDBOX_JOBS, settings.REDIS_URL = "celery", redis_url
    broker = redis.Redis.from_url(redis_url)
    broker.delete("sandbox")
    session = client.session
    session["learner_key"] = "stale"
    session.save()
    long_ago = timezone.now() - timedelta(seconds=settings.SANDBOX_LOST_MESSAGE_AFTER_S + 60)
    waiting, lost = stale_job(queue="sandbox"), stale_job(queue="sandbox")
    SandboxJob.objects.filter(pk__in=[waiting.pk, lost.pk]).update(created_at=long_ago)
    broker.rpush("sandbox", b"a message still waiting")  # a long queue: the job is not lost
    page = client.get(reverse("sandbox_job", args=[waiting.public_id]), **HTMX)
    assert 'data-state="queued"' in page.text
    broker.delete("sandbox")  # Redis restarted: nothing waits any more
    page = client.get(reverse("sandbox_job", args=[lost.public_id]), **HTMX)
    assert "The sandbox stopped" in page.text and "hx-get=" not in page.text
