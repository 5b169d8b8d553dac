"""CPU in proportion to memory, one run: a CPU-bound handler's duration at 128, 512, 1,769 and
3,008 MB as ratios against the 1,769 MB run (Lambda: about 13.8x, 3.5x, 1x, and no further gain
for a single thread above one vCPU), and a host-side CPU loop timed while one sandbox runs a
64-process hog at the engine's largest memory, against the same loop on an idle host (target
<= 1.3x: the per-environment quota and the engines' CPU budget keep the web app its CPU)."""

import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table  # noqa: E402
from studyapp.sandbox.runtime import Engine, EngineSettings, FunctionConfig  # noqa: E402

MEMORY_SIZES_MB = (128, 512, 1769, 3008)
EXPECTED = {128: 1769 / 128, 512: 1769 / 512, 1769: 1.0, 3008: 1.0}
CPU_BOUND = """
import time
def handler(event, context):
    cpu, wall = time.process_time(), time.monotonic()
    total = 0
    for i in range(event["n"]):
        total += i * i
    return [time.process_time() - cpu, time.monotonic() - wall]
"""
LOOP_N = 6_000_000
HOG = """
import os, time
def spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass

def handler(event, context):
    children = []
    for _ in range(event["processes"] - 1):
        pid = os.fork()
        if pid == 0:
            spin(event["seconds"])
            os._exit(0)
        children.append(pid)
    spin(event["seconds"])
    for pid in children:
        os.waitpid(pid, 0)
    return len(children) + 1
"""
HOG_PROCESSES, HOG_SECONDS = 64, 8.0
HOST_LOOP_RUNS = 5


def handler_runs(engine: Engine, memory_mb: int, runs: int = 3) -> tuple[float, float]:
    """Median warm duration (the REPORT line's) of the CPU-bound handler at `memory_mb`, and
    the median share of one CPU it got (its CPU time over its wall time)."""
    config = FunctionConfig(
        files={"app.py": CPU_BOUND}, handler="app.handler", memory_mb=memory_mb, timeout_s=60
    )
    durations, shares = [], []
    for _ in range(runs + 1):  # the first is the cold start: not counted
        result = engine.invoke(config, {"n": LOOP_N})
        assert result.status == "success", result.payload_json
        cpu_s, wall_s = result.payload
        durations.append(result.report.duration_ms)
        shares.append(cpu_s / wall_s)
    return statistics.median(durations[1:]), statistics.median(shares[1:])


def host_loop_ms() -> float:
    started = time.perf_counter()
    total = 0
    for i in range(LOOP_N):
        total += i * i
    return (time.perf_counter() - started) * 1000


def host_loop_under_hog(engine: Engine, memory_mb: int) -> tuple[list[float], str]:
    config = FunctionConfig(files={"app.py": HOG}, handler="app.handler", memory_mb=memory_mb, timeout_s=60)
    outcome = {}
    hog = threading.Thread(
        target=lambda: outcome.setdefault(
            "result", engine.invoke(config, {"processes": HOG_PROCESSES, "seconds": HOG_SECONDS})
        )
    )
    hog.start()
    time.sleep(1.0)  # every hog process is spinning
    samples = []
    while hog.is_alive() and len(samples) < HOST_LOOP_RUNS:
        samples.append(host_loop_ms())
    hog.join()
    return samples, outcome["result"].status


def main() -> list[tuple]:
    engine = Engine(
        EngineSettings(
            blank_environments=1, max_environments=4, max_memory_mb=3008, max_timeout_s=60, pids_max=80
        )
    )
    try:
        engine.pool.warm_up()
        measured = {memory: handler_runs(engine, memory) for memory in MEMORY_SIZES_MB}
        idle = [host_loop_ms() for _ in range(HOST_LOOP_RUNS)]
        loaded, hog_status = host_loop_under_hog(engine, 3008)
        cores, budget = engine.host.cores, engine.cpu_budget_quota / 100_000
    finally:
        engine.close()
    durations = {memory: measured[memory][0] for memory in MEMORY_SIZES_MB}
    shares = {memory: measured[memory][1] for memory in MEMORY_SIZES_MB}
    base, base_share = durations[1769], shares[1769]
    rows = [
        (
            f"{memory} MB",
            f"{durations[memory]:.0f}",
            f"{durations[memory] / base:.2f}x",
            f"{shares[memory]:.3f}",
            f"{base_share / shares[memory]:.2f}x",
            f"{EXPECTED[memory]:.2f}x",
        )
        for memory in MEMORY_SIZES_MB
    ]
    print_table(
        f"CPU-bound handler, medians of 3 warm runs, one run; {cores} cores, sandboxes' budget "
        f"{budget:g} cores",
        rows,
        ("memory", "duration ms", "vs 1,769 MB", "CPU share", "share vs 1,769 MB", "Lambda"),
    )
    idle50, loaded50 = statistics.median(idle), statistics.median(loaded)
    hog_ratio = loaded50 / idle50
    print_table(
        f"Host CPU loop (ms) while one sandbox runs {HOG_PROCESSES} busy processes at 3,008 MB",
        [
            ("idle host", len(idle), f"{idle50:.1f}"),
            (f"under the hog ({hog_status})", len(loaded), f"{loaded50:.1f}"),
        ],
        ("when", "runs", "p50"),
    )
    # The quota is what the engine sets: judged on the CPU share. Durations are printed beside
    # it; they stretch a little more, as a throttled loop also runs with colder caches.
    share128, share512 = base_share / shares[128], base_share / shares[512]
    return [
        (
            "CPU share, 1,769 MB vs 128 MB (duration ratio)",
            f"{share128:.1f}x ({durations[128] / base:.1f}x)",
            "about 13.8x",
            abs(share128 / EXPECTED[128] - 1) <= 0.1,
        ),
        (
            "CPU share, 1,769 MB vs 512 MB (duration ratio)",
            f"{share512:.1f}x ({durations[512] / base:.1f}x)",
            "about 3.5x",
            abs(share512 / EXPECTED[512] - 1) <= 0.1,
        ),
        (
            "CPU share, 3,008 MB vs 1,769 MB (duration ratio)",
            f"{shares[3008] / base_share:.2f}x ({durations[3008] / base:.2f}x)",
            "about 1x (one thread)",
            abs(shares[3008] / base_share - 1) <= 0.1,
        ),
        ("host loop under a 64-process hog vs idle", f"{hog_ratio:.2f}x", "<= 1.3x", hog_ratio <= 1.3),
    ]


if __name__ == "__main__":
    for row in main():
        print(row)
