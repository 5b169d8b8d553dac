"""The web app's door to the sandbox: the engine of this process, how code answers run, and the
learner's history, cost and rate limit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from studyapp.content.pricing import price_list
from studyapp.core.learner import owner_filter
from studyapp.core.ratelimit import RateDecision
from studyapp.core.ratelimit import check_rate as core_check_rate
from studyapp.sandbox import jobs
from studyapp.sandbox.callers import front_door, sqs_mapping
from studyapp.sandbox.callers.http_request import parse_request
from studyapp.sandbox.callers.http_responses import ClientResponse
from studyapp.sandbox.jobs import HISTORY_LENGTH
from studyapp.sandbox.models import SandboxRun
from studyapp.sandbox.process_engine import engine
from studyapp.sandbox.runtime import Engine, FunctionConfig, InvokeResult, IsolationUnavailable


def missing_guarantees() -> tuple[str, ...]:
    """What this server's sandbox cannot enforce as Lambda does, for the page to say (none when
    it runs fully isolated, or when it cannot run at all: the run answer says that)."""
    try:
        sandbox = engine()
    except IsolationUnavailable:
        return ()
    return sandbox.host.missing_guarantees if sandbox.degraded else ()


# -- rate limit ---------------------------------------------------------------------------------


def check_rate(request, runs: int = 1) -> RateDecision:
    return core_check_rate(request, "sandbox", settings.SANDBOX_RUNS_PER_MINUTE, cost=runs)


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


def history(request) -> list[SandboxRun]:
    return list(SandboxRun.objects.filter(**owner_filter(request))[:HISTORY_LENGTH])


# -- running code for grading ---------------------------------------------------------------------


def local_runner(sandbox: Engine):
    """Run a function cold on `sandbox` (this process's engine, or check_content's own)."""

    def run(config: FunctionConfig, event_json: str) -> InvokeResult:
        sandbox.reset(config)  # each attempt starts cold, so globals from a previous try do not help
        return sandbox.invoke(config, event_json)

    return run


def code_runner():
    """How a code answer runs: on a sandbox host in the distributed mode (web processes run no
    learner code), else on this process's engine."""
    if settings.SANDBOX_JOBS == "celery":
        return jobs.run_remotely
    return local_runner(engine())


def send_through_front_door(
    run, config: FunctionConfig, kind: str, sample
) -> tuple[InvokeResult, ClientResponse]:
    """Grading through a caller: `sample` (a content SampleRequest) sent through the front door
    `kind`, the function run by `run(config, event_json)`; the invoke and the client's answer."""
    request = parse_request(sample.method, sample.target, sample.headers, sample.body, False)
    result, shown = front_door.send(run, config, kind, request)
    return result, ClientResponse.from_dict(shown["response"])


def send_through_queue(run, config: FunctionConfig, bodies, mapping: dict) -> tuple[InvokeResult, dict]:
    """Grading through a queue: the messages played through an event source mapping, the
    function run by `run(config, event_json)`; the last invoke and the queue's counts."""
    played = sqs_mapping.play(
        lambda config, event_json, **_: run(config, event_json),
        config,
        sqs_mapping.Mapping(**mapping),
        list(bodies),
        0,
    )
    left = len(bodies) - len(played.deleted) - len(played.dead_lettered)
    return played.last_result, played.summary(left)
