"""Helpers shared by the benchmarks: a production-like WSGI server, percentiles, a table printer.
Servers and clients the tests use too live in tests/support/servers.py; this imports them."""

import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager

from tests.support.servers import PRODUCTION_ENV, ROOT, free_port, manage, percentile


def summary(samples_ms: list[float]) -> tuple[float, float]:
    return statistics.median(samples_ms), percentile(samples_ms, 0.95)


@contextmanager
def production_server():
    """collectstatic + migrate, then serve the app on a free loopback port in a subprocess."""
    manage("collectstatic", "--noinput", "--clear")
    manage("migrate", "--noinput")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "serve_wsgi.py"), str(port)],
        cwd=ROOT,
        env=os.environ | PRODUCTION_ENV,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if process.stdout.readline().strip() != "READY":
            raise RuntimeError("benchmark server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def print_table(title: str, rows: list[tuple], headers: tuple) -> None:
    print(f"\n{title}")
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def timed_ms(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000
