"""The distributed mode, one run: gunicorn submitting to Redis, Celery workers as sandbox hosts
(2 threads each) on this machine.

1. Throughput of cold runs: 24 learners press Run at once (distinct code); time until the last
   result with two hosts against one (target >= 1.6x on a machine with enough cores; on a
   2-core machine both hosts share the same two cores, so expect about 1x, and no run lost).
2. "Invoke again" lands warm: one learner invokes one function 40 times (target >= 95%).
"""

import os
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis  # noqa: E402

from bench.common import print_table  # noqa: E402
from bench.sandbox_service import QUICK  # noqa: E402
from tests.support.redis_server import redis_server  # noqa: E402
from tests.support.sandbox_client import Learner, press_at_once  # noqa: E402
from tests.support.servers import (  # noqa: E402
    free_port,
    prepare_site,
    site_env,
    start_gunicorn,
    start_sandbox_host,
    wait_until_host_beats,
    wait_until_up,
)

LEARNERS, WARM_INVOKES = 24, 40
COUNTER = (
    "COUNT = 0\ndef lambda_handler(event, context):\n    global COUNT\n    COUNT += 1\n    return COUNT\n"
)


def stop(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def cold_burst(base: str, tag: str) -> tuple[float, int]:
    took, outcomes = press_at_once(base, [QUICK % n + f"# {tag} {n}\n" for n in range(LEARNERS)])
    return took, outcomes.count("success")


def warm_share(base: str) -> float:
    learner = Learner(base)
    warm = 0
    for n in range(WARM_INVOKES + 1):
        status, public_id = learner.submit(COUNTER)
        assert status == 200, status
        page = learner.result(public_id)  # awaited every time: one run in flight per learner
        warm += n > 0 and "Warm start" in page
    return warm / WARM_INVOKES


def measure(hosts: list[str]) -> tuple[float, int, float]:
    with redis_server() as redis_url, tempfile.TemporaryDirectory() as folder:
        env = site_env(Path(folder) / "hosts.sqlite3", REDIS_URL=redis_url, SANDBOX_JOBS="celery")
        env |= {"SANDBOX_RUNS_PER_MINUTE": "100000"}
        prepare_site(env)
        redis.Redis.from_url(redis_url).flushdb()
        workers = [start_sandbox_host(env, host) for host in hosts]
        port = free_port()
        web = start_gunicorn(env | {"PATH": "/nonexistent"}, port, workers=2, threads=4)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, timeout_s=60)
            for host in hosts:
                wait_until_host_beats(redis_url, host)
            cold_burst(base, "warm-up")  # every host's engine started and its blanks spawned
            took, answered = cold_burst(base, "measured")
            warm = warm_share(base)
        finally:
            for process in [web, *workers]:
                stop(process)
    return took, answered, warm


def main() -> list[tuple]:
    one_s, one_answered, _ = measure(["bench-a"])
    two_s, two_answered, warm = measure(["bench-a", "bench-b"])
    cores = len(os.sched_getaffinity(0))
    print_table(
        f"Distributed mode, one run ({cores} cores; hosts of 2 threads each, on this machine)",
        [
            (f"{LEARNERS} cold runs at once, one host", f"{one_s:.2f} s", f"{one_answered}/{LEARNERS}"),
            (f"{LEARNERS} cold runs at once, two hosts", f"{two_s:.2f} s", f"{two_answered}/{LEARNERS}"),
            ("'Invoke again' landing warm, two hosts", f"{warm:.0%}", f"of {WARM_INVOKES}"),
        ],
        ("measure", "value", "answered"),
    )
    ratio = one_s / two_s
    return [
        (
            "two hosts vs one, cold-run throughput",
            f"{ratio:.2f}x",
            ">= 1.6x with cores to spare (this machine: both hosts share its cores)",
            ratio >= 1.6 or cores < 4,
        ),
        (
            "runs answered, one host / two hosts",
            f"{one_answered}/{LEARNERS}, {two_answered}/{LEARNERS}",
            "all",
            one_answered == two_answered == LEARNERS,
        ),
        ("'Invoke again' lands warm", f"{warm:.0%}", ">= 95%", warm >= 0.95),
    ]


if __name__ == "__main__":
    for row in main():
        print(row)
