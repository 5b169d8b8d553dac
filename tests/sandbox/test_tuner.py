"""The memory and cost tuner: the learner's function really runs at each memory size (CPU in
proportion to memory), the page draws duration and cost against memory with the cheapest and
the fastest marked, and the tuner's invokes count against the learner's limits and caps."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from studyapp.sandbox import tuner
from studyapp.sandbox.models import SandboxJob
from tests.support.sandbox_client import form

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
CPU_BOUND = (
    "import hashlib\ndef lambda_handler(event, context):\n    digest = b'x'\n"
    "    for _ in range(30000):\n        digest = hashlib.sha256(digest).digest()\n"
    "    return digest.hex()[:8]\n"
)


def tune(client, memories=("128", "1769"), invokes="1", code=CPU_BOUND, **overrides):
    data = form(file_code=[code], timeout_s="10", **overrides) | {
        "tune_memories": list(memories),
        "tune_invokes": invokes,
    }
    return client.post(reverse("sandbox_tune"), data, **HTMX)


def table_rows(page: str) -> dict[int, list[str]]:
    rows = {}
    for memory, cells in re.findall(r'<tr data-memory="(\d+)".*?>(.*?)</tr>', page, re.S):
        rows[int(memory)] = re.findall(r"<td>([^<]*)</td>", cells)
    return rows


def test_the_tuner_runs_each_size_and_marks_the_cheapest_and_the_fastest(client):
    response = tune(client, memories=("128", "512", "1769"))
    assert response.status_code == 200
    page = response.text
    assert 'data-testid="tuner-chart"' in page and "<svg" in page
    rows = table_rows(page)
    assert sorted(rows) == [128, 512, 1769]
    durations = {memory: float(cells[0]) for memory, cells in rows.items()}
    # Every size really ran and was measured. (How CPU follows memory is tested with care in
    # test_cpu_and_budget.py and measured in bench/sandbox_cpu.py: one sample per size here,
    # on cores the parallel tests share, says nothing reliable about it.)
    assert all(duration > 0 for duration in durations.values()), durations
    points = SandboxJob.objects.get().timeline["points"]
    # The table rounds costs to ten decimal places: judge the marks on the exact figures.
    costs = {point["memory_mb"]: Decimal(point["cost"]) for point in points}
    best = tuner.verdict(points)
    assert best.fastest == min(durations, key=durations.get)
    assert best.cheapest == min(costs, key=lambda memory: (costs[memory], durations[memory]))
    assert re.search(r'data-mark="[^"]*cheapest', page) and re.search(r'data-mark="[^"]*fastest', page)
    assert f"Cheapest: <strong>{best.cheapest} MB</strong>" in page
    job = SandboxJob.objects.get()
    assert job.kind == "tune" and job.tune_memories == [128, 512, 1769] and job.done


def test_a_size_that_fails_is_shown_as_failed_not_as_cheap(client):
    hungry = "def lambda_handler(event, context):\n    return len(bytearray(200 * 1024 * 1024))\n"
    page = html.unescape(tune(client, memories=("128", "512"), code=hungry).text)
    assert "Runtime.OutOfMemory" in page
    assert "Cheapest: 512 MB" in re.sub(r"</?strong>", "", page)


def test_the_tuner_refuses_what_the_server_does_not_allow(client, settings):
    above = tune(client, memories=("128", "10240"))
    assert above.status_code == 422
    assert "This sandbox allows up to 3,008 MB: 10,240 MB is above it." in html.unescape(above.text)
    assert tune(client, invokes="6").status_code == 422
    assert "at least two memory sizes" in tune(client, memories=("128",)).text
    settings.SANDBOX_RUNS_PER_MINUTE = 5
    too_many = tune(client, memories=("128", "256", "512"), invokes="1")  # 6 invokes
    assert too_many.status_code == 422 and "need 6 invokes" in too_many.text
    assert not SandboxJob.objects.exists()


def test_the_tuners_invokes_count_against_the_runs_per_minute(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SANDBOX_RUNS_PER_MINUTE = 6
    assert tune(client, invokes="1").status_code == 200  # 2 sizes x (1 + 1) = 4 invokes
    run = client.post(reverse("sandbox_run"), form(), **HTMX)
    assert run.status_code == 200  # the 5th
    assert client.post(reverse("sandbox_run"), form(), **HTMX).status_code == 200  # the 6th
    assert client.post(reverse("sandbox_run"), form(), **HTMX).status_code == 429
    assert tune(client, invokes="1").status_code == 429


def test_the_page_offers_only_the_sizes_the_server_allows(client, settings):
    settings.SANDBOX_MAX_MEMORY_MB = 1024
    page = client.get(reverse("sandbox_home") + "?template=cpu_bound&tune=1").text
    offered = {int(value) for value in re.findall(r'name="tune_memories" value="(\d+)"', page)}
    assert offered == {128, 256, 512, 1024}
    assert '<details class="tuner-settings" id="tuner" open>' in page
    assert "hashlib.sha256" in page  # the prepared CPU-bound example


def test_the_chart_marks_points_without_running_anything():
    points = [
        {"memory_mb": 128, "status": "success", "duration_ms": 800.0, "cost": "0.0000017"},
        {"memory_mb": 1024, "status": "success", "duration_ms": 100.0, "cost": "0.0000018"},
        {"memory_mb": 2048, "status": "success", "duration_ms": 60.0, "cost": "0.0000022"},
        {"memory_mb": 3008, "status": "Sandbox.Timedout", "error": "", "duration_ms": None},
    ]
    best = tuner.verdict(points)
    assert (best.cheapest, best.fastest) == (128, 2048)
    svg = str(tuner.chart(points))
    assert svg.count("<circle") == 3 and svg.count('class="failed"') == 1
    assert "Cheapest: 128 MB. Fastest: 2048 MB." in svg
