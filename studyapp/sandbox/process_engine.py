"""One sandbox engine per process, configured from settings (what runs code here: the web
process in the embedded mode, a sandbox host's worker in the distributed one)."""

from __future__ import annotations

import functools
import threading

from django.conf import settings

from studyapp.sandbox.runtime import Engine, EngineSettings
from studyapp.sandbox.runtime.host import sandbox_python
from studyapp.sandbox.runtime.runtimes import discover, host_runtime

_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine(
                EngineSettings(
                    max_concurrency=settings.SANDBOX_MAX_CONCURRENCY,
                    max_environments=settings.SANDBOX_MAX_ENVIRONMENTS,
                    blank_environments=settings.SANDBOX_BLANK_ENVIRONMENTS,
                    max_memory_mb=settings.SANDBOX_MAX_MEMORY_MB,
                    max_timeout_s=settings.SANDBOX_MAX_TIMEOUT_S,
                    allow_unisolated=settings.SANDBOX_ALLOW_UNISOLATED,
                    allow_degraded=settings.SANDBOX_ALLOW_DEGRADED,
                    uid_base=settings.SANDBOX_UID_BASE,
                    memory_budget_mb=settings.SANDBOX_MEMORY_BUDGET_MB,
                    cpu_budget_cores=settings.SANDBOX_CPU_BUDGET_CORES,
                    libraries_dir=settings.SANDBOX_LIBRARIES_DIR,
                    runtimes_dir=settings.SANDBOX_RUNTIMES_DIR or None,
                )
            )
        return _engine


@functools.cache
def _runtimes(folder: str) -> dict:
    return discover(folder or None, host_runtime(sandbox_python()))


def available_runtimes() -> dict:
    """The runtimes the form offers (name -> Runtime), found as the sandbox hosts find them:
    without starting an engine, so web processes of the distributed mode know them too."""
    return _runtimes(settings.SANDBOX_RUNTIMES_DIR)
