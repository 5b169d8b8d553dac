"""The sandbox's content: sample events (content/events), sample HTTP requests for the front
doors (content/requests) and starter handlers (content/handlers)."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

from studyapp.content.files import (
    ContentError,
    Problem,
    cached_content,
    content_path,
    files_in,
    load_yaml,
)

INVOCATION_STYLES = ("async", "sync", "poll")
HTTP_CALLERS = ("rest", "http", "url")  # the sandbox's HTTP front doors (sandbox/callers/http_events.py)
QUEUE_CALLER = "sqs"  # an SQS queue and its event source mapping (sandbox/callers/sqs_mapping.py)
BUCKET_CALLER = "s3"  # an S3 bucket's event notification (sandbox/callers/s3_notifications.py)
TRIGGER_KEYS = {"bucket", "event_type", "prefix", "suffix", "recursive_loop"}
MAPPING_KEYS = {"batch_size", "window_s", "report_failures", "visibility_timeout_s", "max_receive_count"}


@dataclass(frozen=True)
class SampleMessages:
    """Message bodies for the queue caller, one per line of <slug>.jsonl."""

    slug: str
    title: str
    description: str
    bodies: tuple[str, ...]


@dataclass(frozen=True)
class SampleRequest:
    """An HTTP request as a client writes it: request line, headers, blank line, body."""

    slug: str
    title: str
    description: str
    method: str
    target: str
    headers: str  # "Name: value" lines
    body: str


@dataclass(frozen=True)
class SampleEvent:
    slug: str
    service: str
    title: str
    description: str
    topic: str
    invocation: str
    json_text: str

    @property
    def data(self):
        return json.loads(self.json_text)


@dataclass(frozen=True)
class StarterHandler:
    module: str
    handler: str
    title: str
    description: str
    event: str
    topic: str
    timeout_s: float
    memory_mb: int
    source: str
    expect: dict = field(default_factory=dict)
    seed: bool = False  # create the resources its event names before running it
    caller: str = ""  # a front door to send `request` through ("rest", "http", "url"), or "sqs"
    request: str = ""
    messages: str = ""  # for "sqs": the sample messages and the mapping's settings
    mapping: dict = field(default_factory=dict)
    trigger: dict = field(default_factory=dict)  # for "s3": the notification, and the key put
    key: str = ""

    @property
    def file_name(self) -> str:
        return f"{self.module}.py"


@dataclass(frozen=True)
class Library:
    events: dict[str, SampleEvent]
    handlers: dict[str, StarterHandler]
    problems: tuple[Problem, ...]
    requests: dict[str, SampleRequest] = field(default_factory=dict)
    messages: dict[str, SampleMessages] = field(default_factory=dict)

    def events_by_service(self) -> list[tuple[str, list[SampleEvent]]]:
        services: dict[str, list[SampleEvent]] = {}
        for event in self.events.values():
            services.setdefault(event.service, []).append(event)
        return sorted(services.items())


def events_dir() -> Path:
    return content_path("events")


def handlers_dir() -> Path:
    return content_path("handlers")


def requests_dir() -> Path:
    return content_path("requests")


def messages_dir() -> Path:
    return content_path("messages")


def _load_messages(problems: list[Problem]) -> dict[str, SampleMessages]:
    index = messages_dir() / "messages.yaml"
    if not index.exists():
        return {}
    sets: dict[str, SampleMessages] = {}
    for entry in _entries(index, "slug", problems):
        slug = str(entry["slug"])
        path = messages_dir() / f"{slug}.jsonl"
        try:
            bodies = tuple(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
        except OSError:
            problems.append(Problem(index, f"messages '{slug}' has no file {path.name}"))
            continue
        sets[slug] = SampleMessages(
            slug, str(entry.get("title", slug)), str(entry.get("description", "")), bodies
        )
    return sets


def _entries(path: Path, key: str, problems: list[Problem]) -> list[dict]:
    try:
        data = load_yaml(path)
    except ContentError as error:
        problems.append(error.problem)
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) and key in item for item in data):
        problems.append(Problem(path, f"expected a list of entries, each with '{key}'"))
        return []
    return data


def _load_events(problems: list[Problem]) -> dict[str, SampleEvent]:
    index = events_dir() / "events.yaml"
    events: dict[str, SampleEvent] = {}
    required = ("slug", "service", "title", "description", "topic", "invocation")
    for entry in _entries(index, "slug", problems):
        slug = str(entry["slug"])
        missing = [key for key in required if not entry.get(key)]
        if missing:
            problems.append(Problem(index, f"event '{slug}': missing {', '.join(missing)}"))
            continue
        if entry["invocation"] not in INVOCATION_STYLES:
            problems.append(Problem(index, f"event '{slug}': invocation must be one of {INVOCATION_STYLES}"))
        if slug in events:
            problems.append(Problem(index, f"duplicate event slug '{slug}'"))
            continue
        path = events_dir() / f"{slug}.json"
        try:
            text = path.read_text(encoding="utf-8")
            json.loads(text)
        except OSError:
            problems.append(Problem(index, f"event '{slug}' has no file {path.name}"))
            continue
        except ValueError as error:
            problems.append(Problem(path, f"invalid JSON: {error}", getattr(error, "lineno", None)))
            continue
        events[slug] = SampleEvent(json_text=text, **{key: str(entry[key]) for key in required})
    for path in sorted(events_dir().glob("*.json")):
        if path.stem not in events and not any(p.path == path for p in problems):
            problems.append(Problem(path, "event file is not listed in events.yaml"))
    return events


def _load_requests(problems: list[Problem]) -> dict[str, SampleRequest]:
    index = requests_dir() / "requests.yaml"
    if not index.exists():
        return {}
    requests: dict[str, SampleRequest] = {}
    for entry in _entries(index, "slug", problems):
        slug = str(entry["slug"])
        path = requests_dir() / f"{slug}.http"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            problems.append(Problem(index, f"request '{slug}' has no file {path.name}"))
            continue
        head, _, body = text.partition("\n\n")
        request_line, *header_lines = head.split("\n")
        parts = request_line.split()
        if len(parts) != 3 or not parts[1].startswith("/") or not parts[2].startswith("HTTP/"):
            problems.append(Problem(path, "the first line must be METHOD /path HTTP/1.1", 1))
            continue
        bad = [number for number, line in enumerate(header_lines, start=2) if ":" not in line]
        if bad:
            problems.append(Problem(path, "a header line must be Name: value", bad[0]))
            continue
        requests[slug] = SampleRequest(
            slug=slug,
            title=str(entry.get("title", slug)),
            description=str(entry.get("description", "")),
            method=parts[0],
            target=parts[1],
            headers="\n".join(header_lines),
            body=body.rstrip("\n"),
        )
    return requests


def _caller_problem(entry: dict, requests: dict, messages: dict) -> str | None:
    caller = str(entry.get("caller", ""))
    if not caller:
        return None
    if caller in HTTP_CALLERS:
        return None if entry.get("request") in requests else "names no known request"
    if caller == QUEUE_CALLER:
        if entry.get("messages") not in messages:
            return "names no known messages"
        mapping = entry.get("mapping") or {}
        return None if isinstance(mapping, dict) and set(mapping) <= MAPPING_KEYS else "has an unknown mapping key"
    if caller == BUCKET_CALLER:
        trigger = entry.get("trigger") or {}
        if not (isinstance(trigger, dict) and set(trigger) <= TRIGGER_KEYS and entry.get("key")):
            return "needs a trigger (bucket, event_type, prefix, suffix) and a key"
        return None
    return f"caller must be one of {(*HTTP_CALLERS, QUEUE_CALLER, BUCKET_CALLER)}"


def _load_handlers(
    problems: list[Problem],
    events: dict[str, SampleEvent],
    requests: dict[str, SampleRequest],
    messages: dict[str, SampleMessages],
) -> dict[str, StarterHandler]:
    index = handlers_dir() / "handlers.yaml"
    handlers: dict[str, StarterHandler] = {}
    for entry in _entries(index, "module", problems):
        module = str(entry["module"])
        path = handlers_dir() / f"{module}.py"
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source, filename=str(path))
        except OSError:
            problems.append(Problem(index, f"handler '{module}' has no file {path.name}"))
            continue
        except SyntaxError as error:
            problems.append(Problem(path, f"does not compile: {error.msg}", error.lineno))
            continue
        handler = str(entry.get("handler", ""))
        module_part, _, function = handler.rpartition(".")
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        if module_part != module or function not in defined:
            problems.append(Problem(index, f"handler '{handler}' is not a function defined in {path.name}"))
            continue
        if entry.get("event") not in events:
            problems.append(Problem(index, f"handler '{module}': unknown event '{entry.get('event')}'"))
            continue
        caller = str(entry.get("caller", ""))
        caller_problem = _caller_problem(entry, requests, messages)
        if caller_problem:
            problems.append(Problem(index, f"handler '{module}': its caller {caller_problem}"))
            continue
        handlers[module] = StarterHandler(
            module=module,
            handler=handler,
            title=str(entry.get("title", module)),
            description=str(entry.get("description", "")),
            event=str(entry["event"]),
            topic=str(entry.get("topic", "")),
            timeout_s=float(entry.get("timeout_s", 3)),
            memory_mb=int(entry.get("memory_mb", 128)),
            source=source,
            expect=dict(entry.get("expect") or {}),
            seed=bool(entry.get("seed", False)),
            caller=caller,
            request=str(entry.get("request", "")) if caller in HTTP_CALLERS else "",
            messages=str(entry.get("messages", "")) if caller == QUEUE_CALLER else "",
            mapping=dict(entry.get("mapping") or {}),
            trigger=dict(entry.get("trigger") or {}) if caller == BUCKET_CALLER else {},
            key=str(entry.get("key", "")) if caller == BUCKET_CALLER else "",
        )
    return handlers


def build_library() -> Library:
    problems: list[Problem] = []
    events = _load_events(problems)
    requests = _load_requests(problems)
    messages = _load_messages(problems)
    handlers = _load_handlers(problems, events, requests, messages)
    return Library(
        events=events, handlers=handlers, problems=tuple(problems), requests=requests, messages=messages
    )


@cached_content(
    lambda: files_in(events_dir(), "*")
    + files_in(handlers_dir(), "*")
    + files_in(requests_dir(), "*")
    + files_in(messages_dir(), "*")
)
def library() -> Library:
    return build_library()
