"""The memory and cost tuner (what AWS Lambda Power Tuning does on real AWS): run one function
with its event at several memory sizes, CPU allotted in proportion as Lambda does, a few warm
invokes at each, and compare the average duration and the cost per invoke.

At each size the first invoke is a cold start: it warms the environment up and is left out of
the averages (its INIT would weigh on one sample in a handful); the environment is reset
afterwards, so the sizes never hold memory at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from studyapp.content.pricing import price_list
from studyapp.sandbox.runtime import FunctionConfig, InvokeResult

MEMORY_CHOICES = (128, 256, 512, 1024, 1536, 1769, 2048, 3008, 4096, 6144, 8192, 10240)
DEFAULT_MEMORIES = (128, 256, 512, 1024, 1769, 3008)
DEFAULT_INVOKES = 3
MAX_INVOKES = 5


def memory_choices(max_memory_mb: int) -> list[int]:
    return [memory for memory in MEMORY_CHOICES if memory <= max_memory_mb]


def runs_needed(memories: list[int], invokes: int) -> int:
    """Invokes the tuner makes: a warm-up and `invokes` measured ones at each size."""
    return len(memories) * (invokes + 1)


def cost_per_invoke(billed_ms: float, memory_mb: int, architecture: str) -> Decimal:
    prices = price_list()
    rate = prices.architectures[architecture].duration_tiers[0].price_per_gb_second
    gb_seconds = Decimal(str(billed_ms)) / 1000 * Decimal(memory_mb) / 1024
    return gb_seconds * rate + prices.request_price_per_million / 1_000_000


def tune(
    invoke: Callable[[FunctionConfig, str], InvokeResult],
    reset: Callable[[FunctionConfig], object],
    config: FunctionConfig,
    event_json: str,
    memories: list[int],
    invokes: int,
    progress: Callable[[list[dict]], None],
) -> list[dict]:
    """One point per memory size (as JSON-ready dicts); `progress` gets the points so far."""
    points: list[dict] = []
    for memory_mb in memories:
        sized = dataclasses.replace(config, memory_mb=memory_mb)
        reset(sized)
        try:
            points.append(_measure(invoke, sized, event_json, invokes))
        finally:
            reset(sized)  # the next size starts with this one's memory given back
        progress(points)
    return points


def _measure(invoke, config: FunctionConfig, event_json: str, invokes: int) -> dict:
    point = {"memory_mb": config.memory_mb, "status": "success", "error": ""}
    results = [invoke(config, event_json) for _ in range(invokes + 1)][1:]
    failed = next((result for result in results if result.status != "success"), None)
    if failed is not None or any(result.report is None for result in results):
        failed = failed or results[0]
        error = failed.payload if isinstance(failed.payload, dict) else {}
        point.update(
            status=failed.error_type or failed.status, error=str(error.get("errorMessage", ""))[:300]
        )
        return point
    durations = [result.report.duration_ms for result in results]
    billed = sum(result.report.billed_duration_ms for result in results) / len(results)
    cost = cost_per_invoke(billed, config.memory_mb, config.architecture)
    point.update(
        durations_ms=[round(duration, 2) for duration in durations],
        duration_ms=round(sum(durations) / len(durations), 2),
        billed_ms=round(billed, 1),
        max_memory_used_mb=max(result.report.max_memory_used_mb for result in results),
        cost=str(cost),
        per_million=str((cost * 1_000_000).quantize(Decimal("0.01"))),
    )
    return point


@dataclasses.dataclass(frozen=True)
class Verdict:
    cheapest: int | None  # memory sizes
    fastest: int | None


def verdict(points: list[dict]) -> Verdict:
    measured = [point for point in points if point["status"] == "success"]
    if not measured:
        return Verdict(None, None)
    cheapest = min(measured, key=lambda point: (Decimal(point["cost"]), point["duration_ms"]))
    fastest = min(measured, key=lambda point: (point["duration_ms"], Decimal(point["cost"])))
    return Verdict(cheapest["memory_mb"], fastest["memory_mb"])


# -- the chart --------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 84, 24, 64


def chart(points: list[dict]) -> SafeString:
    """Duration (left axis, ms) and cost per invoke (right axis, $) against memory, as inline
    SVG; the cheapest and the fastest sizes marked. Failed sizes show as a cross on the axis."""
    if not points:
        return SafeString("")
    measured = [point for point in points if point["status"] == "success"]
    best = verdict(points)
    step = (WIDTH - LEFT - RIGHT) / max(1, len(points) - 1)
    xs = {point["memory_mb"]: LEFT + index * step for index, point in enumerate(points)}
    top_ms = max((point["duration_ms"] for point in measured), default=1) or 1
    top_cost = max((Decimal(point["cost"]) for point in measured), default=Decimal(1)) or Decimal(1)
    plot_h = HEIGHT - TOP - BOTTOM

    def y_ms(value: float) -> float:
        return TOP + plot_h * (1 - value / (top_ms * 1.1))

    def y_cost(value: Decimal) -> float:
        return TOP + plot_h * (1 - float(value / (top_cost * Decimal("1.1"))))

    duration_path = " ".join(f"{xs[p['memory_mb']]:.1f},{y_ms(p['duration_ms']):.1f}" for p in measured)
    cost_path = " ".join(f"{xs[p['memory_mb']]:.1f},{y_cost(Decimal(p['cost'])):.1f}" for p in measured)
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" class="tick">{}</text>',
        ((f"{xs[p['memory_mb']]:.1f}", HEIGHT - BOTTOM + 18, p["memory_mb"]) for p in points),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" class="duration-dot"><title>{} MB: {} ms</title></circle>'
        '<rect x="{}" y="{}" width="7" height="7" class="cost-dot">'
        "<title>{} MB: ${} per invoke</title></rect>",
        (
            (
                f"{xs[p['memory_mb']]:.1f}",
                f"{y_ms(p['duration_ms']):.1f}",
                p["memory_mb"],
                p["duration_ms"],
                f"{xs[p['memory_mb']] - 3.5:.1f}",
                f"{y_cost(Decimal(p['cost'])) - 3.5:.1f}",
                p["memory_mb"],
                p["cost"],
            )
            for p in measured
        ),
    )
    failures = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" class="failed">✕<title>{} MB: {}</title></text>',
        (
            (f"{xs[p['memory_mb']]:.1f}", HEIGHT - BOTTOM - 6, p["memory_mb"], p["status"])
            for p in points
            if p["status"] != "success"
        ),
    )
    marks = SafeString("")
    labels: dict[int, list[str]] = {}
    for memory, label in ((best.cheapest, "cheapest"), (best.fastest, "fastest")):
        if memory is not None:
            labels.setdefault(memory, []).append(label)
    for memory, names in labels.items():
        marks += format_html(
            '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" class="mark-line"/>'
            '<text x="{x}" y="{label_y}" text-anchor="middle" class="mark-label" data-mark="{marks}">'
            "{text}</text>",
            x=f"{xs[memory]:.1f}",
            top=TOP,
            bottom=HEIGHT - BOTTOM,
            label_y=HEIGHT - BOTTOM + 34,  # under the size's tick
            marks=" ".join(names),
            text=", ".join(names),
        )
    summary = _summary(points, best)
    return format_html(
        '<svg class="tuner-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="tuner-title tuner-desc"'
        ' data-testid="tuner-chart">'
        '<title id="tuner-title">Duration and cost per invoke against memory</title>'
        '<desc id="tuner-desc">{summary}</desc>'
        '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" class="axis"/>'
        '<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" class="axis"/>'
        '<line x1="{right}" y1="{top}" x2="{right}" y2="{base}" class="axis"/>'
        '<text x="{left}" y="{top_label}" class="axis-label duration-label">{top_ms} ms</text>'
        '<text x="{right}" y="{top_label}" text-anchor="end" class="axis-label cost-label">${top_cost}</text>'
        '<text x="{mid}" y="{h_label}" text-anchor="middle" class="axis-label">Memory (MB)</text>'
        '{marks}<polyline points="{duration_path}" class="duration-line"/>'
        '<polyline points="{cost_path}" class="cost-line"/>{dots}{ticks}{failures}</svg>',
        w=WIDTH,
        h=HEIGHT,
        summary=summary,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        base=HEIGHT - BOTTOM,
        top_label=TOP - 8,
        top_ms=f"{top_ms * 1.1:,.0f}",
        top_cost=f"{top_cost * Decimal('1.1'):.8f}",
        mid=(LEFT + WIDTH - RIGHT) / 2,
        h_label=HEIGHT - 8,
        marks=marks,
        duration_path=duration_path,
        cost_path=cost_path,
        dots=dots,
        ticks=ticks,
        failures=failures,
    )


def _summary(points: list[dict], best: Verdict) -> str:
    if best.cheapest is None:
        return "No memory size ran successfully."
    return f"{len(points)} memory sizes. Cheapest: {best.cheapest} MB. Fastest: {best.fastest} MB."
