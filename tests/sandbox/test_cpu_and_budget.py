"""CPU in proportion to memory, and one memory and CPU budget for every sandbox on the host.

Measured by really running code: a quota is an upper bound the kernel enforces, so a handler's
CPU time over its wall time can never exceed it, however busy the machine is."""

import dataclasses
import threading
import time
import uuid

import pytest

from studyapp.sandbox.runtime.cgroups import Cgroup, cpu_quota_us, vcpus_for_memory
from studyapp.sandbox.runtime.host import detect
from tests.sandbox.conftest import function, make_engine

MIB = 1024 * 1024

CPU_SHARE = """
import time
def burn(seconds_of_cpu):
    cpu, wall = time.process_time(), time.monotonic()
    while time.process_time() - cpu < seconds_of_cpu:
        pass
    return (time.process_time() - cpu) / (time.monotonic() - wall)

INIT_SHARE = burn(0.15)  # module level: runs in the INIT phase

def handler(event, context):
    return {"init": INIT_SHARE, "handler": burn(event["cpu_s"])}
"""

CHILDREN_SHARE = """
import os, resource, time
def handler(event, context):
    wall = time.monotonic()
    children = []
    for _ in range(event["processes"]):
        pid = os.fork()
        if pid == 0:
            end = time.monotonic() + event["seconds"]
            while time.monotonic() < end:
                pass
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (used.ru_utime + used.ru_stime) / (time.monotonic() - wall)
"""


def needs_cpu_controller():
    host = detect()
    if host.cgroup_mode == "rlimit" or not host.cpu:
        pytest.skip("this host has no writable CPU controller")
    return host


def test_quotas_follow_lambdas_memory_to_vcpu_ratio():
    assert cpu_quota_us(vcpus_for_memory(1769), cores=8) == 100_000  # one vCPU
    assert cpu_quota_us(vcpus_for_memory(128), cores=8) == 7_236  # about 7% of one
    assert cpu_quota_us(vcpus_for_memory(3538), cores=8) == 200_000
    assert cpu_quota_us(vcpus_for_memory(10_240), cores=8) == 578_858  # below Lambda's 6 vCPUs
    assert cpu_quota_us(vcpus_for_memory(10_240), cores=2) == 200_000  # never above the host


def test_the_handler_gets_cpu_in_proportion_to_memory_and_init_gets_more():
    needs_cpu_controller()
    engine = make_engine(blank_environments=1, max_environments=2)
    config = function("import time\ntime.sleep(1.0)\n" + CPU_SHARE, memory_mb=128, timeout_s=10)
    try:
        outcome = {}
        run = threading.Thread(
            target=lambda: outcome.setdefault("result", engine.invoke(config, {"cpu_s": 0.1}))
        )
        run.start()
        quotas_during_init = set()
        while run.is_alive():
            for env in engine.pool.all_environments():
                if env.fingerprint == config.fingerprint and env.invocations == 0:
                    quotas_during_init.add(env.cgroup.cpu_quota())
            time.sleep(0.05)
        result = outcome["result"]
        assert result.status == "success", result.payload_json
        # INIT (the module's code) runs with the startup CPU: one vCPU.
        assert engine.startup_cpu_quota == 100_000 and engine.startup_cpu_quota in quotas_during_init
        (env,) = [env for env in engine.pool.all_environments() if env.fingerprint]
        assert env.cgroup.cpu_quota() == engine.cpu_quota_for(128) == 7_236
        # 7.2% of a CPU, plus what one period can give at the start: far below a tenth.
        assert result.payload["handler"] < 0.1, result.payload
        # INIT got more than 128 MB's quota could ever give, however busy the machine.
        assert result.payload["init"] > 0.11, result.payload
    finally:
        engine.close()


def test_every_process_of_an_environment_shares_one_quota():
    """A fork hog gets no more CPU than one process would: 16 busy children at 128 MB."""
    needs_cpu_controller()
    engine = make_engine(blank_environments=1, max_environments=2)
    try:
        result = engine.invoke(
            function(CHILDREN_SHARE, memory_mb=128, timeout_s=10), {"processes": 16, "seconds": 1.5}
        )
        assert result.status == "success", result.payload_json
        assert result.payload < 0.12, f"16 children used {result.payload:.2f} CPUs at 128 MB"
    finally:
        engine.close()


def test_the_budget_group_holds_the_memory_and_cpu_of_every_engine():
    host = needs_cpu_controller()
    group = f"coldstart-budget-{uuid.uuid4().hex[:8]}"
    engine = make_engine(
        blank_environments=1, budget_group=group, memory_budget_mb=900, cpu_budget_cores=1.25
    )
    try:
        budget = Cgroup(host.cgroup_mode, "", group)
        assert budget.cpu_quota() == 125_000
        memory_file = "memory.limit_in_bytes" if host.cgroup_mode == "v1" else "memory.max"
        assert int((budget.memory_dir / memory_file).read_text()) == 900 * MIB
        # The engine's environments live inside it.
        (env,) = engine.pool.all_environments()
        assert env.group.memory_dir.parent.parent == budget.memory_dir
        assert env.cgroup.memory_dir.parent == env.aws_cgroup.memory_dir.parent == env.group.memory_dir
        # No environment is given more CPU than the budget (the kernel would refuse it).
        assert engine.cpu_quota_for(3008) == 125_000
    finally:
        engine.close()
        remove_budget_group(host, group)


GROWS = """
BLOCK = bytearray(300 * 1024 * 1024)  # kept while the environment is warm
def handler(event, context):
    return len(BLOCK) // (1024 * 1024)
"""


def test_idle_environments_are_evicted_when_the_memory_budget_is_reached():
    host = needs_cpu_controller()
    group = f"coldstart-budget-{uuid.uuid4().hex[:8]}"
    engine = make_engine(blank_environments=1, budget_group=group, memory_budget_mb=700)
    try:
        holder = function(GROWS, memory_mb=512, timeout_s=10)
        assert engine.invoke(holder, {}).payload == 300
        assert engine.invoke(holder, {}).cold_start is False  # warm, holding 300 MB
        other = function("def handler(event, context):\n    return 'other'\n", memory_mb=512)
        result = engine.invoke(other, {})
        assert result.status == "success", result.payload_json
        # 300 MB held + 512 MB asked for > 700 MB: the idle holder made room.
        again = engine.invoke(holder, {})
        assert again.status == "success" and again.cold_start, again.log
    finally:
        engine.close()
        remove_budget_group(host, group)


def test_a_budget_taken_by_busy_environments_throttles_rather_than_overcommits():
    host = needs_cpu_controller()
    group = f"coldstart-budget-{uuid.uuid4().hex[:8]}"
    engine = make_engine(blank_environments=1, budget_group=group, memory_budget_mb=300)
    try:
        result = engine.invoke(function("def handler(e, c):\n    return 1\n", memory_mb=512), {})
        assert result.status == "throttled" and result.status_code == 429
        assert engine.pool.counts()["busy"] == 0  # the blank environment it took went back
        small = engine.invoke(function("def handler(e, c):\n    return 2\n", memory_mb=128), {})
        assert small.status == "success" and small.payload == 2
    finally:
        engine.close()
        remove_budget_group(host, group)


def test_a_host_without_a_cpu_controller_is_missing_a_guarantee():
    host = dataclasses.replace(detect(), cpu=False)
    if host.cgroup_mode == "rlimit":
        pytest.skip("without cgroups the whole cgroup guarantee is missing")
    assert "no CPU controller: an environment's CPU is not in proportion to its memory" in (
        host.missing_guarantees
    )


def remove_budget_group(host, group: str) -> None:
    budget = Cgroup(host.cgroup_mode, "", group)
    for directory in budget._dirs():
        # Only the empty engine groups are left in it once the engine has closed.
        for child in sorted(directory.glob("*/"), reverse=True):
            if child.is_dir():
                child.rmdir()
        directory.rmdir()
    assert not any(d.exists() for d in budget._dirs())
