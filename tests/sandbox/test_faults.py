"""Faults: an environment killed from outside mid-run gives a clear error and the next run works."""

import threading
import time

from tests.sandbox.conftest import function


def test_environment_killed_mid_run(engine):
    config = function("import time\ndef handler(e, c):\n    time.sleep(5)\n    return 'late'\n", timeout_s=8)
    results = []
    thread = threading.Thread(target=lambda: results.append(engine.invoke(config, {})))
    thread.start()
    deadline = time.monotonic() + 5
    victim = None
    while victim is None and time.monotonic() < deadline:
        busy = [env for env in engine.pool.all_environments() if env.fingerprint == config.fingerprint]
        victim = busy[0] if busy and busy[0].cgroup.pids() else None
        time.sleep(0.05)
    assert victim is not None
    time.sleep(0.3)
    victim.cgroup.kill_all()  # what an OOM killer or an operator would do
    thread.join(10)
    result = results[0]
    assert result.status == "error"
    assert result.payload["errorType"] == "Runtime.ExitError"
    assert "Runtime exited with error: signal: killed" in result.payload["errorMessage"]
    assert result.report.status == "error"
    next_run = engine.invoke(function("def handler(e, c):\n    return 'fine'\n# after kill"), {})
    assert next_run.payload == "fine"
