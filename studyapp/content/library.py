"""The sandbox's content: sample events (content/events) and starter handlers (content/handlers)."""

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

    @property
    def file_name(self) -> str:
        return f"{self.module}.py"


@dataclass(frozen=True)
class Library:
    events: dict[str, SampleEvent]
    handlers: dict[str, StarterHandler]
    problems: tuple[Problem, ...]

    def events_by_service(self) -> list[tuple[str, list[SampleEvent]]]:
        services: dict[str, list[SampleEvent]] = {}
        for event in self.events.values():
            services.setdefault(event.service, []).append(event)
        return sorted(services.items())


def events_dir() -> Path:
    return content_path("events")


def handlers_dir() -> Path:
    return content_path("handlers")


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


def _load_handlers(problems: list[Problem], events: dict[str, SampleEvent]) -> dict[str, StarterHandler]:
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
        )
    return handlers


def build_library() -> Library:
    problems: list[Problem] = []
    events = _load_events(problems)
    handlers = _load_handlers(problems, events)
    return Library(events=events, handlers=handlers, problems=tuple(problems))


@cached_content(lambda: files_in(events_dir(), "*") + files_in(handlers_dir(), "*"))
def library() -> Library:
    return build_library()
