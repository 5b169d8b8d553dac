"""Runs as jobs: the web request stores a job and hands it to an executor; the page reads the job
as it goes. No web thread waits on a sandbox.

Executors (settings.SANDBOX_JOBS):
- "embedded" (the default): a thread pool in this process, next to the web server, as many
  threads as the engine runs invokes at once; the rest wait in the pool's queue, in order.
- "celery": Celery workers on sandbox hosts take jobs from Redis (studyapp/sandbox/tasks.py).
  A function that ran lately goes to the queue of the host that holds its warm environment,
  as Lambda places invokes, while that host is alive and has a free thread; otherwise to the
  shared queue, where any host takes it (and the learner sees a cold start).
- "immediate": the job runs inside submit() (tests of the views: one thread, one transaction).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import kombu.exceptions
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.utils import timezone

from studyapp.sandbox import run_settings, tuner
from studyapp.sandbox.callers import front_door, s3_notifications, sqs_mapping
from studyapp.sandbox.callers.http_events import FRONT_DOORS
from studyapp.sandbox.callers.http_request import HttpRequest
from studyapp.sandbox.celery_app import app as celery_app
from studyapp.sandbox.models import SandboxJob, SandboxRun
from studyapp.sandbox.process_engine import engine
from studyapp.sandbox.runtime import FunctionConfig, InvokeResult, IsolationUnavailable
from studyapp.sandbox.runtime.cgroups import process_alive
from studyapp.sandbox.runtime.lambda_format import Report

TIMELINE_POLL_S = 0.2  # how often an Event job's attempts are copied to the page
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
logger = logging.getLogger(__name__)


HISTORY_LENGTH = 20  # runs kept in each learner's history
SHARED_QUEUE = "sandbox"
EMBEDDED_QUEUE = "embedded"
RUN_JOB_TASK = "sandbox.run_job"  # studyapp/sandbox/tasks.py
HEARTBEAT_S = 3  # a sandbox host says it is alive this often (its key lives three times as long)
ANY_HOST_ALIVE = "sandbox:any-host-alive"  # not under sandbox:alive:, where a host could be "any"


class QueueUnavailable(Exception):
    """Redis (the broker and the routing cache) did not answer: the job was not queued."""


def submit(job: SandboxJob) -> None:
    if settings.SANDBOX_JOBS == "immediate":
        execute(job.pk)
    elif settings.SANDBOX_JOBS == "celery":
        try:
            job.queue = queue_for(function_config(job).fingerprint)
            job.save(update_fields=["queue"])
            celery_app.send_task(RUN_JOB_TASK, args=[job.pk], queue=job.queue)
        except (redis.RedisError, kombu.exceptions.OperationalError) as error:
            job.delete()  # never queued: it must not hold its learner's one run in flight
            raise QueueUnavailable from error
    else:
        job.queue = f"{EMBEDDED_QUEUE}:{host_name()}:{os.getpid()}"  # lost if this process ends
        job.save(update_fields=["queue"])
        _embedded_pool().submit(_run_in_thread, job.pk)


def _alive_key(host: str) -> str:
    return f"sandbox:alive:{host}"  # set by the host's heartbeat, gone when it stops


def _busy_key(host: str) -> str:
    return f"sandbox:busy:{host}"  # how many runs the host has going


def _warm_key(fingerprint: str) -> str:
    return f"sandbox:warm:{fingerprint}"  # the host holding that function's warm environment


def host_name() -> str:
    return settings.SANDBOX_HOST_NAME or socket.gethostname()


def host_queue(host: str) -> str:
    return f"{SHARED_QUEUE}.{host}"


def queue_for(fingerprint: str) -> str:
    """The warm host's own queue while it is alive and has a free thread, else the shared one."""
    host = cache.get(_warm_key(fingerprint))
    alive = host and cache.get(_alive_key(host)) is not None
    if alive and (cache.get(_busy_key(host)) or 0) < settings.SANDBOX_MAX_CONCURRENCY:
        return host_queue(host)
    return SHARED_QUEUE


def heartbeat_forever() -> None:
    """A sandbox host's pulse (run in a thread of the worker): routed jobs need a living host."""
    while True:
        try:
            cache.set_many({_alive_key(host_name()): 1, ANY_HOST_ALIVE: 1}, timeout=HEARTBEAT_S * 3)
        except redis.RedisError:
            logger.warning("sandbox heartbeat: Redis did not answer; trying again")
        time.sleep(HEARTBEAT_S)


def hosts_alive() -> bool:
    """Whether any sandbox host beat lately (the distributed mode; the embedded one always runs)."""
    return settings.SANDBOX_JOBS != "celery" or cache.get(ANY_HOST_ALIVE) is not None


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
    job.host = host_name()
    SandboxJob.objects.filter(pk=job_id).update(host=job.host)
    busy = _busy_key(job.host)
    _count(busy, +1)
    try:
        (_tune if job.kind == SandboxJob.TUNE else _run)(job)
    finally:
        _count(busy, -1)


def _count(key: str, delta: int) -> None:
    """Routing hints in Redis: a run goes on without them (Redis restarted or away)."""
    try:
        cache.add(key, 0, timeout=None)
        cache.incr(key, delta)
    except (redis.RedisError, ValueError):
        logger.warning("sandbox routing: could not count %s in Redis", key)


def _note_warm(job: SandboxJob, config: FunctionConfig, sandbox, result: InvokeResult) -> None:
    if result.report is not None:  # its environment is warm here now: later invokes come back
        try:
            cache.set(_warm_key(config.fingerprint), job.host, timeout=sandbox.settings.idle_expiry_s)
        except redis.RedisError:  # a hint only: the next invoke may land cold
            logger.warning("sandbox routing: could not note the warm host in Redis")


def _run(job: SandboxJob) -> None:
    play = CALLERS.get(job.caller.get("kind", ""))
    if play is not None:
        _through_caller(job, play)
        return
    config = function_config(job)
    try:
        sandbox = engine()
        seed = job.seed_resources
        invocation = sandbox.start(config, job.event_json, job.invocation_type, seed_resources=seed)
    except IsolationUnavailable as error:
        _finish(job, problem=str(error))
        return
    result, pending = invocation.result, invocation.pending
    job.result = to_json(result)
    _note_warm(job, config, sandbox, result)
    if pending is not None:
        job.timeline_done = False
    _finish(job)
    if job.user_id or job.learner_key:  # a learner's run, not a graded answer
        record_job_run(job, result)
    if pending is not None:
        _follow(job, pending)


def _through_caller(job: SandboxJob, play) -> None:
    """A run through a caller: `play(job, sandbox, config)` answers what the page shows of the
    caller and the last invoke's result, which becomes the job's result and a history entry."""
    config = function_config(job)
    try:
        sandbox = engine()
    except IsolationUnavailable as error:
        _finish(job, problem=str(error))
        return
    shown, result = play(job, sandbox, config)
    SandboxJob.objects.filter(pk=job.pk).update(timeline={"caller": _jsonable(shown)})
    if result is not None:
        job.result = to_json(result)
        _note_warm(job, config, sandbox, result)
    _finish(job)
    if result is not None and (job.user_id or job.learner_key):
        record_job_run(job, result)


def _through_front_door(job: SandboxJob, sandbox, config: FunctionConfig) -> tuple[dict, InvokeResult]:
    """An HTTP request through API Gateway or a function URL: the event the front door builds,
    a synchronous invoke, and what the client gets back."""
    request = HttpRequest.from_dict(job.caller["request"])
    result, shown = front_door.send(sandbox.invoke, config, job.caller["kind"], request)
    return shown, result


def _through_queue(job: SandboxJob, sandbox, config: FunctionConfig) -> tuple[dict, InvokeResult | None]:
    """Messages on an SQS queue and the event source mapping that polls it, played out."""
    mapping = sqs_mapping.Mapping(**job.caller["mapping"])
    started_ms = int(job.created_at.timestamp() * 1000)
    played = sqs_mapping.play(sandbox.invoke, config, mapping, job.caller["messages"], started_ms)
    left = len(job.caller["messages"]) - len(played.deleted) - len(played.dead_lettered)
    return {"kind": "sqs", "timeline": played.timeline, "summary": played.summary(left)}, played.last_result


def _through_bucket(job: SandboxJob, sandbox, config: FunctionConfig) -> tuple[dict, InvokeResult | None]:
    """An object put into a bucket whose notification invokes the function, asynchronously,
    and every notification the function's own writes cause (a loop, stopped as Lambda does)."""

    def deliver(config, event_json: str, seed: bool) -> list:
        invocation = sandbox.start(config, event_json, "Event", seed_resources=seed)
        if invocation.pending is None:  # not accepted (throttled, refused)
            return [invocation.result]
        invocation.pending.wait(3 * (config.timeout_s + 5) + sum(sandbox.settings.async_retry_delays_s))
        return [attempt.result for attempt in list(invocation.pending.attempts)] or [invocation.result]

    trigger = s3_notifications.Trigger(**job.caller["trigger"])
    played = s3_notifications.play(deliver, config, trigger, job.caller["key"], 1024)
    return {"kind": "s3", "timeline": played.timeline, "summary": played.summary()}, played.last_result


CALLERS = {
    **dict.fromkeys(FRONT_DOORS, _through_front_door),
    sqs_mapping.QUEUE: _through_queue,
    s3_notifications.BUCKET: _through_bucket,
}


def _tune(job: SandboxJob) -> None:
    """The memory tuner's series of invokes; the points so far are on the job for the page."""
    config = function_config(job)
    try:
        sandbox = engine()
    except IsolationUnavailable as error:
        _finish(job, problem=str(error))
        return
    total = len(job.tune_memories)

    def progress(points: list[dict]) -> None:
        SandboxJob.objects.filter(pk=job.pk).update(timeline={"points": points, "total": total})

    points = tuner.tune(
        sandbox.invoke, sandbox.reset, config, job.event_json, job.tune_memories, job.tune_invokes, progress
    )
    progress(points)
    _finish(job)


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
    return run_settings.function_config(job, job.owner)


def notice_stopped_host(job: SandboxJob) -> SandboxJob:
    """A job whose executor went away ends with a clear message rather than an endless spinner
    (and no longer holds its learner's one run in flight): running, or an Event still retrying,
    past its time limit (every attempt) plus a grace; or waiting in the queue of a sandbox host
    that stopped beating, or of a web process (embedded mode) that is gone."""
    if job.done or settings.SANDBOX_JOBS == "immediate":
        return job
    now = timezone.now()
    attempts = 3 if job.invocation_type == "Event" else 1
    if job.kind == SandboxJob.TUNE:
        attempts = tuner.runs_needed(job.tune_memories, job.tune_invokes)
    if job.caller.get("kind") == sqs_mapping.QUEUE:
        attempts = sqs_mapping.MAX_INVOKES
    if job.caller.get("kind") == s3_notifications.BUCKET:
        attempts = s3_notifications.MAX_INVOKES
    limit_s = attempts * (job.timeout_s + 2) + settings.SANDBOX_HOST_GRACE_S
    started = job.started_at
    overdue = job.state != SandboxJob.QUEUED and started and (now - started).total_seconds() > limit_s
    if overdue or (job.state == SandboxJob.QUEUED and _queue_gone(job, now)):
        stopped = SandboxJob.objects.filter(
            pk=job.pk, state=job.state, timeline_done=job.timeline_done
        ).update(
            state=SandboxJob.FINISHED,
            timeline_done=True,
            finished_at=now,
            problem="The sandbox stopped before your function finished (a sandbox host or the "
            "queue restarted). Nothing more will come of this run: run it again.",
        )
        if stopped:
            job.refresh_from_db()
    return job


def _queue_gone(job: SandboxJob, now) -> bool:
    if job.queue.startswith(EMBEDDED_QUEUE + ":"):  # embedded:<host>:<pid of the web process>
        _, host, pid = job.queue.split(":")
        return host == host_name() and not process_alive(int(pid))
    waited_s = (now - job.created_at).total_seconds()
    host = job.queue.removeprefix(SHARED_QUEUE + ".") if job.queue.startswith(SHARED_QUEUE + ".") else ""
    if host and cache.get(_alive_key(host)) is None and waited_s > HEARTBEAT_S * 3:
        return True
    # Redis restarted without its data: the message is gone from the queue. (A host may hold
    # a message it prefetched for a while: only a job waiting longer than that counts.)
    if not (job.queue and settings.REDIS_URL) or waited_s <= settings.SANDBOX_LOST_MESSAGE_AFTER_S:
        return False
    return broker_queue_length(job.queue) == 0


def broker_queue_length(queue: str) -> int | None:
    """Messages waiting in a queue of the broker (Redis: a list named after the queue)."""
    try:
        return redis.Redis.from_url(settings.REDIS_URL).llen(queue)
    except redis.RedisError:
        return None


def in_flight(owner: dict) -> SandboxJob | None:
    """This learner's run still going (queued, running, or an Event still retrying), if any."""
    for job in SandboxJob.objects.filter(**owner).exclude(state=SandboxJob.FINISHED, timeline_done=True):
        if not notice_stopped_host(job).done:
            return job
    return None


def queued_count() -> int:
    return SandboxJob.objects.filter(state=SandboxJob.QUEUED).count()


def record_job_run(job, result: InvokeResult) -> SandboxRun:
    """A finished job in its learner's history (the last HISTORY_LENGTH runs are kept)."""
    report = result.report
    owner = {"user_id": job.user_id, "learner_key": job.learner_key}
    run = SandboxRun.objects.create(
        **owner,
        **{name: getattr(job, name) for name in run_settings.RUN_FIELDS},
        status=result.status,
        request_id=result.request_id,
        cold_start=result.cold_start,
        duration_ms=report.duration_ms if report else None,
        billed_duration_ms=report.billed_duration_ms if report else None,
        error_type=result.error_type or "",
    )
    mine = {"user_id": job.user_id} if job.user_id else {"user": None, "learner_key": job.learner_key}
    stale = SandboxRun.objects.filter(**mine).values_list("pk", flat=True)[HISTORY_LENGTH:]
    SandboxRun.objects.filter(pk__in=list(stale)).delete()
    return run


def run_remotely(config: FunctionConfig, event_json: str) -> InvokeResult:
    """Run a function on a sandbox host and wait for its answer (grading a code answer in the
    distributed mode). Its owner gets a fresh suffix: a new function, so a cold start."""
    job = SandboxJob.objects.create(
        **run_settings.function_settings(config),
        event_json=event_json,
        owner=f"{config.owner}/graded-{uuid.uuid4().hex[:12]}",
    )
    submit(job)
    job = wait_until_done(job, config.timeout_s + settings.SANDBOX_HOST_GRACE_S + 30)
    if job.result is None:
        problem = job.problem or "No sandbox host answered in time."
        return InvokeResult(
            request_id="",
            invocation_type="RequestResponse",
            status="throttled",
            status_code=429,
            payload_json=json.dumps({"errorMessage": problem, "errorType": "SandboxUnavailable"}),
        )
    return from_json(job.result)


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
