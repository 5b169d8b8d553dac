"""Engines for the sandbox tests: real bubblewrap environments, nothing mocked."""

import os
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from studyapp.sandbox.runtime import Engine, EngineSettings, FunctionConfig

TEST_SETTINGS = EngineSettings(
    max_concurrency=4,
    max_environments=8,
    blank_environments=2,
    max_timeout_s=30,  # generous: moto cold starts take seconds when every core is busy
    async_retry_delays_s=(0.05, 0.1),
    tmp_size_mb=16,
    idle_expiry_s=120,
    libraries_dir=django_settings.SANDBOX_LIBRARIES_DIR,
)


def make_engine(**overrides) -> Engine:
    """A real engine (it claims a host uid range of its own), warmed up."""
    settings = EngineSettings(**{**TEST_SETTINGS.__dict__, **overrides})
    engine = Engine(settings)
    if not engine.host.isolated:
        engine.close()
        pytest.fail("bubblewrap is missing: `make test` installs it (apt install bubblewrap).")
    engine.pool.warm_up()
    return engine


@pytest.fixture(scope="session")
def engine():
    engine = make_engine()
    yield engine
    engine.close()


def function(code: str, handler: str = "app.handler", **settings) -> FunctionConfig:
    """A one-file function; each call's code is distinct enough to get its own environments."""
    return FunctionConfig(files={"app.py": textwrap.dedent(code)}, handler=handler, **settings)


def processes_of_uid_range(start: int, stop: int) -> list[tuple[int, int]]:
    """(pid, uid) of every host process whose real uid lies in [start, stop).

    A zombie handed to init is left out: it is dead, runs nothing and holds no memory, and this
    machine's init reaps such orphans only every second or so."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            if state == "Z" and parent == "1":
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("Uid:"):
                    uid = int(line.split()[1])
                    if start <= uid < stop:
                        found.append((int(entry.name), uid))
                    break
        except OSError:
            continue
    return found


def live_uids(engine: Engine) -> set[int]:
    return {env.uid for env in engine.pool.all_environments() if env.uid is not None}


def leftover_processes(engine: Engine) -> list[tuple[int, int]]:
    base = engine.uid_base
    slots = engine.settings.max_environments + engine.settings.blank_environments
    live = live_uids(engine)
    return [(pid, uid) for pid, uid in processes_of_uid_range(base, base + slots) if uid not in live]


def wait_for_no_leftover_processes(engine: Engine, timeout_s: float = 3) -> list[tuple[int, int]]:
    """The kernel tears a pid namespace down asynchronously: give it a moment."""
    deadline = time.monotonic() + timeout_s
    while (left := leftover_processes(engine)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def leftover_files(engine: Engine, timeout_s: float = 3) -> list[str]:
    """Environment folders no live environment owns. A blank one the pool is starting has its
    folder before it joins the pool: give that a moment, as for processes."""

    def stray() -> list[str]:
        live = {env.task_dir.parent.name for env in engine.pool.all_environments()}
        return sorted(
            p.name for p in engine._root.iterdir() if p.name.startswith("env-") and p.name not in live
        )

    deadline = time.monotonic() + timeout_s
    while (left := stray()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def environment_variables_of_this_process() -> dict[str, str]:
    return dict(os.environ)
