"""The sandbox form: its settings (handler, memory, timeout, invocation type, architecture, event)
and two formsets, the code files and the environment variables. The page renders all of it from
here, so values, labels, help and errors come from one place; every problem is a message on the
field that caused it. Lambda's bounds come from the engine's constants, never typed again."""

from __future__ import annotations

import dataclasses
import json

from django import forms
from django.conf import settings
from django.urls import reverse

from studyapp.content.library import library
from studyapp.sandbox import jsontext, run_settings, tuner
from studyapp.sandbox.callers.http_events import FRONT_DOORS
from studyapp.sandbox.callers.http_request import METHODS, RequestError, parse_request
from studyapp.sandbox.callers.s3_notifications import BUCKET, BUCKET_NAME, EVENT_TYPES, Trigger
from studyapp.sandbox.callers.sqs_mapping import MAX_MESSAGES, QUEUE, QUEUE_NAME, Mapping
from studyapp.sandbox.process_engine import available_runtimes
from studyapp.sandbox.runtime import FunctionConfig
from studyapp.sandbox.runtime.config import (
    APPLICATION_LOG_LEVELS,
    ASYNC_PAYLOAD_MAX_BYTES,
    ENV_NAME_PATTERN,
    ENV_VARS_MAX_BYTES,
    FILE_NAME_PATTERN,
    MEMORY_MAX_MB,
    MEMORY_MIN_MB,
    RESERVED_ENV_VARS,
    SYNC_PAYLOAD_MAX_BYTES,
    SYSTEM_LOG_LEVELS,
    TIMEOUT_MAX_S,
    TIMEOUT_MIN_S,
    environment_size_bytes,
    file_and_folder_clash,
    handler_problem,
    logging_problem,
)

MAX_FILES = 5
FILES_PREFIX = "files"
ENV_PREFIX = "env"
INVOCATION_CHOICES = [
    ("RequestResponse", "RequestResponse (synchronous)"),
    ("Event", "Event (asynchronous)"),
    ("DryRun", "DryRun (validate only)"),
]
CODE_ATTRS = {"spellcheck": "false", "autocomplete": "off"}


def data_size(size_bytes: int) -> str:
    """A size in whole megabytes or kilobytes, the way Lambda's documentation writes its limits."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size_bytes >= factor and size_bytes % factor == 0:
            return f"{size_bytes // factor:,} {unit}"
    return f"{size_bytes:,} bytes"


# -- one code file, one environment variable --------------------------------------------------


class CodeFileForm(forms.Form):
    name = forms.CharField(
        label="File name",
        required=False,
        widget=forms.TextInput(attrs={"class": "file-name", **CODE_ATTRS}),
    )
    code = forms.CharField(
        label="Code",
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"class": "code-editor", "rows": 16, "spellcheck": "false", "data-mode": "python"}
        ),
    )

    def clean(self):
        data = super().clean()
        name = data.get("name", "")
        data["code"] = data.get("code", "").replace("\r\n", "\n")
        if name and not (
            FILE_NAME_PATTERN.match(name) and ".." not in name.split("/") and name.endswith(".py")
        ):
            self.add_error("name", f"“{name}” must be a plain relative path ending in .py.")
        elif not name and data["code"].strip():
            self.add_error("name", "Give this file a name ending in .py.")
        return data


class EnvVarForm(forms.Form):
    key = forms.CharField(
        label="Variable name",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "NAME", **CODE_ATTRS}),
    )
    value = forms.CharField(
        label="Value",
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"placeholder": "value", **CODE_ATTRS}),
    )

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if key and not ENV_NAME_PATTERN.match(key):
            raise forms.ValidationError(
                f"“{key}” is not a valid variable name: a letter first, then letters, "
                "digits or _ (at least 2 characters)."
            )
        if key in RESERVED_ENV_VARS:
            raise forms.ValidationError(
                f"{key} is reserved: Lambda sets it and does not let a function change it."
            )
        return key

    def clean(self):
        data = super().clean()
        if data.get("value") and not data.get("key") and "key" not in self.errors:
            self.add_error("key", "Give this value a variable name.")
        return data


# -- the lists of them --------------------------------------------------------------------------


class BaseCodeFileFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": f"Up to {MAX_FILES} files.",
        "missing_management_form": "The list of files was not sent complete: reload the page.",
    }

    def clean(self):
        """The files that are not blank, as {name: code}, in self.files_by_name."""
        self.files_by_name: dict[str, str] = {}
        if any(self.errors):
            return
        for form in self.forms:
            name, code = form.cleaned_data.get("name", ""), form.cleaned_data.get("code", "")
            if not name and not code.strip():
                continue
            if name in self.files_by_name:
                form.add_error("name", f"Two files are called {name}.")
                return
            clash = file_and_folder_clash([*self.files_by_name, name])
            if clash:
                form.add_error("name", clash)
                return
            self.files_by_name[name] = code
        if not any(code.strip() for code in self.files_by_name.values()):
            raise forms.ValidationError("Write some code first: the handler file is empty.")
        if len(self.files_by_name) > MAX_FILES:
            raise forms.ValidationError(f"Up to {MAX_FILES} files.")
        total = sum(len(code.encode()) for code in self.files_by_name.values())
        if total > settings.SANDBOX_MAX_CODE_BYTES:
            raise forms.ValidationError(
                f"The code is {total:,} bytes; the sandbox takes up to "
                f"{settings.SANDBOX_MAX_CODE_BYTES:,} bytes."
            )


class BaseEnvVarFormSet(forms.BaseFormSet):
    help_text = f"{data_size(ENV_VARS_MAX_BYTES)} in total"
    max_bytes = ENV_VARS_MAX_BYTES
    default_error_messages = {
        "too_many_forms": "Too many environment variables: Lambda allows "
        f"{data_size(ENV_VARS_MAX_BYTES)} for all of them together.",
        "missing_management_form": "The environment variables were not sent complete: reload the page.",
    }

    def clean(self):
        """The variables that are not blank, as {name: value}, in self.variables."""
        self.variables: dict[str, str] = {}
        if any(self.errors):
            return
        for form in self.forms:
            key, value = form.cleaned_data.get("key", ""), form.cleaned_data.get("value", "")
            if not key:
                continue
            if key in self.variables:
                form.add_error("key", f"Two variables are called {key}.")
                return
            self.variables[key] = value
        size = environment_size_bytes(self.variables)
        if size > ENV_VARS_MAX_BYTES:
            raise forms.ValidationError(
                f"Environment variables take {size:,} bytes; Lambda allows "
                f"{data_size(ENV_VARS_MAX_BYTES)} ({ENV_VARS_MAX_BYTES:,} bytes) for all of them together."
            )


CodeFileFormSet = forms.formset_factory(
    CodeFileForm, formset=BaseCodeFileFormSet, extra=0, max_num=MAX_FILES, absolute_max=MAX_FILES * 2
)
# Each variable takes at least two bytes (its name), so more rows than this cannot fit.
EnvVarFormSet = forms.formset_factory(
    EnvVarForm,
    formset=BaseEnvVarFormSet,
    extra=1,
    max_num=ENV_VARS_MAX_BYTES // 2,
    absolute_max=ENV_VARS_MAX_BYTES // 2,
)


def _prepared(data):
    """The POST as the formsets read it: a list not sent at all counts as empty, and without
    JavaScript a new variable goes in a blank row, so one stays at the end after each POST."""
    data = data.copy()
    for prefix in (FILES_PREFIX, ENV_PREFIX):
        data.setdefault(f"{prefix}-TOTAL_FORMS", "0")
        data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    try:
        total = int(data.get(f"{ENV_PREFIX}-TOTAL_FORMS"))
    except (TypeError, ValueError):
        return data
    last_row = [data.get(f"{ENV_PREFIX}-{total - 1}-{name}", "") for name in EnvVarForm.base_fields]
    if 0 <= total < EnvVarFormSet.absolute_max and (total == 0 or any(last_row)):
        data[f"{ENV_PREFIX}-TOTAL_FORMS"] = str(total + 1)
    return data


# -- the sample event picker --------------------------------------------------------------------


class EventSelect(forms.Select):
    """Sample events grouped by service; each option carries its description and topic page, which
    the page's script shows under the picker."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.events: dict = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        event = self.events.get(value)
        if event is not None:
            option["attrs"] = {
                "data-description": event.description,
                "data-topic": reverse("topic_detail", args=[event.topic]),
                **option["attrs"],
            }
        return option


# -- the whole form -----------------------------------------------------------------------------


class SandboxForm(forms.Form):
    use_required_attribute = False  # the server's messages say what is missing, in the page

    handler = forms.CharField(
        label="Handler",
        initial="lambda_function.lambda_handler",
        help_text="module.function, e.g. lambda_function.lambda_handler",
        widget=forms.TextInput(attrs=CODE_ATTRS),
    )
    runtime = forms.ChoiceField(
        label="Runtime",
        required=False,
        help_text="The interpreters this server has; the log's INIT_START line names the one that ran.",
    )
    memory_mb = forms.IntegerField(
        label="Memory (MB)",
        initial=MEMORY_MIN_MB,
        widget=forms.NumberInput(attrs={"min": MEMORY_MIN_MB, "max": MEMORY_MAX_MB}),
    )
    timeout_s = forms.IntegerField(
        label="Timeout (s)",
        initial=3,
        widget=forms.NumberInput(attrs={"min": TIMEOUT_MIN_S, "max": TIMEOUT_MAX_S}),
    )
    invocation_type = forms.ChoiceField(
        label="Invocation type", choices=INVOCATION_CHOICES, initial="RequestResponse"
    )
    architecture = forms.ChoiceField(
        label="Architecture",
        choices=[("x86_64", "x86_64"), ("arm64", "arm64 (Graviton)")],
        initial="x86_64",
        required=False,
        help_text="Sets the price shown; the code runs on this server's processor.",
    )
    log_format = forms.ChoiceField(
        label="Log format",
        choices=[("Text", "Text"), ("JSON", "JSON")],
        initial="Text",
        required=False,
        help_text="JSON: logging records and Lambda's own lines as JSON objects, filtered by level.",
    )
    application_log_level = forms.ChoiceField(
        label="Application log level",
        choices=[("", "— (INFO with JSON)")] + [(level, level) for level in APPLICATION_LOG_LEVELS],
        required=False,
    )
    system_log_level = forms.ChoiceField(
        label="System log level",
        choices=[("", "— (INFO with JSON)")] + [(level, level) for level in SYSTEM_LOG_LEVELS],
        required=False,
    )
    caller = forms.ChoiceField(
        label="Invoke",
        choices=[("", "Directly (the Invoke API)")]
        + list(FRONT_DOORS.items())
        + [(QUEUE, QUEUE_NAME), (BUCKET, BUCKET_NAME)],
        required=False,
        help_text="Through a front door, the HTTP request below becomes the event, the invoke is "
        "synchronous, and you see what the client gets back.",
    )
    http_method = forms.ChoiceField(
        label="Method", choices=[(m, m) for m in METHODS], initial="GET", required=False
    )
    http_target = forms.CharField(label="Path and query", initial="/orders?status=open", required=False)
    http_headers = forms.CharField(
        label="Headers (one per line: Name: value)",
        required=False,
        initial="accept: application/json",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "mono"}),
    )
    http_body = forms.CharField(
        label="Body",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "mono"}),
    )
    http_body_base64 = forms.BooleanField(label="The body is binary, written in base64", required=False)
    sqs_messages = forms.CharField(
        label="Messages (one body per line)",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "mono"}),
    )
    sqs_batch_size = forms.IntegerField(label="Batch size", initial=10, required=False)
    sqs_window_s = forms.IntegerField(label="Batching window (s)", initial=0, required=False)
    sqs_report_failures = forms.BooleanField(
        label="Report batch item failures (FunctionResponseTypes: ReportBatchItemFailures)", required=False
    )
    sqs_visibility_s = forms.IntegerField(label="Queue visibility timeout (s)", initial=30, required=False)
    sqs_max_receive = forms.IntegerField(
        label="maxReceiveCount (dead-letter queue; 0: none)", initial=3, required=False
    )
    s3_bucket = forms.CharField(label="Bucket", initial="sandbox-uploads", required=False)
    s3_event_type = forms.ChoiceField(
        label="Event type", choices=[(kind, kind) for kind in EVENT_TYPES], required=False
    )
    s3_prefix = forms.CharField(label="Prefix filter", required=False, strip=False)
    s3_suffix = forms.CharField(label="Suffix filter", required=False, strip=False)
    s3_key = forms.CharField(label="Object key to put", initial="uploads/photo.jpg", required=False)
    s3_recursive_loop = forms.ChoiceField(
        label="Recursive loop detection (the function's RecursiveLoop)",
        choices=[("Terminate", "Terminate (the default)"), ("Allow", "Allow")],
        required=False,
    )
    event_slug = forms.ChoiceField(label="Sample event", required=False, widget=EventSelect)
    event_json = forms.CharField(
        label="Event JSON",
        required=False,
        strip=False,
        initial="{}",
        help_text=f"Lambda takes up to {data_size(SYNC_PAYLOAD_MAX_BYTES)} for a synchronous invoke, "
        f"{data_size(ASYNC_PAYLOAD_MAX_BYTES)} for an asynchronous one.",
        widget=forms.Textarea(
            attrs={
                "class": "code-editor",
                "rows": 14,
                "spellcheck": "false",
                "data-mode": "json",
                "aria-describedby": "id_event_json_helptext event-json-status",
            }
        ),
    )
    seed_resources = forms.BooleanField(
        label="Seed the bucket, table or queue named in the event", required=False
    )

    def __init__(self, data=None, *args, initial: dict | None = None, **kwargs):
        """`initial` may hold files and environment as lists of (name, text) pairs."""
        initial = initial or {}
        if data is not None:
            data = _prepared(data)
        super().__init__(data, *args, initial=initial, **kwargs)
        runtimes = available_runtimes()
        self.fields["runtime"].choices = [
            (name, f"{name} (Python {runtime.version})") for name, runtime in runtimes.items()
        ]
        self.fields["runtime"].error_messages["invalid_choice"] = (
            f"This server has no %(value)s interpreter: it offers {', '.join(runtimes)}."
        )
        self.fields["runtime"].initial = next(iter(runtimes))
        self.code_files = CodeFileFormSet(
            data,
            prefix=FILES_PREFIX,
            initial=[{"name": name, "code": code} for name, code in initial.get("files", [])],
        )
        self.env_vars = EnvVarFormSet(
            data,
            prefix=ENV_PREFIX,
            initial=[{"key": key, "value": value} for key, value in initial.get("environment", [])],
        )
        self.memory_cap_mb = settings.SANDBOX_MAX_MEMORY_MB
        self.timeout_cap_s = settings.SANDBOX_MAX_TIMEOUT_S
        memory, timeout = self.fields["memory_mb"], self.fields["timeout_s"]
        memory.help_text = (
            f"Lambda: {MEMORY_MIN_MB}–{MEMORY_MAX_MB:,} MB. Here up to {self.memory_cap_mb} MB."
        )
        timeout.help_text = f"Lambda: {TIMEOUT_MIN_S}–{TIMEOUT_MAX_S} s. Here up to {self.timeout_cap_s} s."
        events = library().events_by_service()
        self.fields["event_slug"].choices = [("", "Custom (edit below)")] + [
            (service, [(event.slug, event.title) for event in service_events])
            for service, service_events in events
        ]
        self.fields["event_slug"].widget.events = library().events

    def is_valid(self) -> bool:
        files_valid, env_valid = self.code_files.is_valid(), self.env_vars.is_valid()
        return super().is_valid() and files_valid and env_valid

    @property
    def has_problems(self) -> bool:
        return self.is_bound and not self.is_valid()

    # -- fields -------------------------------------------------------------------------------

    def clean_handler(self) -> str:
        # Only what the Lambda API checks: a handler it accepts but the runtime cannot load
        # fails at init with the runtime's own error (Runtime.MalformedHandlerName, ...).
        handler = self.cleaned_data["handler"].strip()
        problem = handler_problem(handler)
        if problem:
            raise forms.ValidationError(problem)
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
        size = len(text.encode())
        if size > SYNC_PAYLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The event is {size:,} bytes; Lambda accepts at most {data_size(SYNC_PAYLOAD_MAX_BYTES)} "
                f"({SYNC_PAYLOAD_MAX_BYTES:,} bytes) for a synchronous invoke."
            )
        depth = jsontext.nesting_depth(text)
        if depth > jsontext.MAX_DEPTH:
            raise forms.ValidationError(
                f"The event nests deeper than {jsontext.MAX_DEPTH} levels ({depth:,}): "
                f"the sandbox reads events up to {jsontext.MAX_DEPTH} levels deep."
            )
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"The event is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
            ) from None
        return text

    def clean(self):
        data = super().clean()
        data["log_format"] = data.get("log_format") or "Text"
        problem = logging_problem(
            data["log_format"], data.get("application_log_level", ""), data.get("system_log_level", "")
        )
        if problem:
            self.add_error(*problem)
        if data.get("caller") in FRONT_DOORS:
            try:
                data["http_request"] = parse_request(
                    data.get("http_method") or "GET",
                    data.get("http_target") or "/",
                    data.get("http_headers", ""),
                    data.get("http_body", ""),
                    data.get("http_body_base64", False),
                )
            except RequestError as problem:
                self.add_error(problem.field, str(problem))
        if data.get("caller") == QUEUE:
            self._clean_queue(data)
        if data.get("caller") == BUCKET:
            self._clean_bucket(data)
        if data.get("invocation_type") == "Event" and "event_json" in data:
            size = len(data["event_json"].encode())
            if size > ASYNC_PAYLOAD_MAX_BYTES:
                self.add_error(
                    "event_json",
                    f"An asynchronous event may be at most {data_size(ASYNC_PAYLOAD_MAX_BYTES)} "
                    f"({ASYNC_PAYLOAD_MAX_BYTES:,} bytes); this one is {size:,} bytes.",
                )
        return data

    # -- result ---------------------------------------------------------------------------------

    def run_settings(self) -> dict:
        """The fields a saved run (history or permalink) keeps, to open it again exactly."""
        data = self.cleaned_data
        return {
            "files": self.code_files.files_by_name,
            "handler": data["handler"],
            "memory_mb": data["memory_mb"],
            "timeout_s": data["timeout_s"],
            "environment": self.env_vars.variables,
            "invocation_type": data["invocation_type"],
            "event_json": data["event_json"],
            "event_slug": data.get("event_slug") or "",
            "seed_resources": data.get("seed_resources", False),
            "architecture": data.get("architecture") or "x86_64",
            "runtime": data.get("runtime") or "",
            "caller": self.caller_settings(),
            **self.logging_settings(),
        }

    def _clean_queue(self, data: dict) -> None:
        bodies = [
            line for line in data.get("sqs_messages", "").replace("\r\n", "\n").split("\n") if line.strip()
        ]
        if not bodies:
            self.add_error("sqs_messages", "Write at least one message body.")
        elif len(bodies) > MAX_MESSAGES:
            self.add_error("sqs_messages", f"Up to {MAX_MESSAGES} messages.")
        mapping = Mapping(
            batch_size=data.get("sqs_batch_size") or 10,
            window_s=data.get("sqs_window_s") or 0,
            report_failures=bool(data.get("sqs_report_failures")),
            visibility_timeout_s=30 if data.get("sqs_visibility_s") is None else data["sqs_visibility_s"],
            max_receive_count=data.get("sqs_max_receive") or 0,
        )
        problem = mapping.problem(data.get("timeout_s") or 3)
        if problem:
            self.add_error(*problem)
        data["queue"] = {"mapping": dataclasses.asdict(mapping), "messages": bodies}

    def _clean_bucket(self, data: dict) -> None:
        trigger = Trigger(
            bucket=(data.get("s3_bucket") or "").strip(),
            event_type=data.get("s3_event_type") or "s3:ObjectCreated:*",
            prefix=data.get("s3_prefix", ""),
            suffix=data.get("s3_suffix", ""),
            recursive_loop=data.get("s3_recursive_loop") or "Terminate",
        )
        problem = trigger.problem()
        if problem:
            self.add_error(*problem)
        key = (data.get("s3_key") or "").strip()
        if not key or len(key.encode()) > 1024:
            self.add_error("s3_key", "An object key is 1 to 1,024 bytes.")
        data["bucket"] = {"trigger": dataclasses.asdict(trigger), "key": key}

    def caller_settings(self) -> dict:
        """{} for a direct invoke; else the caller and what it sends."""
        data = self.cleaned_data
        if data.get("caller") == QUEUE and "queue" in data:
            return {"kind": QUEUE, **data["queue"]}
        if data.get("caller") == BUCKET and "bucket" in data:
            return {"kind": BUCKET, **data["bucket"]}
        if data.get("caller") not in FRONT_DOORS or "http_request" not in data:
            return {}
        return {"kind": data["caller"], "request": data["http_request"].to_dict()}

    def logging_settings(self) -> dict:
        data = self.cleaned_data
        return {
            "log_format": data.get("log_format") or "Text",
            "application_log_level": data.get("application_log_level", ""),
            "system_log_level": data.get("system_log_level", ""),
        }

    def function_config(self, owner: str = "") -> FunctionConfig:
        return run_settings.function_config(self.run_settings(), owner)


class TuneForm(forms.Form):
    """The memory tuner's settings, beside the sandbox form's function and event."""

    tune_memories = forms.TypedMultipleChoiceField(
        label="Memory sizes (MB)",
        coerce=int,
        choices=[(memory, f"{memory:,}") for memory in tuner.MEMORY_CHOICES],
        initial=list(tuner.DEFAULT_MEMORIES),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least two memory sizes to compare."},
    )
    tune_invokes = forms.IntegerField(
        label="Measured invokes at each size",
        min_value=1,
        max_value=tuner.MAX_INVOKES,
        initial=tuner.DEFAULT_INVOKES,
        help_text="After one warm-up (cold) invoke, which the averages leave out.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cap = settings.SANDBOX_MAX_MEMORY_MB
        self.fields["tune_memories"].widget.choices = [
            (memory, f"{memory:,}") for memory in tuner.memory_choices(cap)
        ]

    def clean_tune_memories(self) -> list[int]:
        memories = sorted(set(self.cleaned_data["tune_memories"]))
        cap = settings.SANDBOX_MAX_MEMORY_MB
        above = [memory for memory in memories if memory > cap]
        if above:
            raise forms.ValidationError(
                f"This sandbox allows up to {cap:,} MB: "
                f"{', '.join(f'{memory:,}' for memory in above)} MB is above it."
            )
        if len(memories) < 2:
            raise forms.ValidationError("Choose at least two memory sizes to compare.")
        return memories
