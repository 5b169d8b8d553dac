"""The web app's door to the engine: one engine per process, configured from settings, plus
the learner's identity, history, cost and rate limit."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from studyapp.content.pricing import price_list
from studyapp.core.learner import owner_filter
from studyapp.core.ratelimit import RateDecision
from studyapp.core.ratelimit import check_rate as core_check_rate
from studyapp.sandbox.models import SandboxRun
from studyapp.sandbox.runtime import Engine, EngineSettings, InvokeResult, IsolationUnavailable

HISTORY_LENGTH = 20
_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine(
                EngineSettings(
                    max_concurrency=settings.SANDBOX_MAX_CONCURRENCY,
                    max_environments=settings.SANDBOX_MAX_ENVIRONMENTS,
                    blank_environments=settings.SANDBOX_BLANK_ENVIRONMENTS,
                    max_memory_mb=settings.SANDBOX_MAX_MEMORY_MB,
                    max_timeout_s=settings.SANDBOX_MAX_TIMEOUT_S,
                    allow_unisolated=settings.SANDBOX_ALLOW_UNISOLATED,
                    allow_degraded=settings.SANDBOX_ALLOW_DEGRADED,
                    uid_base=settings.SANDBOX_UID_BASE,
                    memory_budget_mb=settings.SANDBOX_MEMORY_BUDGET_MB,
                    cpu_budget_cores=settings.SANDBOX_CPU_BUDGET_CORES,
                    libraries_dir=settings.SANDBOX_LIBRARIES_DIR,
                )
            )
        return _engine


def missing_guarantees() -> tuple[str, ...]:
    """What this server's sandbox cannot enforce as Lambda does, for the page to say (none when
    it runs fully isolated, or when it cannot run at all: the run answer says that)."""
    try:
        sandbox = engine()
    except IsolationUnavailable:
        return ()
    return sandbox.host.missing_guarantees if sandbox.degraded else ()


# -- rate limit ---------------------------------------------------------------------------------


def check_rate(request) -> RateDecision:
    return core_check_rate(request, "sandbox", settings.SANDBOX_RUNS_PER_MINUTE)


# -- cost ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvokeCost:
    per_invoke: Decimal
    per_million: Decimal
    gb_seconds: Decimal
    architecture: str
    region: str


def invoke_cost(result: InvokeResult, memory_mb: int, architecture: str = "x86_64") -> InvokeCost | None:
    if result.report is None:
        return None
    prices = price_list()
    rate = prices.architectures[architecture].duration_tiers[0].price_per_gb_second
    gb_seconds = Decimal(result.report.billed_duration_ms) / 1000 * Decimal(memory_mb) / 1024
    per_invoke = gb_seconds * rate + prices.request_price_per_million / 1_000_000
    return InvokeCost(per_invoke, per_invoke * 1_000_000, gb_seconds, architecture, prices.region)


# -- history ------------------------------------------------------------------------------------


def record_job_run(job, result: InvokeResult) -> SandboxRun:
    """A finished job in its learner's history (the last HISTORY_LENGTH runs are kept)."""
    report = result.report
    owner = {"user_id": job.user_id, "learner_key": job.learner_key}
    run = SandboxRun.objects.create(
        **owner,
        **{name: getattr(job, name) for name in RUN_SETTINGS_FIELDS},
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


RUN_SETTINGS_FIELDS = (
    "files",
    "handler",
    "memory_mb",
    "timeout_s",
    "environment",
    "invocation_type",
    "event_json",
    "event_slug",
    "seed_resources",
)


def history(request) -> list[SandboxRun]:
    return list(SandboxRun.objects.filter(**owner_filter(request))[:HISTORY_LENGTH])
