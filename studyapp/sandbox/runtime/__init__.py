"""Coldstart's sandbox engine: runs a handler like AWS Lambda's Python runtime, isolated.

No Django here: usable from a plain script.

    from studyapp.sandbox.runtime import FunctionConfig, invoke
    result = invoke(FunctionConfig(files={"app.py": code}, handler="app.handler"), {"key": 1})
"""

from studyapp.sandbox.runtime.config import ConfigError, FunctionConfig
from studyapp.sandbox.runtime.engine import (
    Engine,
    EngineSettings,
    Invocation,
    IsolationUnavailable,
    get_engine,
    invoke,
)
from studyapp.sandbox.runtime.results import InvokeResult

__all__ = [
    "ConfigError",
    "Engine",
    "EngineSettings",
    "FunctionConfig",
    "Invocation",
    "InvokeResult",
    "IsolationUnavailable",
    "get_engine",
    "invoke",
]
