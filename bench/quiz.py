"""Quiz benchmark, one run, against the production-like server on SQLite: p50/p95 of answering
a question (POST) and of starting a 50-question exam. Target: answer POST p50 <= 30 ms."""

import re
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table, production_server, summary  # noqa: E402
from tests.support.servers import browser_session  # noqa: E402

STARTS, ANSWERS = 20, 300


def post(opener, url: str, token: str, data: dict) -> tuple[float, int, str]:
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True).encode()
    request = urllib.request.Request(url, data=body, headers={"Referer": url})
    started = time.perf_counter()
    try:
        with opener.open(request) as response:
            status, location, text = response.status, "", response.read().decode()
    except urllib.error.HTTPError as error:  # 302 surfaces as an error without redirects
        status, location, text = error.code, error.headers.get("Location", ""), ""
    return (time.perf_counter() - started) * 1000, status, location or text


def main() -> list[tuple]:
    """Runs the benchmark, prints its tables, returns summary rows (measure, value, target, ok)."""
    with production_server() as base:
        opener, token = browser_session(base)
        start_ms, attempt_url = [], ""
        for _ in range(STARTS):
            elapsed, status, location = post(
                opener, base + "/quiz/exam/", token, {"count": "50", "minutes": "60"}
            )
            assert status == 302, status
            start_ms.append(elapsed)
            attempt_url = location
        attempt = re.search(r"/quiz/a/([\w-]+)/", attempt_url).group(1)
        page = opener.open(base + attempt_url).read().decode()
        total = int(re.search(r"question \d+ of (\d+)", page).group(1))
        kinds = {}
        for position in range(1, total + 1):
            html = opener.open(f"{base}/quiz/a/{attempt}/q/{position}/").read().decode()
            kinds[position] = re.search(r'data-type="(\w+)"', html).group(1)
        answer_ms = []
        for n in range(ANSWERS):
            position = n % total + 1
            data = {"choice": "0"} if kinds[position] in ("single", "truefalse", "multi") else {"value": "1"}
            elapsed, status, _ = post(opener, f"{base}/quiz/a/{attempt}/q/{position}/", token, data)
            assert status == 200, status
            answer_ms.append(elapsed)
    rows = []
    for name, samples in [
        (f"start a {total}-question exam (POST)", start_ms),
        ("answer a question (POST)", answer_ms),
    ]:
        p50, p95 = summary(samples)
        rows.append((name, len(samples), f"{p50:.2f}", f"{p95:.2f}"))
    print_table(
        "Quiz on SQLite through the production-like server (ms), one run",
        rows,
        ("what", "runs", "p50", "p95"),
    )
    answer50 = summary(answer_ms)[0]
    print(f"\nTarget: answer POST p50 <= 30 ms -> {answer50:.2f} ms {'OK' if answer50 <= 30 else 'MISSED'}")
    return [
        ("quiz answer POST p50 (SQLite)", f"{answer50:.2f} ms", "<= 30 ms", answer50 <= 30),
        (f"quiz start a {total}-question exam p50", f"{summary(start_ms)[0]:.2f} ms", "reported", True),
    ]


if __name__ == "__main__":
    main()
