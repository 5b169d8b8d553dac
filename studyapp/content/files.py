"""Helpers for content files: front matter, YAML with line numbers, and change-aware caching."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml
from django.conf import settings

T = TypeVar("T")
# libyaml's parser when PyYAML was built with it (the wheels are): the same safe subset, several
# times faster on the content's question files.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _safe_load(text: str) -> object:
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 (a safe loader)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a content file, reported as `path:line: message`."""

    path: Path
    message: str
    line: int | None = None

    def __str__(self) -> str:
        try:
            shown = self.path.relative_to(settings.BASE_DIR)
        except ValueError:
            shown = self.path
        where = f"{shown}:{self.line}" if self.line else str(shown)
        return f"{where}: {self.message}"


class ContentError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def content_path(*parts: str) -> Path:
    return Path(settings.CONTENT_DIR, *parts)


def load_yaml(path: Path) -> object:
    """Parse a YAML file; a syntax error becomes a ContentError with its line."""
    try:
        return _safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise ContentError(Problem(path, f"invalid YAML: {error.problem}", line)) from error
    except (yaml.YAMLError, ValueError) as error:  # e.g. a date like 2026-13-45
        raise ContentError(Problem(path, f"invalid YAML value: {error}")) from error
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(Problem(path, f"cannot read file: {error}")) from error


def split_front_matter(path: Path) -> tuple[dict, str, int]:
    """Return (front matter, Markdown body, line number where the body starts)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(Problem(path, f"cannot read file: {error}")) from error
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentError(Problem(path, "missing front matter: the file must start with ---", 1))
    index = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---"), None)
    if index is None:
        raise ContentError(Problem(path, "front matter is not closed with ---", 1))
    try:
        meta = _safe_load("".join(lines[1:index])) or {}
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 2 if error.problem_mark else 1
        raise ContentError(Problem(path, f"invalid front matter: {error.problem}", line)) from error
    except (yaml.YAMLError, ValueError) as error:  # e.g. a date like 2026-13-45
        raise ContentError(Problem(path, f"invalid front matter value: {error}", 2)) from error
    if not isinstance(meta, dict):
        raise ContentError(Problem(path, "front matter must be a mapping of keys", 2))
    return meta, "".join(lines[index + 1 :]), index + 2


def _fingerprint(paths: Iterable[Path]) -> tuple:
    stamp = []
    for path in sorted(paths):
        try:
            stamp.append((str(path), path.stat().st_mtime_ns))
        except OSError:
            stamp.append((str(path), None))
    return tuple(stamp)


def cached_content(watch: Callable[[], Iterable[Path]]) -> Callable:
    """Cache a loader's result; in DEBUG, reload when a watched file changes.

    `watch()` lists the files (or directories, whose listing changes when files are added)
    the loader reads. In production the result is computed once per process.
    """

    def decorator(loader: Callable[[], T]) -> Callable[[], T]:
        lock = threading.Lock()
        state: dict = {}

        @functools.wraps(loader)
        def wrapper() -> T:
            key = _fingerprint(watch()) if settings.DEBUG else None
            with lock:
                if "value" not in state or state["key"] != key:
                    state["value"] = loader()
                    state["key"] = key
                return state["value"]

        def cache_clear() -> None:
            with lock:
                state.clear()

        wrapper.cache_clear = cache_clear
        return wrapper

    return decorator


def files_in(directory: Path, pattern: str) -> list[Path]:
    return sorted(directory.glob(pattern)) + [directory]
