"""What a function is (code, handler, memory, timeout, environment) and Lambda's limits on it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

# Lambda's own bounds (Developer Guide, quotas page); the engine may be configured lower.
MEMORY_MIN_MB = 128
MEMORY_MAX_MB = 10_240
TIMEOUT_MIN_S = 1
TIMEOUT_MAX_S = 900
ENV_VARS_MAX_BYTES = 4 * 1024  # all variables together, not each
SYNC_PAYLOAD_MAX_BYTES = 6 * 1024 * 1024
ASYNC_PAYLOAD_MAX_BYTES = 1024 * 1024
INIT_TIMEOUT_S = 10

ENV_NAME_PATTERN = re.compile(r"^[a-zA-Z]([a-zA-Z0-9_])+$")
# What the Lambda API checks (CreateFunction's Handler: at most 128 characters, pattern [^\s]+);
# the rest (a dot, a module that imports, a function on it) the runtime checks at init.
HANDLER_PATTERN = re.compile(r"[^\s]+")
HANDLER_MAX_LENGTH = 128


def handler_problem(handler: str) -> str | None:
    """The Lambda API's complaint about a handler string, if it has one."""
    if len(handler) > HANDLER_MAX_LENGTH:
        return f"A handler is at most {HANDLER_MAX_LENGTH} characters (this one has {len(handler)})."
    if not HANDLER_PATTERN.fullmatch(handler):
        return "A handler cannot be empty or contain spaces (the Lambda API's pattern is [^\\s]+)."
    return None


FILE_NAME_PATTERN = re.compile(r"^(?:[A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z0-9_][A-Za-z0-9_.-]*$")
FUNCTION_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")

# Set by Lambda; a function may not define them (Developer Guide: defined runtime variables).
RESERVED_ENV_VARS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)


# LoggingConfig as the Lambda API takes it: the levels apply to the JSON format only.
LOG_FORMATS = ("Text", "JSON")
APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")
DEFAULT_LOG_LEVEL = "INFO"  # what Lambda applies to both when a function switches to JSON


def logging_problem(log_format: str, application_level: str, system_level: str) -> tuple[str, str] | None:
    """(field, message) for a logging configuration the Lambda API refuses, else None."""
    if log_format not in LOG_FORMATS:
        return "log_format", f"The log format is Text or JSON, not '{log_format}'."
    if application_level and application_level not in APPLICATION_LOG_LEVELS:
        return "application_log_level", f"Application log levels are {', '.join(APPLICATION_LOG_LEVELS)}."
    if system_level and system_level not in SYSTEM_LOG_LEVELS:
        return "system_log_level", f"System log levels are {', '.join(SYSTEM_LOG_LEVELS)}."
    if log_format == "Text" and (application_level or system_level):
        field_name = "application_log_level" if application_level else "system_log_level"
        # The Lambda API's own words for this refusal.
        return field_name, (
            'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your '
            'request or change the LogFormat to "Json" and try again.'
        )
    return None


class ConfigError(ValueError):
    """A function configuration Lambda would reject; `field` names the setting."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class FunctionConfig:
    files: dict[str, str]  # path under /var/task -> source text
    handler: str = "lambda_function.lambda_handler"
    memory_mb: int = 128
    timeout_s: float = 3
    environment: dict[str, str] = field(default_factory=dict)
    function_name: str = "sandbox-function"
    region: str = "us-east-1"
    architecture: str = "x86_64"
    # Whose function this is (a learner): part of the fingerprint, so two owners never share a
    # warm environment, and one owner's reset never touches another's. The function never sees it.
    owner: str = ""
    runtime: str = ""  # "python3.12" where the server offers it; empty: the server's default
    log_format: str = "Text"
    application_log_level: str = ""  # JSON only; empty: INFO
    system_log_level: str = ""  # JSON only; empty: INFO

    @property
    def json_logs(self) -> bool:
        return self.log_format == "JSON"

    @property
    def effective_application_log_level(self) -> str:
        return (self.application_log_level or DEFAULT_LOG_LEVEL) if self.json_logs else ""

    @property
    def effective_system_log_level(self) -> str:
        return (self.system_log_level or DEFAULT_LOG_LEVEL) if self.json_logs else ""

    def validate(self, max_memory_mb: int = MEMORY_MAX_MB, max_timeout_s: float = TIMEOUT_MAX_S) -> None:
        if not self.files or not any(source.strip() for source in self.files.values()):
            raise ConfigError("files", "The function has no code.")
        for name in self.files:
            if not FILE_NAME_PATTERN.match(name) or ".." in name.split("/"):
                raise ConfigError("files", f"File name '{name}' is not a plain relative path.")
        clash = file_and_folder_clash(self.files)
        if clash:
            raise ConfigError("files", clash)
        problem = handler_problem(self.handler)
        if problem:
            raise ConfigError("handler", problem)
        if not FUNCTION_NAME_PATTERN.match(self.function_name):
            raise ConfigError("function_name", "Function names are 1-64 letters, digits, - or _.")
        if not isinstance(self.memory_mb, int) or not MEMORY_MIN_MB <= self.memory_mb <= MEMORY_MAX_MB:
            raise ConfigError("memory_mb", f"Memory must be {MEMORY_MIN_MB}-{MEMORY_MAX_MB:,} MB.")
        if self.memory_mb > max_memory_mb:
            raise ConfigError("memory_mb", f"This sandbox allows up to {max_memory_mb:,} MB.")
        if not TIMEOUT_MIN_S <= self.timeout_s <= TIMEOUT_MAX_S:
            raise ConfigError("timeout_s", f"Timeout must be {TIMEOUT_MIN_S}-{TIMEOUT_MAX_S} seconds.")
        if self.timeout_s > max_timeout_s:
            raise ConfigError("timeout_s", f"This sandbox allows timeouts up to {max_timeout_s:g} seconds.")
        validate_environment(self.environment)
        logging_error = logging_problem(self.log_format, self.application_log_level, self.system_log_level)
        if logging_error:
            raise ConfigError(*logging_error)

    @property
    def fingerprint(self) -> str:
        """Same code and settings -> same warm environments; any change -> a cold start."""
        data = json.dumps(
            [
                self.files,
                self.handler,
                self.memory_mb,
                self.timeout_s,
                self.environment,
                self.function_name,
                self.region,
                self.architecture,
                self.owner,
                self.runtime,
                self.log_format,
                self.application_log_level,
                self.system_log_level,
            ],
            sort_keys=True,
        )
        return hashlib.sha256(data.encode()).hexdigest()[:32]


def file_and_folder_clash(names) -> str | None:
    """A message when one file's name is a folder in another's path (util.py and util.py/x.py)."""
    names = set(names)
    for name in sorted(names):
        parts = name.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in names:
                return f"“{folder}” is a file, so “{name}” cannot be inside it."
    return None


def environment_size_bytes(environment: dict[str, str]) -> int:
    return sum(len(key.encode()) + len(value.encode()) for key, value in environment.items())


def validate_environment(environment: dict[str, str]) -> None:
    for key, value in environment.items():
        if not isinstance(key, str) or not ENV_NAME_PATTERN.match(key):
            raise ConfigError(
                "environment",
                f"'{key}' is not a valid variable name: start with a letter, then letters, digits or _.",
            )
        if key in RESERVED_ENV_VARS:
            raise ConfigError("environment", f"'{key}' is reserved by Lambda and cannot be set.")
        if not isinstance(value, str):
            raise ConfigError("environment", f"The value of '{key}' must be a string.")
    size = environment_size_bytes(environment)
    if size > ENV_VARS_MAX_BYTES:
        raise ConfigError(
            "environment",
            f"Environment variables take {size:,} bytes; Lambda allows {ENV_VARS_MAX_BYTES // 1024} KB "
            f"({ENV_VARS_MAX_BYTES:,} bytes) "
            "for all of them together.",
        )
