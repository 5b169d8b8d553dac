"""A sandbox run's settings, one mapping for every place that keeps or rebuilds them: the form,
a queued job, a run in a learner's history or a shared link, a code answer graded on a sandbox
host. Each holds the function's settings under the names FunctionConfig uses."""

from __future__ import annotations

from studyapp.sandbox.runtime import FunctionConfig

FUNCTION_NAME = "sandbox-function"
# What makes the function (FunctionConfig's fields of the same names).
FUNCTION_FIELDS = (
    "files",
    "handler",
    "memory_mb",
    "timeout_s",
    "environment",
    "architecture",
    "runtime",
    "log_format",
    "application_log_level",
    "system_log_level",
)
# ...and how it was invoked: what a saved run keeps to open it again exactly.
RUN_FIELDS = (*FUNCTION_FIELDS, "invocation_type", "event_json", "event_slug", "seed_resources", "caller")


def function_config(settings, owner: str) -> FunctionConfig:
    """The function of a mapping (the form's run settings) or of an object with those fields
    (a job, a saved run)."""
    get = settings.get if isinstance(settings, dict) else lambda name: getattr(settings, name)
    return FunctionConfig(
        owner=owner, function_name=FUNCTION_NAME, **{name: get(name) for name in FUNCTION_FIELDS}
    )


def function_settings(config: FunctionConfig) -> dict:
    """A function's settings as a job or a saved run keeps them."""
    values = {name: getattr(config, name) for name in FUNCTION_FIELDS}
    values["timeout_s"] = int(config.timeout_s)  # whole seconds, as the form takes them
    return values
