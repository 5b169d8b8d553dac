"""Sandbox engine benchmark, one run: bare interpreter start, cold and warm invokes, the
python-lambda-local runner on the same handler, idle memory per warm environment, and 50
concurrent invokes. Targets: cold p50 <= 1.5x bare python, warm p50 <= 2 ms, >= 50x faster
than python-lambda-local per warm invoke, every concurrent invoke answered.

The engine gives a function CPU in proportion to its memory, as Lambda does: at 128 MB about a
fourteenth of a core, so back-to-back invokes wait for their CPU share (that is the lesson, not
the engine's overhead). The targets are measured at 1,769 MB, one whole vCPU; the same runs at
128 MB are printed beside them."""

import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table, summary, timed_ms  # noqa: E402
from studyapp.sandbox.runtime import Engine, EngineSettings, FunctionConfig  # noqa: E402

HANDLER = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"id": event["id"]})}
"""
EVENT = {"id": "order-42"}
BARE_RUNS, COLD_RUNS, WARM_RUNS, LOCAL_CLI_RUNS, LOCAL_CALL_RUNS = 40, 40, 300, 15, 40


def bare_python_ms(python: str) -> list[float]:
    return [
        timed_ms(lambda: subprocess.run([python, "-I", "-S", "-c", "pass"], check=True))
        for _ in range(BARE_RUNS)
    ]


ONE_VCPU_MB = 1769  # Lambda: one vCPU at 1,769 MB


def cold_ms(
    engine: Engine, code: str = HANDLER, runs: int = COLD_RUNS, memory_mb: int = ONE_VCPU_MB
) -> list[float]:
    """Each run new code, so a cold start, with the blank environments ready as in steady state."""
    samples = []
    for n in range(runs):
        engine.pool.warm_up()
        config = FunctionConfig(
            files={"app.py": code + f"# version {n}\n"},
            handler="app.handler",
            timeout_s=10,
            memory_mb=memory_mb,
        )
        started = time.perf_counter()
        result = engine.invoke(config, EVENT)
        samples.append((time.perf_counter() - started) * 1000)
        assert result.cold_start and result.status == "success", result.payload_json
        engine.reset(config)
    return samples


def warm_ms(engine: Engine, memory_mb: int = ONE_VCPU_MB) -> tuple[list[float], FunctionConfig]:
    config = FunctionConfig(
        files={"app.py": HANDLER + f"# warm {memory_mb}\n"}, handler="app.handler", memory_mb=memory_mb
    )
    engine.invoke(config, EVENT)
    samples = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        result = engine.invoke(config, EVENT)
        samples.append((time.perf_counter() - started) * 1000)
        assert not result.cold_start
    return samples, config


def lambda_local_ms() -> tuple[list[float], list[float]]:
    from lambda_local.context import Context
    from lambda_local.main import call

    work = Path(tempfile.mkdtemp(prefix="bench-lambda-local-"))
    (work / "app.py").write_text(HANDLER)
    (work / "event.json").write_text(json.dumps(EVENT))
    cli = str(Path(sys.executable).with_name("python-lambda-local"))
    cli_samples = [
        timed_ms(
            lambda: subprocess.run(
                [cli, "-f", "handler", "-t", "3", str(work / "app.py"), str(work / "event.json")],
                check=True,
                capture_output=True,
            )
        )
        for _ in range(LOCAL_CLI_RUNS)
    ]
    sys.path.insert(0, str(work))
    import app  # noqa: PLC0415

    logging.disable(logging.INFO)  # python-lambda-local logs every call at INFO
    call_samples = [timed_ms(lambda: call(app.handler, EVENT, Context(3))) for _ in range(LOCAL_CALL_RUNS)]
    return cli_samples, call_samples


def idle_rss_kb(engine: Engine, config: FunctionConfig) -> int:
    env = next(e for e in engine.pool.all_environments() if e.fingerprint == config.fingerprint)
    total = 0
    for pid in env.cgroup.pids():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


BOTO3_HANDLER = """
import boto3
s3 = boto3.client("s3")
def handler(event, context):
    return len(s3.list_buckets()["Buckets"])
"""


def concurrent_burst(engine: Engine, count: int = 50) -> dict[str, int]:
    config = FunctionConfig(
        files={"app.py": HANDLER + "import time\ntime.sleep(0.05)\n# burst\n"}, handler="app.handler"
    )
    outcomes: list[str] = []
    lock = threading.Lock()

    def call():
        status = engine.invoke(config, EVENT).status
        with lock:
            outcomes.append(status)

    threads = [threading.Thread(target=call) for _ in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    hung = sum(thread.is_alive() for thread in threads)
    return {
        "sent": count,
        "answered": len(outcomes),
        "success": outcomes.count("success"),
        "throttled": outcomes.count("throttled"),
        "hung": hung,
        "ms": round((time.perf_counter() - started) * 1000),
    }


def main() -> list[tuple]:
    """Runs the benchmark, prints its tables, returns summary rows (measure, value, target, ok)."""
    engine = Engine(
        EngineSettings(blank_environments=2, max_environments=8, max_concurrency=4, max_memory_mb=ONE_VCPU_MB)
    )
    try:
        engine.pool.warm_up()
        bare = bare_python_ms(engine.host.python)
        cold = cold_ms(engine)
        cold_128 = cold_ms(engine, memory_mb=128)
        warm, warm_config = warm_ms(engine)
        warm_128, _ = warm_ms(engine, memory_mb=128)
        rss_kb = idle_rss_kb(engine, warm_config)
        cli, called = lambda_local_ms()
        burst = concurrent_burst(engine)
    finally:
        engine.close()
    libraries = str(Path(__file__).resolve().parent.parent / ".sandbox-libs")
    aws_engine = Engine(
        EngineSettings(blank_environments=2, libraries_dir=libraries, max_memory_mb=ONE_VCPU_MB)
    )
    try:
        aws_plain = cold_ms(aws_engine)
        aws_boto3 = cold_ms(aws_engine, BOTO3_HANDLER, 10) if aws_engine.aws_available else []
    finally:
        aws_engine.close()
    rows = []
    for name, samples in [
        ("bare `python -I -S -c pass`", bare),
        ("cold invoke (engine, 1,769 MB)", cold),
        ("cold invoke at 128 MB (1/14 of a vCPU)", cold_128),
        ("warm invoke (engine, 1,769 MB)", warm),
        ("warm invoke at 128 MB (1/14 of a vCPU)", warm_128),
        ("python-lambda-local CLI", cli),
        ("python-lambda-local call()", called),
    ]:
        p50, p95 = summary(samples)
        rows.append((name, len(samples), f"{p50:.2f}", f"{p95:.2f}"))
    print_table("Sandbox invoke latency (ms), one run", rows, ("what", "runs", "p50", "p95"))
    bare50, cold50, warm50 = summary(bare)[0], summary(cold)[0], summary(warm)[0]
    cli50, call50 = summary(cli)[0], summary(called)[0]
    ratios = [
        ("cold p50 / bare python p50", f"{cold50 / bare50:.2f}x", "<= 1.5x", cold50 / bare50 <= 1.5),
        ("warm p50", f"{warm50:.2f} ms", "<= 2 ms", warm50 <= 2),
        ("python-lambda-local CLI p50 / warm p50", f"{cli50 / warm50:.0f}x", ">= 50x", cli50 / warm50 >= 50),
        ("python-lambda-local call() p50 / warm p50", f"{call50 / warm50:.1f}x", "(for reference)", True),
    ]
    print_table(
        "Ratios",
        [(n, v, t, "OK" if ok else "MISSED") for n, v, t, ok in ratios],
        ("measure", "value", "target", ""),
    )
    if aws_boto3:
        plain50, boto50 = summary(aws_plain)[0], summary(aws_boto3)[0]
        print_table(
            "In-sandbox AWS (moto), cold starts (ms)",
            [
                ("no boto3, AWS libraries off", f"{cold50:.2f}"),
                ("no boto3, AWS libraries on", f"{plain50:.2f}  ({plain50 / cold50:.2f}x)"),
                ("imports boto3 (starts moto), one S3 call", f"{boto50:.2f}"),
            ],
            ("cold invoke", "p50"),
        )
    print(f"\nIdle warm environment RSS (python + bubblewrap processes): {rss_kb / 1024:.1f} MiB")
    print(f"50 concurrent invokes: {burst}")
    summary_rows = [(f"sandbox {name}", value, target, ok) for name, value, target, ok in ratios[:3]]
    summary_rows.append(("sandbox idle warm environment RSS", f"{rss_kb / 1024:.1f} MiB", "small", True))
    summary_rows.append(
        (
            "sandbox 50 concurrent invokes answered",
            f"{burst['answered']}/50, {burst['hung']} hung",
            "50/50, 0 hung",
            burst["answered"] == 50 and burst["hung"] == 0,
        )
    )
    if aws_boto3:
        summary_rows.append(
            (
                "sandbox cold start, AWS libraries on / off (no boto3)",
                f"{plain50 / cold50:.2f}x",
                "~1x",
                plain50 / cold50 < 1.5,
            )
        )
        summary_rows.append(
            ("sandbox cold start importing boto3 (moto)", f"{boto50:.0f} ms", "reported", True)
        )
    return summary_rows


if __name__ == "__main__":
    main()
