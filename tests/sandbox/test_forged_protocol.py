"""The learner's code writing on the runtime's channel, and inputs that used to leak a pool slot.

Every case: the forged bytes are never taken as the runtime's word (no host exception, no shifted
result, no extra memory), the environment that spoke out of turn is gone, and the next ordinary
invoke succeeds with every pool slot accounted for."""

import dataclasses
import json
import os
import time

import pytest

from studyapp.sandbox.runtime import Engine, FunctionConfig
from studyapp.sandbox.runtime.host import detect
from tests.sandbox.conftest import TEST_SETTINGS, function, make_engine, wait_for_no_leftover_processes

# Lines a forger might write, each wrong in its own way.
FORGED_LINES = {
    "not JSON": b"garbage\n",
    "a JSON list": b"[1, 2]\n",
    "a payload that is not a string": b'{"op": "result", "ok": true, "payload": {"a": 1}}\n',
    "memory that is not a number": b'{"op": "result", "ok": true, "payload": "1", "max_rss_kb": "x"}\n',
    "ok that is not a boolean": b'{"op": "result", "ok": "yes", "payload": "1"}\n',
    "an answer to another request": b'{"op": "result", "ok": true, "request_id": "other", "payload": "1"}\n',
    "the init answer during an invoke": b'{"op": "init_done", "ok": true}\n',
    "unknown keys": b'{"op": "result", "ok": true, "payload": "1", "memory_mb": 99999}\n',
    "a deeply nested line": b"[" * 100_000 + b"]" * 100_000 + b"\n",
}
FORGE_OWN_RESULT = """
import json, os
def forge_result(context, payload, **extra):
    line = {"op": "result", "ok": True, "request_id": context.aws_request_id,
            "payload": json.dumps(payload), **extra}
    for name in os.listdir("/proc/self/fd"):
        try:
            os.write(int(name), (json.dumps(line) + "\\n").encode())
        except OSError:
            pass
"""
ON_EVERY_FD = """
import os
def forge():
    for name in os.listdir("/proc/self/fd"):
        try:
            os.write(int(name), {line!r})
        except OSError:
            pass
"""


@pytest.fixture(scope="module")
def forged_engine():
    engine = make_engine(max_environments=4, blank_environments=2, pids_max=32)
    yield engine
    engine.close()


def slots_accounted_for(engine) -> bool:
    pool = engine.pool
    with pool._lock:
        free = len(pool._free_slots)
        live = len([*pool._blank, *(e for idle in pool._idle.values() for e in idle), *pool._busy])
        spawning = pool._spawning
    return free + live + spawning == pool.max_environments + pool.blank_target


def assert_engine_whole(engine) -> None:
    probe = FunctionConfig(
        files={"probe.py": "def handler(e, c):\n    return 'alive'\n"}, handler="probe.handler"
    )
    assert engine.invoke(probe, {}).payload == "alive"
    deadline = time.monotonic() + 5
    while not slots_accounted_for(engine) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert slots_accounted_for(engine)


@pytest.mark.parametrize("shape", FORGED_LINES, ids=list(FORGED_LINES))
@pytest.mark.parametrize("when", ["during init", "during the handler"])
def test_a_forged_line_kills_only_its_environment(forged_engine, shape, when):
    forge = ON_EVERY_FD.format(line=FORGED_LINES[shape])
    if when == "during init":
        code = forge + "forge()\ndef handler(event, context):\n    return 'real'\n"
    else:
        code = forge + "def handler(event, context):\n    forge()\n    return 'real'\n"
    config = FunctionConfig(files={"app.py": code}, handler="app.handler")
    result = forged_engine.invoke(config, {})
    assert result.status == "error" and result.error_type == "Runtime.ExitError", result.payload_json
    assert "Runtime.ExitError" in result.log
    again = forged_engine.invoke(config, {})
    assert again.cold_start  # the environment that spoke was destroyed
    forged_engine.reset(config)
    assert_engine_whole(forged_engine)
    assert wait_for_no_leftover_processes(forged_engine) == []


def test_no_line_the_handler_writes_buys_memory(forged_engine):
    """The emulator's room is structural (a cgroup of its own, beside the function's): the
    runtime has no notice left that a handler could forge for more memory."""
    code = ON_EVERY_FD.format(line=b'{"op": "aws_starting"}\n') + (
        "def handler(event, context):\n"
        "    forge()\n    forge()\n"
        "    return len(bytearray(200 * 1024 * 1024))\n"
    )
    config = FunctionConfig(files={"app.py": code}, handler="app.handler", memory_mb=128)
    result = forged_engine.invoke(config, {})
    assert result.status == "error", result.payload_json
    forged_engine.reset(config)
    assert_engine_whole(forged_engine)


def test_a_file_that_is_also_a_folder_is_refused_before_anything_runs(forged_engine):
    config = FunctionConfig(
        files={
            "util.py": "X = 1\n",
            "util.py/inner.py": "Y = 2\n",
            "app.py": "def handler(e, c):\n    return 1\n",
        },
        handler="app.handler",
    )
    result = forged_engine.invoke(config, {})
    assert result.status == "rejected" and result.status_code == 400
    assert (
        "“util.py” is a file, so “util.py/inner.py” cannot be inside it."
        in json.loads(result.payload_json)["errorMessage"]
    )


BAD_KINDS = {
    "file and folder with one name": FunctionConfig(
        files={"a.py": "x = 1\n", "a.py/b.py": "y = 2\n", "app.py": "def handler(e, c):\n    return 1\n"},
        handler="app.handler",
    ),
    "a forged line at import": FunctionConfig(
        files={
            "app.py": ON_EVERY_FD.format(line=b'{"op": "init_done", "ok": true, "max_rss_kb": "x"}\n')
            + "forge()\ndef handler(e, c):\n    return 1\n"
        },
        handler="app.handler",
    ),
}


@pytest.mark.parametrize("kind", BAD_KINDS, ids=list(BAD_KINDS))
def test_many_bad_invokes_leak_no_slot(forged_engine, kind):
    """Refused inputs 1,000 times; inputs that cost a cold start three times the pool's slots:
    a leak of one slot per bad invoke would have emptied the pool many times over."""
    config = BAD_KINDS[kind]
    slots = forged_engine.pool.max_environments + forged_engine.pool.blank_target
    runs = 1000 if kind.startswith("file") else 3 * slots
    for _ in range(runs):
        assert forged_engine.invoke(config, {}).status in ("rejected", "error")
    assert_engine_whole(forged_engine)
    assert wait_for_no_leftover_processes(forged_engine) == []


REACH_FOR_THE_CHANNEL = """
import os, stat, sys
def handler(event, context):
    pipes = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            info = os.fstat(int(name))
        except OSError:
            continue
        if stat.S_ISFIFO(info.st_mode):
            pipes.add(info.st_ino)
    refused = []
    for path in (f"/proc/{os.getppid()}/fd", f"/proc/{os.getppid()}/environ", f"/proc/{os.getppid()}/mem"):
        try:
            if path.endswith("/fd"):
                os.listdir(path)
            else:
                open(path, "rb").read(1)
        except PermissionError:
            refused.append(path.rsplit("/", 1)[1])
    return {"pipes": sorted(pipes), "argv": sys.argv, "refused": refused}
"""


def test_the_handler_holds_no_descriptor_of_the_engines_channel(forged_engine):
    """The channel the engine trusts stays with the runtime's supervisor: the handler's process
    holds neither of its pipes, cannot open them through the supervisor's /proc entries, and
    finds no descriptor numbers in sys.argv."""
    config = FunctionConfig(files={"app.py": REACH_FOR_THE_CHANNEL}, handler="app.handler")
    result = forged_engine.invoke(config, {})
    assert result.status == "success", result.payload_json
    (env,) = [env for env in forged_engine.pool.all_environments() if env.fingerprint == config.fingerprint]
    engine_pipes = {os.fstat(env._result_r).st_ino, os.fstat(env._cmd_w).st_ino}
    assert engine_pipes.isdisjoint(result.payload["pipes"]), result.payload
    assert result.payload["argv"] == ["/var/runtime/bootstrap.py"]
    assert result.payload["refused"] == ["fd", "environ", "mem"]
    forged_engine.reset(config)


def test_a_forged_answer_never_shifts_results_and_the_next_invoke_is_answered(forged_engine):
    """The handler answers for itself on its channel, then returns. The runtime relays one
    answer per request, sees the second line left over, and refuses the next request before
    the handler sees it; the engine runs that request in a clean environment. No invoke ever
    gets another's answer."""
    code = (
        FORGE_OWN_RESULT
        + """
def handler(event, context):
    if event.get("forge"):
        forge_result(context, "forged")
    return event["n"]
"""
    )
    config = FunctionConfig(files={"app.py": code}, handler="app.handler")
    for _ in range(5):
        first = forged_engine.invoke(config, {"n": 1, "forge": True})
        assert first.payload in (1, "forged")  # its own answer, however it gave it
        second = forged_engine.invoke(config, {"n": 2})
        # Usually refused before it ran, then answered from a clean environment. When the
        # leftover line is written only after the request was passed on (the worker was frozen
        # mid-write), the stale answer retires the environment instead: never a wrong answer.
        assert second.payload == 2 or second.error_type == "Runtime.ExitError", second.payload_json
        third = forged_engine.invoke(config, {"n": 3})
        assert third.status == "success" and third.payload == 3, third.payload_json
        forged_engine.reset(config)
    assert_engine_whole(forged_engine)


def test_the_memory_figure_is_the_runtimes_not_the_handlers():
    """Where only the runtime's measure exists (no memory cgroup), a forged low figure is
    overruled: the supervisor appends its own reading of the worker's peak memory."""
    host = dataclasses.replace(detect(), cgroup_mode="rlimit")
    engine = Engine(dataclasses.replace(TEST_SETTINGS, allow_degraded=True), host=host)
    try:
        code = (
            FORGE_OWN_RESULT
            + """
def handler(event, context):
    block = bytearray(150 * 1024 * 1024)
    forge_result(context, len(block) // 2**20, max_rss_kb=1)
    return 0
"""
        )
        result = engine.invoke(function(code, memory_mb=512, timeout_s=10), {})
        assert result.status == "success" and result.payload == 150, result.payload_json
        assert result.report.max_memory_used_mb >= 150, result.log
    finally:
        engine.close()
