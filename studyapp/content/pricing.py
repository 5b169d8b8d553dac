"""Lambda cost arithmetic from content/pricing.yaml, every step kept so the page can show it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from studyapp.content.files import ContentError, Problem, cached_content, content_path, load_yaml

CENT = Decimal("0.01")
MB_PER_GB = Decimal(1024)
SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True)
class Tier:
    up_to_gb_seconds: Decimal | None  # None: no upper bound
    price_per_gb_second: Decimal


@dataclass(frozen=True)
class ArchitecturePrices:
    duration_tiers: tuple[Tier, ...]
    provisioned_concurrency_price_per_gb_second: Decimal
    provisioned_duration_price_per_gb_second: Decimal


@dataclass(frozen=True)
class WorkedExample:
    id: str
    title: str
    description: str
    inputs: dict
    expected: dict


@dataclass(frozen=True)
class PriceList:
    region: str
    region_name: str
    currency: str
    as_of: dt.date
    source: str
    request_price_per_million: Decimal
    ephemeral_storage_price_per_gb_second: Decimal
    ephemeral_storage_free_mb: int
    free_tier_requests: int
    free_tier_gb_seconds: Decimal
    free_tier_note: str
    architectures: dict[str, ArchitecturePrices]
    excluded: tuple[str, ...]
    worked_examples: tuple[WorkedExample, ...]


@dataclass(frozen=True)
class Usage:
    requests_per_month: int
    average_duration_ms: Decimal
    memory_mb: int
    architecture: str = "x86_64"
    ephemeral_storage_mb: int = 512
    provisioned_concurrency: int = 0
    provisioned_hours: Decimal = Decimal(0)
    provisioned_requests: int = 0  # invocations served by provisioned environments
    provisioned_average_duration_ms: Decimal | None = None  # default: average_duration_ms
    free_tier: bool = True

    @property
    def provisioned_duration_ms(self) -> Decimal:
        if self.provisioned_average_duration_ms is None:
            return self.average_duration_ms
        return Decimal(str(self.provisioned_average_duration_ms))

    def __post_init__(self):
        # Form data, YAML and defaults mix ints, floats and Decimals; money needs Decimals.
        for name in ("average_duration_ms", "provisioned_hours"):
            object.__setattr__(self, name, Decimal(str(getattr(self, name) or 0)))
        for name in (
            "requests_per_month",
            "memory_mb",
            "ephemeral_storage_mb",
            "provisioned_concurrency",
            "provisioned_requests",
        ):
            object.__setattr__(self, name, int(getattr(self, name) or 0))


@dataclass(frozen=True)
class Line:
    key: str  # e.g. "request_charge", the name the pricing page's examples use
    label: str
    steps: tuple[str, ...]  # the arithmetic, one step a string
    amount: Decimal  # rounded to the cent, as AWS shows each charge


@dataclass(frozen=True)
class Estimate:
    usage: Usage
    lines: tuple[Line, ...]
    total: Decimal
    notes: tuple[str, ...] = field(default=())
    figures: dict[str, Decimal] = field(default_factory=dict)  # every named intermediate


def _decimal(value, path: Path, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ContentError(Problem(path, f"'{name}' must be a number"))
    try:
        return Decimal(str(value))
    except ArithmeticError as error:
        raise ContentError(Problem(path, f"'{name}' must be a number: {value!r}")) from error


def _architecture(raw: dict, path: Path, name: str) -> ArchitecturePrices:
    tiers = tuple(
        Tier(
            None
            if tier.get("up_to_gb_seconds") is None
            else _decimal(tier["up_to_gb_seconds"], path, f"{name} tier bound"),
            _decimal(tier["price_per_gb_second"], path, f"{name} tier price"),
        )
        for tier in raw.get("duration_tiers") or []
    )
    if not tiers or tiers[-1].up_to_gb_seconds is not None:
        raise ContentError(Problem(path, f"{name}: duration_tiers must end with an unbounded tier"))
    return ArchitecturePrices(
        duration_tiers=tiers,
        provisioned_concurrency_price_per_gb_second=_decimal(
            raw.get("provisioned_concurrency_price_per_gb_second"), path, f"{name} PC price"
        ),
        provisioned_duration_price_per_gb_second=_decimal(
            raw.get("provisioned_duration_price_per_gb_second"), path, f"{name} PC duration price"
        ),
    )


def parse_price_list(path: Path) -> PriceList:
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(Problem(path, "expected a mapping"))
    try:
        free_tier = data["free_tier"]
        price_list = PriceList(
            region=str(data["region"]),
            region_name=str(data["region_name"]),
            currency=str(data["currency"]),
            as_of=data["as_of"],
            source=str(data["source"]),
            request_price_per_million=_decimal(data["request_price_per_million"], path, "request price"),
            ephemeral_storage_price_per_gb_second=_decimal(
                data["ephemeral_storage_price_per_gb_second"], path, "ephemeral storage price"
            ),
            ephemeral_storage_free_mb=int(data["ephemeral_storage_free_mb"]),
            free_tier_requests=int(free_tier["requests"]),
            free_tier_gb_seconds=_decimal(free_tier["gb_seconds"], path, "free tier GB-s"),
            free_tier_note=str(free_tier.get("note", "")),
            architectures={
                name: _architecture(raw, path, name) for name, raw in data["architectures"].items()
            },
            excluded=tuple(str(item) for item in data.get("excluded", [])),
            worked_examples=tuple(
                WorkedExample(
                    id=str(raw["id"]),
                    title=str(raw["title"]),
                    description=str(raw.get("description", "")),
                    inputs=dict(raw["inputs"]),
                    expected=dict(raw["expected"]),
                )
                for raw in data.get("worked_examples", [])
            ),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise ContentError(Problem(path, f"missing or malformed key: {error}")) from error
    if not isinstance(price_list.as_of, dt.date):
        raise ContentError(Problem(path, "'as_of' must be a date YYYY-MM-DD"))
    if set(price_list.architectures) != {"x86_64", "arm64"}:
        raise ContentError(Problem(path, "architectures must be exactly x86_64 and arm64"))
    return price_list


def pricing_path() -> Path:
    return content_path("pricing.yaml")


@cached_content(lambda: [pricing_path()])
def price_list() -> PriceList:
    return parse_price_list(pricing_path())


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _num(value: Decimal | int) -> str:
    """Show a number the way the pricing page does: thousands separators, no trailing zeros."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".")


def _money(value: Decimal) -> str:
    if value == value.quantize(CENT):
        return f"${value:,.2f}"
    return f"${_num(value)}"


def tiered_duration_charge(gb_seconds: Decimal, tiers: tuple[Tier, ...]) -> tuple[Decimal, list[str]]:
    charge, steps, lower = Decimal(0), [], Decimal(0)
    for tier in tiers:
        upper = tier.up_to_gb_seconds
        in_tier = gb_seconds - lower if upper is None else min(gb_seconds, upper) - lower
        if in_tier <= 0:
            break
        charge += in_tier * tier.price_per_gb_second
        steps.append(
            f"{_num(in_tier)} GB-s × {_money(tier.price_per_gb_second)} = "
            f"{_money(in_tier * tier.price_per_gb_second)}"
        )
        if upper is None:
            break
        lower = upper
    return charge, steps


def estimate(usage: Usage, prices: PriceList) -> Estimate:
    """Monthly cost for one function, computed like the worked examples on the pricing page."""
    arch = prices.architectures[usage.architecture]
    memory_gb = Decimal(usage.memory_mb) / MB_PER_GB
    lines: list[Line] = []
    notes: list[str] = []
    figures: dict[str, Decimal] = {}

    provisioned = usage.provisioned_concurrency > 0 and usage.provisioned_hours > 0
    if usage.free_tier and provisioned:
        notes.append(
            "The pricing page says the free tier does not apply to functions with provisioned "
            "concurrency, yet its own launch-day example applies it. Untick the free tier for "
            "the stricter reading."
        )

    # Requests
    billable_requests = usage.requests_per_month
    request_steps = []
    if usage.free_tier:
        billable_requests = max(0, usage.requests_per_month - prices.free_tier_requests)
        request_steps.append(
            f"{_num(usage.requests_per_month)} − {_num(prices.free_tier_requests)} "
            f"free = {_num(billable_requests)} billable requests"
        )
    request_charge = Decimal(billable_requests) / 1_000_000 * prices.request_price_per_million
    request_steps.append(
        f"{_num(billable_requests)} ÷ 1,000,000 × "
        f"{_money(prices.request_price_per_million)} = {_money(request_charge)}"
    )
    figures["billable_requests"] = Decimal(billable_requests)
    lines.append(Line("request_charge", "Requests", tuple(request_steps), cents(request_charge)))

    # Provisioned concurrency: the configured capacity, whether used or not, then the
    # duration of the requests those environments served, at the lower provisioned rate.
    served = 0
    provisioned_seconds_run = Decimal(0)
    if provisioned:
        pc_seconds = usage.provisioned_hours * SECONDS_PER_HOUR
        pc_gb_seconds = usage.provisioned_concurrency * memory_gb * pc_seconds
        pc_charge = pc_gb_seconds * arch.provisioned_concurrency_price_per_gb_second
        figures["provisioned_gb_seconds"] = pc_gb_seconds
        lines.append(
            Line(
                "provisioned_concurrency_charge",
                "Provisioned concurrency",
                (
                    f"{_num(usage.provisioned_concurrency)} × {_num(memory_gb)} GB × "
                    f"{_num(pc_seconds)} s = {_num(pc_gb_seconds)} GB-s",
                    f"{_num(pc_gb_seconds)} GB-s × {_money(arch.provisioned_concurrency_price_per_gb_second)}"
                    f" = {_money(pc_charge)}",
                ),
                cents(pc_charge),
            )
        )
        served = min(usage.provisioned_requests, usage.requests_per_month)
        duration_ms = usage.provisioned_duration_ms
        provisioned_seconds_run = served * duration_ms / 1000
        pc_duration_gb_s = provisioned_seconds_run * memory_gb
        pc_duration_charge = pc_duration_gb_s * arch.provisioned_duration_price_per_gb_second
        figures["provisioned_duration_gb_seconds"] = pc_duration_gb_s
        lines.append(
            Line(
                "provisioned_duration_charge",
                "Duration on provisioned environments",
                (
                    f"{_num(served)} requests × {_num(duration_ms)} ms ÷ 1,000 × "
                    f"{_num(memory_gb)} GB = {_num(pc_duration_gb_s)} GB-s",
                    f"{_num(pc_duration_gb_s)} GB-s × {_money(arch.provisioned_duration_price_per_gb_second)}"
                    f" = {_money(pc_duration_charge)}",
                ),
                cents(pc_duration_charge),
            )
        )

    # On-demand duration, tiered by monthly GB-seconds
    on_demand_requests = usage.requests_per_month - served
    on_demand_seconds = on_demand_requests * usage.average_duration_ms / 1000
    gb_seconds = on_demand_seconds * memory_gb
    duration_steps = [
        f"{_num(on_demand_requests)} requests × {_num(usage.average_duration_ms)} ms ÷ 1,000 × "
        f"{_num(memory_gb)} GB = {_num(gb_seconds)} GB-s"
    ]
    billable_gb_seconds = gb_seconds
    if usage.free_tier:
        billable_gb_seconds = max(Decimal(0), gb_seconds - prices.free_tier_gb_seconds)
        duration_steps.append(
            f"{_num(gb_seconds)} − {_num(prices.free_tier_gb_seconds)} free = "
            f"{_num(billable_gb_seconds)} billable GB-s"
        )
    duration_charge, tier_steps = tiered_duration_charge(billable_gb_seconds, arch.duration_tiers)
    duration_steps.extend(tier_steps or ["0 GB-s to pay for = $0"])
    figures["gb_seconds"] = gb_seconds
    figures["billable_gb_seconds"] = billable_gb_seconds
    label = "Duration (on demand)" if provisioned else "Duration"
    lines.append(Line("duration_charge", label, tuple(duration_steps), cents(duration_charge)))

    # Ephemeral storage above the free 512 MB, billed for the whole run time
    extra_mb = max(0, usage.ephemeral_storage_mb - prices.ephemeral_storage_free_mb)
    if extra_mb:
        extra_gb = Decimal(extra_mb) / MB_PER_GB
        run_seconds = on_demand_seconds + provisioned_seconds_run
        storage_gb_seconds = run_seconds * extra_gb
        storage_charge = storage_gb_seconds * prices.ephemeral_storage_price_per_gb_second
        figures["ephemeral_gb_seconds"] = storage_gb_seconds
        lines.append(
            Line(
                "ephemeral_storage_charge",
                "Ephemeral storage",
                (
                    f"({_num(usage.ephemeral_storage_mb)} − {prices.ephemeral_storage_free_mb}) MB ÷ 1,024 = "
                    f"{_num(extra_gb)} GB billable",
                    f"{_num(run_seconds)} s × {_num(extra_gb)} GB = {_num(storage_gb_seconds)} GB-s",
                    f"{_num(storage_gb_seconds)} GB-s × "
                    f"{_money(prices.ephemeral_storage_price_per_gb_second)} = {_money(storage_charge)}",
                ),
                cents(storage_charge),
            )
        )

    for line in lines:
        figures[line.key] = line.amount
    total = sum((line.amount for line in lines), Decimal(0))
    figures["total"] = total
    return Estimate(usage=usage, lines=tuple(lines), total=total, notes=tuple(notes), figures=figures)
