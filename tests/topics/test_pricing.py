"""The calculator's arithmetic, including every worked example from the AWS pricing page."""

from decimal import Decimal

import pytest

from studyapp.content.pricing import Usage, cents, estimate, price_list

EXAMPLES = price_list.__wrapped__().worked_examples


def test_pricing_page_examples_are_captured():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.id)
def test_reproduces_aws_worked_example_to_the_cent(example):
    result = estimate(Usage(**example.inputs), price_list())
    for key, printed in example.expected.items():
        if key not in result.figures:
            continue  # intermediate figures the calculator does not name, e.g. seconds
        ours, printed = result.figures[key], Decimal(str(printed))
        if key.endswith("_charge") or key == "total":
            assert cents(ours) == cents(printed), key
        else:
            assert ours == printed, key
    assert result.total == Decimal(str(example.expected["total"]))


def usage(**overrides) -> Usage:
    base = {
        "requests_per_month": 1_000_000,
        "average_duration_ms": 1000,
        "memory_mb": 1024,
        "free_tier": False,
    }
    return Usage(**(base | overrides))


def test_request_charge_is_twenty_cents_per_million():
    result = estimate(usage(requests_per_month=5_000_000), price_list())
    assert result.figures["request_charge"] == Decimal("1.00")


def test_free_tier_covers_first_million_requests_and_400k_gb_seconds():
    result = estimate(
        usage(requests_per_month=1_000_000, average_duration_ms=400, free_tier=True), price_list()
    )
    assert result.figures["gb_seconds"] == Decimal(400_000)
    assert result.total == Decimal("0.00")


def test_arm_is_cheaper_than_x86_for_the_same_work():
    x86 = estimate(usage(architecture="x86_64"), price_list())
    arm = estimate(usage(architecture="arm64"), price_list())
    assert arm.figures["duration_charge"] < x86.figures["duration_charge"]


def test_duration_above_first_tier_is_priced_at_the_next_tier():
    # 7 billion GB-s on x86: 6 B at tier 1, 1 B at tier 2.
    result = estimate(usage(requests_per_month=7_000_000_000, average_duration_ms=1000), price_list())
    tiers = price_list().architectures["x86_64"].duration_tiers
    expected = 6_000_000_000 * tiers[0].price_per_gb_second + 1_000_000_000 * tiers[1].price_per_gb_second
    assert result.figures["duration_charge"] == cents(expected)
    assert len([s for s in result.lines[-1].steps if "GB-s ×" in s]) == 2


def test_ephemeral_storage_only_bills_above_512_mb():
    included = estimate(usage(ephemeral_storage_mb=512), price_list())
    assert "ephemeral_storage_charge" not in included.figures
    extra = estimate(usage(requests_per_month=100_000_000, ephemeral_storage_mb=10_240), price_list())
    # 100M s x 9.5 GB x $0.0000000309
    assert extra.figures["ephemeral_storage_charge"] == cents(Decimal("950000000") * Decimal("0.0000000309"))


def test_provisioned_concurrency_is_billed_while_idle():
    result = estimate(
        usage(requests_per_month=0, provisioned_concurrency=10, provisioned_hours=1), price_list()
    )
    assert result.figures["provisioned_concurrency_charge"] > 0
    assert result.figures["total"] == result.figures["provisioned_concurrency_charge"]


def test_free_tier_with_provisioned_concurrency_carries_a_note():
    result = estimate(usage(provisioned_concurrency=1, provisioned_hours=1, free_tier=True), price_list())
    assert any("free tier" in note for note in result.notes)


def test_every_line_shows_its_arithmetic():
    result = estimate(
        usage(
            ephemeral_storage_mb=1024,
            provisioned_concurrency=2,
            provisioned_hours=10,
            provisioned_requests=1000,
        ),
        price_list(),
    )
    assert {line.key for line in result.lines} == {
        "request_charge",
        "provisioned_concurrency_charge",
        "provisioned_duration_charge",
        "duration_charge",
        "ephemeral_storage_charge",
    }
    assert all(line.steps and all("=" in step for step in line.steps) for line in result.lines)
