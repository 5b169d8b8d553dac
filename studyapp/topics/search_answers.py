"""What search can answer outright: a limit from limits.yaml, a price from pricing.yaml. Each
becomes one row of the index's answer table (its name and the words a learner would use for
it) and, when a query names it, a card at the top of the results."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from studyapp.content.limits import LimitSheet
from studyapp.content.pricing import PriceList

# Words the unit of a limit implies: "payload size" finds a limit measured in MB.
UNIT_WORDS = {
    "KB": "size bytes",
    "MB": "size bytes",
    "GB": "size bytes",
    "seconds": "time duration seconds",
    "minutes": "time duration",
    "ms": "time duration milliseconds",
    "hours": "time duration",
    "days": "time duration",
}
ARCHITECTURE_WORDS = {"x86_64": "x86 x86_64 intel amd", "arm64": "arm arm64 graviton"}


@dataclass(frozen=True)
class Answer:
    key: str  # "limit:<id>" or "pricing:<path in pricing.yaml>": what the relevance set names
    name: str
    value: str
    detail: str  # default, adjustable, unit notes
    note: str
    source: str
    link: str  # where the site shows it
    keywords: str
    group: str = ""  # searched with the note: "function" in "Function URLs and API Gateway"
    # must not make every limit of that group an answer to "function"

    @property
    def is_limit(self) -> bool:
        return self.key.startswith("limit:")


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def limit_answers(sheet: LimitSheet) -> list[Answer]:
    answers = []
    for group in sheet.groups:
        for limit in group.limits:
            unit = "" if limit.unit == "count" else limit.unit
            value = f"{_number(limit.value)} {unit}".strip()
            if limit.minimum is not None:
                value = f"{_number(limit.minimum)} – {value}"
            detail = []
            if limit.default is not None:
                detail.append(f"Default {_number(limit.default)} {unit}".strip())
            detail.append("Can be raised" if limit.adjustable else "Cannot be raised")
            answers.append(
                Answer(
                    key=f"limit:{limit.id}",
                    name=limit.name,
                    value=value,
                    detail=" · ".join(detail),
                    note=limit.note,
                    group=group.name,
                    source=limit.source,
                    link=f"/cheatsheet/#limit-{limit.id}",
                    keywords=" ".join(
                        [
                            limit.id.replace("_", " "),
                            UNIT_WORDS.get(limit.unit, ""),
                            value,
                            "limit quota",
                        ]
                    ),
                )
            )
    return answers


def _price(amount: Decimal) -> str:
    return f"${amount.normalize():f}"


def price_answers(prices: PriceList) -> list[Answer]:
    where = f"{prices.region_name}, as of {prices.as_of:%-d %B %Y}"
    common = {"source": prices.source, "link": "/pricing/"}
    answers = [
        Answer(
            key="pricing:request_price_per_million",
            name="Price per request",
            value=f"{_price(prices.request_price_per_million)} per million requests",
            detail=where,
            note="Every invocation is billed, whatever it does; duration is billed on top.",
            keywords="price cost rate charge request requests invocation invocations per million",
            **common,
        ),
        Answer(
            key="pricing:ephemeral_storage_price_per_gb_second",
            name="Price of ephemeral storage (/tmp) above the free 512 MB",
            value=f"{_price(prices.ephemeral_storage_price_per_gb_second)} per GB-second",
            detail=where,
            note=f"The first {prices.ephemeral_storage_free_mb} MB of /tmp are included.",
            keywords="price cost rate charge ephemeral storage tmp disk gb second",
            **common,
        ),
        Answer(
            key="pricing:free_tier",
            name="Free tier",
            value=(
                f"{prices.free_tier_requests:,} requests and "
                f"{prices.free_tier_gb_seconds:,} GB-seconds a month"
            ),
            detail=where,
            note=prices.free_tier_note,
            keywords="price cost free tier monthly allowance",
            **common,
        ),
    ]
    for name, arch in prices.architectures.items():
        words = ARCHITECTURE_WORDS.get(name, name)
        first = arch.duration_tiers[0]
        answers += [
            Answer(
                key=f"pricing:architectures.{name}.duration_tiers.0.price_per_gb_second",
                name=f"Duration price, {name} (first tier)",
                value=f"{_price(first.price_per_gb_second)} per GB-second",
                detail=where + " · lower rates past the first tier's monthly GB-seconds",
                note="Billed per millisecond of run time, multiplied by the memory configured.",
                keywords=f"price cost rate charge duration compute gb second {words}",
                **common,
            ),
            Answer(
                key=f"pricing:architectures.{name}.provisioned_concurrency_price_per_gb_second",
                name=f"Provisioned concurrency price, {name}",
                value=(
                    f"{_price(arch.provisioned_concurrency_price_per_gb_second)} per GB-second enabled, "
                    f"plus {_price(arch.provisioned_duration_price_per_gb_second)} per GB-second of duration"
                ),
                detail=where,
                note="Charged while enabled, even when no request arrives.",
                keywords=f"price cost rate charge provisioned concurrency pc gb second hour hourly {words}",
                **common,
            ),
        ]
    return answers
