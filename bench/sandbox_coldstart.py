"""Cold starts and the library set, one run: the cold start of a handler that imports nothing,
with the emulator's libraries off the handler's path (today's layout), against the layout where
everything the emulator needs was on the handler's path too (target <= 1.1x), and against no
libraries at all; then the cold start of a handler that imports boto3.

A cold start here is what a learner waits for when an environment is ready (a blank one is
pre-spawned, as Lambda keeps capacity warm): INIT (the runtime, the handler module's imports)
and the invoke. AWS publishes no Python INIT figure; its "Operating Lambda" guide says cold
starts range from under 100 ms to over 1 s, typically in under 1% of invocations."""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table  # noqa: E402
from studyapp.sandbox.runtime import Engine, EngineSettings, FunctionConfig  # noqa: E402
from studyapp.sandbox.runtime.libraries import EMULATOR_PACKAGES, RUNTIME_PACKAGES  # noqa: E402

LIBRARIES = Path(__file__).resolve().parent.parent / ".sandbox-libs"
BARE = "def handler(event, context):\n    return 1\n"
BOTO3 = "import boto3\ns3 = boto3.client('s3')\ndef handler(event, context):\n    return 1\n"
RUNS = 9


def cold_starts(libraries: str | None, code: str) -> tuple[float, float]:
    """Median INIT duration (the REPORT line's) and median wall time of cold invokes."""
    engine = Engine(EngineSettings(blank_environments=1, max_environments=4, libraries_dir=libraries))
    inits, walls = [], []
    try:
        config = FunctionConfig(files={"app.py": code}, handler="app.handler", timeout_s=30)
        for _ in range(RUNS + 1):
            engine.reset(config)
            engine.pool.warm_up()  # a blank environment is ready, as on a warm fleet
            started = time.perf_counter()
            result = engine.invoke(config, {})
            walls.append((time.perf_counter() - started) * 1000)
            assert result.status == "success" and result.cold_start, result.payload_json
            inits.append(result.report.init_duration_ms)
    finally:
        engine.close()
    return statistics.median(inits[1:]), statistics.median(walls[1:])  # the first warms caches


def old_layout(folder: Path) -> str:
    """Before: the emulator's libraries on the handler's path (both folders hold everything)."""
    (folder / RUNTIME_PACKAGES).symlink_to(LIBRARIES / EMULATOR_PACKAGES)
    (folder / EMULATOR_PACKAGES).symlink_to(LIBRARIES / EMULATOR_PACKAGES)
    return str(folder)


def main() -> list[tuple]:
    with tempfile.TemporaryDirectory() as folder:
        before = cold_starts(old_layout(Path(folder)), BARE)
    after = cold_starts(str(LIBRARIES), BARE)
    bare = cold_starts(None, BARE)
    boto3 = cold_starts(str(LIBRARIES), BOTO3)
    rows = [
        ("imports nothing, emulator libraries on its path (before)", *before),
        ("imports nothing, runtime set only (now)", *after),
        ("imports nothing, no libraries bound", *bare),
        ("imports boto3 and makes a client (now)", *boto3),
    ]
    print_table(
        f"Cold starts, medians of {RUNS}, one run",
        [(name, f"{init:.1f}", f"{wall:.1f}") for name, init, wall in rows],
        ("handler", "Init Duration ms", "invoke wall ms"),
    )
    ratio = after[1] / before[1]
    print(f"now / before (wall): {ratio:.2f}x (target <= 1.1x); boto3 client INIT {boto3[0]:.0f} ms")
    return [
        ("cold start, import-nothing handler, now / before", f"{ratio:.2f}x", "<= 1.1x", ratio <= 1.1),
        ("cold start INIT of a boto3 handler", f"{boto3[0]:.0f} ms", "AWS: <100 ms to >1 s", True),
    ]


if __name__ == "__main__":
    main()
