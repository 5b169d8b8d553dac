"""The sandbox form: code files, handler, memory, timeout, environment variables, invocation
type and event. Every problem is a message on the field that caused it."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings

from studyapp.sandbox.runtime import FunctionConfig
from studyapp.sandbox.runtime.config import (
    ASYNC_PAYLOAD_MAX_BYTES,
    ENV_NAME_PATTERN,
    ENV_VARS_MAX_BYTES,
    FILE_NAME_PATTERN,
    HANDLER_PATTERN,
    MEMORY_MAX_MB,
    MEMORY_MIN_MB,
    RESERVED_ENV_VARS,
    SYNC_PAYLOAD_MAX_BYTES,
    TIMEOUT_MAX_S,
    TIMEOUT_MIN_S,
    environment_size_bytes,
)

MAX_FILES = 5
INVOCATION_CHOICES = [
    ("RequestResponse", "RequestResponse (synchronous)"),
    ("Event", "Event (asynchronous)"),
    ("DryRun", "DryRun (validate only)"),
]


class SandboxForm(forms.Form):
    handler = forms.CharField(
        max_length=200,
        initial="lambda_function.lambda_handler",
        help_text="module.function, e.g. lambda_function.lambda_handler",
    )
    memory_mb = forms.IntegerField(label="Memory (MB)", initial=128)
    timeout_s = forms.IntegerField(label="Timeout (seconds)", initial=3)
    invocation_type = forms.ChoiceField(choices=INVOCATION_CHOICES, initial="RequestResponse")
    architecture = forms.ChoiceField(
        choices=[("x86_64", "x86_64"), ("arm64", "arm64 (Graviton)")],
        initial="x86_64",
        required=False,
        help_text="Changes the price; the sandbox itself runs on this server's processor.",
    )
    event_json = forms.CharField(label="Event (JSON)", required=False, widget=forms.Textarea, strip=False)
    event_slug = forms.SlugField(required=False, widget=forms.HiddenInput)
    seed_resources = forms.BooleanField(required=False, label="Seed resources named in the event")

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.files_data: list[tuple[str, str]] = []
        self.env_rows: list[tuple[str, str]] = []
        if data is not None:
            self.files_data = list(zip(data.getlist("file_name"), data.getlist("file_code"), strict=False))
            self.env_rows = list(zip(data.getlist("env_key"), data.getlist("env_value"), strict=False))
        self.memory_cap_mb = settings.SANDBOX_MAX_MEMORY_MB
        self.timeout_cap_s = settings.SANDBOX_MAX_TIMEOUT_S

    # -- fields -------------------------------------------------------------------------------

    def clean_handler(self) -> str:
        handler = self.cleaned_data["handler"].strip()
        if not HANDLER_PATTERN.match(handler):
            raise forms.ValidationError(
                "The handler must be module.function, e.g. lambda_function.lambda_handler."
            )
        return handler

    @staticmethod
    def _within(value: int, lambda_range: tuple[int, int], cap: int, unit: str, stops: str) -> int:
        """Lambda's own bounds first, then this server's lower cap, each with its own message."""
        low, high = lambda_range
        if not low <= value <= high:
            raise forms.ValidationError(f"Lambda allows {low:,} to {high:,} {unit}.")
        if value > cap:
            raise forms.ValidationError(
                f"Lambda allows up to {high:,} {unit}; this sandbox {stops} {cap:,} {unit}."
            )
        return value

    def clean_memory_mb(self) -> int:
        return self._within(
            self.cleaned_data["memory_mb"],
            (MEMORY_MIN_MB, MEMORY_MAX_MB),
            self.memory_cap_mb,
            "MB",
            "runs up to",
        )

    def clean_timeout_s(self) -> int:
        return self._within(
            self.cleaned_data["timeout_s"],
            (TIMEOUT_MIN_S, TIMEOUT_MAX_S),
            self.timeout_cap_s,
            "seconds",
            "stops at",
        )

    def clean_event_json(self) -> str:
        text = self.cleaned_data["event_json"].strip() or "{}"
        if len(text.encode()) > SYNC_PAYLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The event is {len(text.encode()):,} bytes; Lambda accepts at most 6 MB "
                f"({SYNC_PAYLOAD_MAX_BYTES:,} bytes) for a synchronous invoke."
            )
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"The event is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
            ) from None
        return text

    # -- lists: files and environment variables -----------------------------------------------

    def clean(self):
        data = super().clean()
        files = self._clean_files()
        if files is not None:
            data["files"] = files
        environment = self._clean_environment()
        if environment is not None:
            data["environment"] = environment
        if data.get("invocation_type") == "Event" and "event_json" in data:
            size = len(data["event_json"].encode())
            if size > ASYNC_PAYLOAD_MAX_BYTES:
                self.add_error(
                    "event_json",
                    f"An asynchronous event may be at most 1 MB ({ASYNC_PAYLOAD_MAX_BYTES:,} "
                    f"bytes); this one is {size:,} bytes.",
                )
        handler = data.get("handler")
        if files and handler:
            module = handler.rsplit(".", 1)[0].replace(".", "/")
            if f"{module}.py" not in files and not any(name.startswith(module + "/") for name in files):
                self.add_error("handler", f"No file {module}.py for this handler: add it or rename the file.")
        return data

    def _clean_files(self) -> dict[str, str] | None:
        files: dict[str, str] = {}
        total = 0
        for name, code in self.files_data:
            name, code = name.strip(), code.replace("\r\n", "\n")
            if not name and not code.strip():
                continue
            if not FILE_NAME_PATTERN.match(name) or ".." in name.split("/") or not name.endswith(".py"):
                self.add_error(None, f"File name “{name}” must be a plain relative path ending in .py.")
                return None
            if name in files:
                self.add_error(None, f"Two files are called {name}.")
                return None
            files[name] = code
            total += len(code.encode())
        if not any(code.strip() for code in files.values()):
            self.add_error(None, "Write some code first: the handler file is empty.")
            return None
        if len(files) > MAX_FILES:
            self.add_error(None, f"Up to {MAX_FILES} files.")
            return None
        if total > settings.SANDBOX_MAX_CODE_BYTES:
            self.add_error(
                None,
                f"The code is {total:,} bytes; the sandbox takes up to "
                f"{settings.SANDBOX_MAX_CODE_BYTES:,} bytes.",
            )
            return None
        return files

    def _clean_environment(self) -> dict[str, str] | None:
        environment: dict[str, str] = {}
        for key, value in self.env_rows:
            key = key.strip()
            if not key and not value:
                continue
            if not ENV_NAME_PATTERN.match(key):
                self.add_error(
                    None,
                    f"“{key}” is not a valid variable name: a letter first, then letters, "
                    "digits or _ (at least 2 characters).",
                )
                return None
            if key in RESERVED_ENV_VARS:
                self.add_error(
                    None, f"{key} is reserved: Lambda sets it and does not let a function change it."
                )
                return None
            environment[key] = value
        size = environment_size_bytes(environment)
        if size > ENV_VARS_MAX_BYTES:
            self.add_error(
                None,
                f"Environment variables take {size:,} bytes; Lambda allows 4 KB "
                f"({ENV_VARS_MAX_BYTES:,} bytes) for all of them together.",
            )
            return None
        return environment

    # -- result ---------------------------------------------------------------------------------

    def run_settings(self) -> dict:
        """The fields a saved run (history or permalink) keeps, to open it again exactly."""
        data = self.cleaned_data
        return {
            "files": data["files"],
            "handler": data["handler"],
            "memory_mb": data["memory_mb"],
            "timeout_s": data["timeout_s"],
            "environment": data["environment"],
            "invocation_type": data["invocation_type"],
            "event_json": data["event_json"],
            "event_slug": data.get("event_slug") or "",
            "seed_resources": data.get("seed_resources", False),
        }

    def function_config(self) -> FunctionConfig:
        data = self.cleaned_data
        return FunctionConfig(
            files=data["files"],
            handler=data["handler"],
            memory_mb=data["memory_mb"],
            timeout_s=data["timeout_s"],
            environment=data["environment"],
            function_name="sandbox-function",
            architecture=data.get("architecture") or "x86_64",
        )
