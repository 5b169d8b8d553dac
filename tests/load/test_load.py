"""A bounded local load test: topic pages, answer POSTs and sandbox runs mixed for LOAD_SECONDS
(10 in `make test`; `make load` runs 60) against gunicorn with 2 workers on 127.0.0.1 only.
Reports throughput, p50/p95/p99, errors and memory to test-artifacts/load-report.md; any error
other than an intended 429 fails the test."""

import contextlib
import os
import random
import signal
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

from tests.support.servers import (
    browser_session,
    free_port,
    percentile,
    prepare_site,
    site_env,
    start_gunicorn,
    wait_until_up,
)

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="run once, on the default database"
)
SECONDS = float(os.environ.get("LOAD_SECONDS", "10"))
CLIENTS = 12
TOPICS = ["/topics/timeouts/", "/topics/execution-environment-lifecycle/", "/topics/pricing/", "/cheatsheet/"]
HANDLER = "def lambda_handler(event, context):\n    return {'statusCode': 200, 'body': str(event.get('n'))}\n"


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener, self.token = browser_session(base)
        first_question = self.post("/quiz/exam/", {"count": "10", "minutes": "120"})[1]
        self.exam = first_question.rsplit("q/", 1)[0]  # /quiz/a/<id>/

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.token}, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")

    def post(self, path: str, data: dict) -> tuple[int, str]:
        return self.request(path, data)


def rss_kb(pids) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                frontier += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_mixed_load_on_gunicorn(tmp_path, redis_url):
    env = site_env(tmp_path / "load.sqlite3", REDIS_URL=redis_url)
    prepare_site(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port, workers=2, threads=4)
    samples: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    errors: list[str] = []
    lock = threading.Lock()
    try:
        wait_until_up(base)
        clients = [Client(base) for _ in range(CLIENTS)]
        stop_at = time.monotonic() + SECONDS

        def work(client: Client, seed: int):
            rng = random.Random(seed)
            n = 0
            while time.monotonic() < stop_at:
                n += 1
                roll = rng.random()
                if roll < 0.6:
                    kind, call = "topic page", lambda: client.request(rng.choice(TOPICS))
                elif roll < 0.85:
                    position = rng.randint(1, 10)
                    kind, call = (
                        "answer POST",
                        lambda p=position: client.post(f"{client.exam}q/{p}/", {"choice": "0", "value": "1"}),
                    )
                else:
                    kind, call = (
                        "sandbox run",
                        lambda n=n: client.post(
                            "/sandbox/run/",
                            {
                                "files-TOTAL_FORMS": "1",
                                "files-0-name": "lambda_function.py",
                                "files-0-code": HANDLER,
                                "handler": "lambda_function.lambda_handler",
                                "memory_mb": "128",
                                "timeout_s": "3",
                                "invocation_type": "RequestResponse",
                                "event_json": f'{{"n": {n}}}',
                            },
                        ),
                    )
                started = time.perf_counter()
                try:
                    status, _ = call()
                except Exception as error:  # noqa: BLE001 - every failure counts, whatever it is
                    status = -1
                    with lock:
                        errors.append(f"{kind}: {error!r}")
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    samples[kind].append(elapsed)
                    statuses[kind][status] += 1
                    if status >= 500 or (status in (400, 403, 404, 409, 422)):
                        errors.append(f"{kind}: HTTP {status}")

        threads = [threading.Thread(target=work, args=(client, i)) for i, client in enumerate(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        memory_samples = []
        while any(thread.is_alive() for thread in threads):
            memory_samples.append(rss_kb(descendants(server.pid)))
            time.sleep(1)
        duration = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
    report = [
        f"# Load test: {SECONDS:.0f} s, {CLIENTS} clients, gunicorn 2 workers x 4 threads, SQLite",
        "",
        "| request | count | per s | p50 ms | p95 ms | p99 ms | statuses |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, values in sorted(samples.items()):
        report.append(
            f"| {kind} | {len(values)} | {len(values) / duration:.1f} | {statistics.median(values):.1f} | "
            f"{percentile(values, 0.95):.1f} | {percentile(values, 0.99):.1f} | "
            f"{dict(sorted(statuses[kind].items()))} |"
        )
    total = sum(len(v) for v in samples.values())
    report += [
        "",
        f"Total {total} requests, {total / duration:.1f}/s; errors other than 429: {len(errors)}.",
        f"Peak memory of gunicorn and its sandbox environments: {max(memory_samples) / 1024:.0f} MiB.",
    ]
    out = Path(settings.BASE_DIR, "test-artifacts")
    out.mkdir(exist_ok=True)
    (out / "load-report.md").write_text("\n".join(report) + "\n")
    print("\n".join(report))
    assert total > 0
    assert errors == [], errors[:10]
