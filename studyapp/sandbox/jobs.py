"""Runs as jobs: the web request stores a job and hands it to an executor; the page reads the job
as it goes. No web thread waits on a sandbox.

Executors (settings.SANDBOX_JOBS):
- "embedded" (the default): a thread pool in this process, next to the web server, as many
  threads as the engine runs invokes at once; the rest wait in the pool's queue, in order.
- "immediate": the job runs inside submit() (tests of the views: one thread, one transaction).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from studyapp.sandbox import service
from studyapp.sandbox.models import SandboxJob
from studyapp.sandbox.runtime import FunctionConfig, InvokeResult, IsolationUnavailable
from studyapp.sandbox.runtime.lambda_format import Report

TIMELINE_POLL_S = 0.2  # how often an Event job's attempts are copied to the page
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def submit(job: SandboxJob) -> None:
    if settings.SANDBOX_JOBS == "immediate":
        execute(job.pk)
        return
    _embedded_pool().submit(_run_in_thread, job.pk)


def _embedded_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(settings.SANDBOX_MAX_CONCURRENCY, thread_name_prefix="sandbox-job")
        return _pool


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        execute(job_id)
    finally:
        close_old_connections()  # a pool thread must not keep a connection the server closed


def execute(job_id: int) -> None:
    """Run one job to its end: result, history, and (Event) every attempt as it happens."""
    claimed = SandboxJob.objects.filter(pk=job_id, state=SandboxJob.QUEUED).update(
        state=SandboxJob.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return  # already taken (or finished): a job runs once
    job = SandboxJob.objects.get(pk=job_id)
    try:
        invocation = service.engine().start(
            function_config(job), job.event_json, job.invocation_type, seed_resources=job.seed_resources
        )
    except IsolationUnavailable as error:
        _finish(job, problem=str(error))
        return
    result, pending = invocation.result, invocation.pending
    job.result = to_json(result)
    if pending is not None:
        job.timeline_done = False
    _finish(job)
    service.record_job_run(job, result)
    if pending is not None:
        _follow(job, pending)


def _follow(job: SandboxJob, pending) -> None:
    """Copy an Event invocation's attempts to the job while they happen, so the page shows each
    retry when it comes."""
    shown = None
    while True:
        finished = pending.wait(TIMELINE_POLL_S)
        timeline = snapshot(pending)
        if timeline != shown or finished:
            SandboxJob.objects.filter(pk=job.pk).update(timeline=timeline, timeline_done=finished)
            shown = timeline
        if finished:
            return


def snapshot(pending) -> dict:
    """What the page shows of an Event invocation so far."""
    attempts = [
        {
            "number": attempt.number,
            "request_id": attempt.request_id,
            "waited_s": attempt.waited_s,
            "lambda_wait_s": attempt.lambda_wait_s,
            "status": attempt.result.status,
            "error_type": attempt.result.error_type,
            "log": attempt.result.log,
        }
        for attempt in list(pending.attempts)
    ]
    return _jsonable(
        {
            "attempts": attempts,
            "destination": pending.destination,
            "record": pending.destination_record,
            "succeeded": pending.succeeded,
        }
    )


def _finish(job: SandboxJob, problem: str = "") -> None:
    job.state, job.problem, job.finished_at = SandboxJob.FINISHED, problem, timezone.now()
    job.save(update_fields=["state", "problem", "finished_at", "result", "timeline_done"])


def function_config(job: SandboxJob) -> FunctionConfig:
    return FunctionConfig(
        files=job.files,
        handler=job.handler,
        memory_mb=job.memory_mb,
        timeout_s=job.timeout_s,
        environment=job.environment,
        function_name="sandbox-function",
        architecture=job.architecture,
        owner=job.owner,
    )


def position(job: SandboxJob) -> int:
    """How many jobs were queued before this one and still wait."""
    return SandboxJob.objects.filter(state=SandboxJob.QUEUED, pk__lt=job.pk).count()


# -- the result, stored as JSON ---------------------------------------------------------------


def to_json(result: InvokeResult) -> dict:
    return _jsonable(dataclasses.asdict(result))


def from_json(data: dict) -> InvokeResult:
    values = dict(data)
    report = values.pop("report", None)
    values["report"] = Report(**report) if report else None
    values["aws_calls"] = tuple(values.get("aws_calls") or ())
    values["seeded"] = tuple(values.get("seeded") or ())
    return InvokeResult(**values)


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def wait_until_done(job: SandboxJob, timeout_s: float) -> SandboxJob:
    """Poll a job until it is done (tests and the no-JavaScript fallback's last resort)."""
    deadline = time.monotonic() + timeout_s
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.05)
        job.refresh_from_db()
    return job
