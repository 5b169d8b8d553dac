"""Host support: what the engine detects, refusing without bubblewrap, and the rlimit fallback."""

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from studyapp.sandbox import service
from studyapp.sandbox.runtime import (
    Engine,
    EngineSettings,
    FunctionConfig,
    IsolationUnavailable,
    reachable,
    uid_ranges,
)
from studyapp.sandbox.runtime.cgroups import Cgroup, cleanup_group, process_alive
from studyapp.sandbox.runtime.host import detect
from tests.sandbox.conftest import (
    TEST_SETTINGS,
    function,
    wait_for_no_leftover_processes,
)

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
    engine = Engine(dataclasses.replace(TEST_SETTINGS, allow_unisolated=True), host=host)
    try:
        assert engine.invoke(HELLO, {}).payload == "hi"
    finally:
        engine.close()


def test_rlimit_fallback_still_stops_fork_bombs_and_memory_bombs():
    host = dataclasses.replace(detect(), cgroup_mode="rlimit")
    engine = Engine(dataclasses.replace(TEST_SETTINGS, pids_max=16, allow_degraded=True), host=host)
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
engine = Engine(EngineSettings(blank_environments=1, max_environments=2))
print(os.getpid(), engine.uid_base, flush=True)
function = FunctionConfig(files={"app.py": "def handler(e, c):\\n    return 1\\n"}, handler="app.handler")
print(engine.invoke(function, "{}").status, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no atexit, no close: as when the app is killed
"""


def processes_of_engine(engine_pid: str) -> list[int]:
    """Host processes in the cgroups of the engine that ran as `engine_pid` (its uid range may
    already belong to another engine: the kernel freed its lock when it died)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and f"/coldstart-{engine_pid}-" in (entry / "cgroup").read_text():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_new_engine_clears_environments_that_a_killed_app_left_frozen():
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_APP],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    killed_pid, _, status = killed.stdout.split()
    assert status == "success", killed.stderr
    # Its idle environment is frozen, so bubblewrap's die-with-parent signal cannot reach it:
    # without a sweep it would stay forever. (Any engine made meanwhile, in another test process
    # too, sweeps it; so this checks that it goes, not who removes it.)
    Engine(dataclasses.replace(TEST_SETTINGS, blank_environments=0)).close()
    deadline = time.monotonic() + 5
    while processes_of_engine(killed_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_of_engine(killed_pid) == []
    assert not list(Path(tempfile.gettempdir()).glob(f"coldstart-sandbox-{killed_pid}-*"))  # code too


HOLD_A_RANGE = """
import sys, time
from studyapp.sandbox.runtime import uid_ranges
held = uid_ranges.claim(int(sys.argv[1]), 10)
print(held.base, flush=True)
time.sleep(60)
"""


def test_engines_in_any_process_hold_ranges_of_their_own():
    """Two engines here, and one range held by another process (a second gunicorn worker):
    every range is distinct, and a range is free again once its holder is gone."""
    start = 900_000  # away from the ranges the rest of the suite claims from 200,000
    other = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_RANGE, str(start)],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        held_elsewhere = int(other.stdout.readline())
        first = uid_ranges.claim(start, 10)
        second = uid_ranges.claim(start, 10)
        assert len({held_elsewhere, first.base, second.base}) == 3
        assert all(base % uid_ranges.RANGE_SIZE == 0 and base >= start for base in (first.base, second.base))
    finally:
        other.kill()
        other.wait(10)
    again = uid_ranges.claim(start, 10)
    assert again.base == held_elsewhere  # the kernel dropped the dead holder's lock
    for claimed in (first, second, again):
        claimed.release()


def test_an_engine_uses_only_uids_of_the_range_it_holds(engine):
    uids = {env.uid for env in engine.pool.all_environments()}
    assert uids and all(engine.uid_base <= uid < engine.uid_base + uid_ranges.RANGE_SIZE for uid in uids)


def test_a_checkout_below_a_private_folder_still_runs_aws_code(tmp_path):
    """As root, with the libraries below a 0700 folder (a private home, `mktemp -d`)."""
    private = tmp_path / "home"
    private.mkdir(mode=0o700)
    libraries = private / "checkout" / ".sandbox-libs"
    shutil.copytree(settings.SANDBOX_LIBRARIES_DIR, libraries, symlinks=True, copy_function=os.link)
    assert not reachable.reachable_by_everyone(libraries)
    engine = Engine(dataclasses.replace(TEST_SETTINGS, libraries_dir=str(libraries), blank_environments=1))
    try:
        result = engine.invoke(
            function(
                """
            import boto3
            def handler(event, context):
                return boto3.client("s3").list_buckets()["Buckets"]
            """,
                timeout_s=30,
            ),
            {},
        )
        assert result.status == "success", result.payload_json
        assert result.payload == []
    finally:
        engine.close()
        copy = reachable.shared_copy(libraries)
        reachable.release(copy)
        reachable.sweep_unused_copies()  # (another test process's engine may sweep it first)
        assert not copy.exists()


def test_without_cgroups_the_engine_refuses_unless_degraded_mode_is_allowed():
    host = dataclasses.replace(detect(), cgroup_mode="rlimit")
    with pytest.raises(IsolationUnavailable, match="SANDBOX_ALLOW_DEGRADED=1") as refused:
        Engine(TEST_SETTINGS, host=host)
    assert "no memory, pids or freezer cgroup" in str(refused.value)


def test_in_degraded_mode_an_environment_serves_one_invoke_and_nothing_outlives_it():
    host = dataclasses.replace(detect(), cgroup_mode="rlimit")
    engine = Engine(dataclasses.replace(TEST_SETTINGS, allow_degraded=True), host=host)
    try:
        assert engine.degraded
        config = function("""
            import subprocess
            def handler(event, context):
                subprocess.Popen(["sleep", "60"])  # nothing freezes it after the response
                return "done"
            """)
        first, second = engine.invoke(config, {}), engine.invoke(config, {})
        assert (first.payload, second.payload) == ("done", "done")
        assert first.cold_start and second.cold_start
        # (the kernel tears each sandbox's pid namespace down on its own time: a loaded host
        # has taken over 3 s to reap the orphaned sleep)
        assert wait_for_no_leftover_processes(engine, timeout_s=10) == []
    finally:
        engine.close()


@pytest.mark.django_db
def test_the_sandbox_page_says_which_guarantees_are_missing(client, monkeypatch):
    assert service.missing_guarantees() == ()  # this host: root, cgroups v1 with a freezer
    assert 'data-testid="degraded"' not in client.get("/sandbox/").text
    monkeypatch.setattr(service, "missing_guarantees", lambda: ("no freezer cgroup: background work runs",))
    page = client.get("/sandbox/")
    assert 'data-testid="degraded"' in page.text and "No freezer cgroup" in page.text
    monkeypatch.setattr(service, "missing_guarantees", lambda: ())
    assert 'data-testid="degraded"' not in client.get("/sandbox/").text


def test_removing_a_cgroup_waits_for_its_processes_to_die():
    """kill_all only sends the signal: the directories stay busy until the kernel has reaped the
    processes, so removal retries with backoff rather than giving up after a few yields."""
    mode = detect().cgroup_mode
    if mode == "rlimit":
        pytest.skip("this host has no writable cgroup")
    group = Cgroup(mode, f"coldstart-{os.getpid()}-removaltest", "env-0")
    group.create(64 * 1024 * 1024, 16)
    sleepers = [subprocess.Popen(["sleep", "60"]) for _ in range(8)]
    try:
        for sleeper in sleepers:
            for procs in group.procs_files():
                Path(procs).write_text(str(sleeper.pid))
        group.freeze(True)  # the hard case: frozen tasks only die once thawed
        group.remove()
        assert [d for d in group._dirs() if d.exists()] == []
    finally:
        for sleeper in sleepers:
            sleeper.kill()
            sleeper.wait(5)
        cleanup_group(mode, f"coldstart-{os.getpid()}-removaltest")


def test_a_host_without_a_freezer_is_missing_a_guarantee():
    host = detect()
    assert host.missing_guarantees == ()  # this host: root, cgroups v1 with a writable freezer
    if host.cgroup_mode == "v1":
        without = dataclasses.replace(host, freezer=False)
        assert without.missing_guarantees == (
            "no freezer cgroup: background work keeps running between invokes",
        )


def test_a_killed_engine_not_yet_reaped_counts_as_gone():
    """A host that kills a crashed worker reaps it later: until then its pid is a zombie, and
    what it left (frozen environments, folders) must already be swept."""
    child = subprocess.Popen(["sleep", "60"])
    try:
        assert process_alive(child.pid)
        child.kill()
        deadline = time.monotonic() + 5
        while process_alive(child.pid):  # killed, not reaped: a zombie
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert Path(f"/proc/{child.pid}").exists()
    finally:
        child.wait(5)
    assert not process_alive(child.pid)
