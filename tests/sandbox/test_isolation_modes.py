"""Host support: what the engine detects, refusing without bubblewrap, and the rlimit fallback."""

import dataclasses
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings

from studyapp.sandbox.runtime import Engine, EngineSettings, FunctionConfig, IsolationUnavailable
from studyapp.sandbox.runtime.isolation import detect
from tests.sandbox.conftest import (
    TEST_SETTINGS,
    function,
    processes_of_uid_range,
    wait_for_no_leftover_processes,
)
from tests.support.uids import uid_base

HELLO = FunctionConfig(files={"app.py": "def handler(e, c):\n    return 'hi'\n"}, handler="app.handler")


def test_this_host_offers_bubblewrap_and_cgroups():
    host = detect()
    assert host.isolated
    assert host.cgroup_mode in {"v1", "v2", "rlimit"}
    if host.cgroup_mode == "rlimit":
        assert any("RLIMIT_AS" in note for note in host.notes)  # the fallback says so


def test_without_bubblewrap_the_engine_refuses_with_instructions():
    host = dataclasses.replace(detect(), bwrap=None)
    with pytest.raises(IsolationUnavailable, match="apt install bubblewrap"):
        Engine(EngineSettings(), host=host)


def test_unisolated_runs_only_when_explicitly_allowed():
    host = dataclasses.replace(detect(), bwrap=None, cgroup_mode="rlimit")
    engine = Engine(dataclasses.replace(TEST_SETTINGS, allow_unisolated=True, uid_base=uid_base()), host=host)
    try:
        assert engine.invoke(HELLO, {}).payload == "hi"
    finally:
        engine.close()


def test_rlimit_fallback_still_stops_fork_bombs_and_memory_bombs():
    host = dataclasses.replace(detect(), cgroup_mode="rlimit")
    engine = Engine(dataclasses.replace(TEST_SETTINGS, uid_base=uid_base(), pids_max=16), host=host)
    try:
        forks = engine.invoke(
            function("""
            import os
            def handler(event, context):
                children = 0
                try:
                    while True:
                        if os.fork() == 0:
                            import time
                            time.sleep(600)
                        children += 1
                except OSError:
                    return children
        """),
            {},
        )
        assert forks.status == "success" and forks.payload <= 20
        memory = engine.invoke(
            function("""
            def handler(event, context):
                try:
                    blob = b"x" * (2 * 1024 * 1024 * 1024)
                except MemoryError:
                    return "MemoryError"
        """),
            {},
        )
        # Without a memory cgroup the cap is an address-space limit: catchable, unlike Lambda.
        assert memory.payload == "MemoryError"
    finally:
        engine.close()
    assert wait_for_no_leftover_processes(engine) == []


def test_fifty_concurrent_invokes_are_all_answered(engine):
    config = function("import time\ndef handler(e, c):\n    time.sleep(0.05)\n    return e['n']\n")
    answers: dict[int, str] = {}
    lock = threading.Lock()

    def call(n):
        result = engine.invoke(config, {"n": n})
        with lock:
            answers[n] = result.status if result.status != "success" or result.payload == n else "wrong"

    threads = [threading.Thread(target=call, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads)
    assert len(answers) == 50
    assert set(answers.values()) <= {"success", "throttled"}
    assert "success" in answers.values()


KILLED_APP = """
import os, signal
from studyapp.sandbox.runtime import Engine, EngineSettings, FunctionConfig
engine = Engine(EngineSettings(uid_base={base}, blank_environments=1, max_environments=2))
function = FunctionConfig(files={{"app.py": "def handler(e, c):\\n    return 1\\n"}}, handler="app.handler")
print(engine.invoke(function, "{{}}").status, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no atexit, no close: as when the app is killed
"""


def test_a_new_engine_clears_environments_that_a_killed_app_left_frozen():
    base = uid_base()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_APP.format(base=base)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.stdout.strip() == "success", killed.stderr
    time.sleep(0.5)  # the kernel delivers die-with-parent signals to whatever is not frozen
    assert processes_of_uid_range(base, base + 10), "the idle environment should outlive the app, frozen"
    Engine(dataclasses.replace(TEST_SETTINGS, uid_base=uid_base(), blank_environments=0)).close()
    deadline = time.monotonic() + 5
    while processes_of_uid_range(base, base + 10) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_of_uid_range(base, base + 10) == []
