"""The sandbox as a service, one run: gunicorn as `make serve` runs it (2 workers x 4 threads,
Redis for the shared limits, jobs on the embedded executor).

1. Pages while the sandbox is saturated: topic page p95 while 8 learners run 25-second handlers
   and 20 more wait in the queue, against the same p95 with the sandbox idle (target <= 1.5x).
2. 50 learners pressing Run at once, each with distinct code: 50 results, none refused or lost,
   and the time until the last result <= 1.5 x (50 x one cold run / cores).
"""

import os
import signal
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table  # noqa: E402
from tests.support.redis_server import redis_server  # noqa: E402
from tests.support.sandbox_client import Learner, press_at_once, status_of  # noqa: E402
from tests.support.servers import (  # noqa: E402
    free_port,
    percentile,
    prepare_site,
    site_env,
    start_gunicorn,
    wait_until_up,
)

TOPIC = "/topics/memory-and-cpu/"
PAGE_SAMPLES = 60
SLEEPER = "import time\ndef lambda_handler(event, context):\n    time.sleep(25)\n    return 'slept'\n"
QUICK = "def lambda_handler(event, context):\n    return {'n': %d}\n"


def page_p95(base: str) -> float:
    samples = []
    for _ in range(PAGE_SAMPLES):
        started = time.perf_counter()
        urllib.request.urlopen(base + TOPIC, timeout=60).read()
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 0.95)


def saturated_pages(base: str) -> tuple[float, float, int]:
    idle = page_p95(base)
    learners = [Learner(base) for _ in range(28)]
    submitted = [
        learner.submit(SLEEPER + f"# learner {n}\n", timeout_s="30") for n, learner in enumerate(learners)
    ]
    time.sleep(2)  # 8 running (4 threads in each of 2 workers), 20 waiting
    busy = page_p95(base)
    return idle, busy, sum(status == 200 for status, _ in submitted)


def one_cold_run_s(base: str) -> float:
    learner = Learner(base)
    samples = []
    for n in range(5):
        started = time.perf_counter()
        status, public_id = learner.submit(QUICK % (1000 + n))
        assert status == 200 and status_of(learner.result(public_id)) == "success"
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> list[tuple]:
    with redis_server() as redis_url, tempfile.TemporaryDirectory() as folder:
        env = site_env(
            Path(folder) / "bench.sqlite3",
            REDIS_URL=redis_url,
            SANDBOX_JOBS="embedded",
            SANDBOX_RUNS_PER_MINUTE="1000",
        )
        prepare_site(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(env, port, workers=2, threads=4)
        try:
            wait_until_up(base, timeout_s=60)
            cold_s = one_cold_run_s(base)
            took_s, outcomes = press_at_once(base, [QUICK % n for n in range(50)])
            idle, busy, accepted = saturated_pages(base)
        finally:
            # The queued 25-second runs would hold a graceful stop for minutes: stop at once.
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(30)
    cores = len(os.sched_getaffinity(0))
    bound_s = 1.5 * 50 * cold_s / cores
    answered = sum(outcome == "success" for outcome in outcomes)
    print_table(
        "Sandbox as a service, one run (gunicorn 2 x 4 threads, embedded executor)",
        [
            ("topic page p95, sandbox idle", f"{idle:.1f} ms"),
            (f"topic page p95, 8 running + 20 queued ({accepted} accepted)", f"{busy:.1f} ms"),
            ("one cold run, press to result (median of 5)", f"{cold_s * 1000:.0f} ms"),
            ("50 learners at once: answered / refused or lost", f"{answered} / {50 - answered}"),
            ("50 learners at once: until the last result", f"{took_s:.1f} s (bound {bound_s:.1f} s)"),
        ],
        ("measure", "value"),
    )
    return [
        ("topic p95 saturated vs idle", f"{busy / idle:.2f}x", "<= 1.5x", busy / idle <= 1.5),
        ("50 at once: results", f"{answered}/50", "50, none refused or lost", answered == 50),
        ("50 at once: last result", f"{took_s:.1f} s", f"<= {bound_s:.1f} s", took_s <= bound_s),
    ]


if __name__ == "__main__":
    for row in main():
        print(row)
