"""One sandbox engine per process, configured from settings (what runs code here: the web
process in the embedded mode, a sandbox host's worker in the distributed one)."""

from __future__ import annotations

import threading

from django.conf import settings

from studyapp.sandbox.runtime import Engine, EngineSettings

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
                )
            )
        return _engine
