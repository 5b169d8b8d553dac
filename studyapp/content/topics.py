"""Topic pages: content/topics/*.md parsed once into frozen dataclasses."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from studyapp.content.files import (
    ContentError,
    Problem,
    cached_content,
    content_path,
    files_in,
    split_front_matter,
)
from studyapp.content.markdown import Heading, Rendered, render_markdown
from studyapp.content.tokens import expand

SECTIONS = (
    "Basics",
    "Invocation & events",
    "Scaling & performance",
    "Pricing",
    "Operations",
    "Networking & data",
    "Deployment",
    "Comparisons",
)
REQUIRED_KEYS = ("slug", "title", "section", "order", "summary", "sources", "last_verified")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    section: str
    order: int
    summary: str
    sources: tuple[str, ...]
    last_verified: dt.date
    related: tuple[str, ...]
    body: str  # Markdown source
    path: Path
    sandbox_event: str = ""  # sample event for this page's "Run in sandbox" blocks
    _render_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def url(self) -> str:
        return f"/topics/{self.slug}/"

    @cached_property
    def rendered(self) -> Rendered:
        """Rendered on first use and kept: startup only parses front matter."""
        with self._render_lock:
            return self.__dict__.get("rendered") or render_markdown(expand(self.body, strict=False))

    @property
    def html(self) -> str:
        return self.rendered.html

    @property
    def headings(self) -> tuple[Heading, ...]:
        return self.rendered.headings

    @cached_property
    def text(self) -> str:
        """Plain text of the body, for search."""
        return _plain_text(self.html)


@dataclass(frozen=True)
class Catalog:
    topics: dict[str, Topic]  # in reading order: section, then order
    problems: tuple[Problem, ...]
    version: str = ""  # changes whenever a topic file changes; keys rendered-fragment caches

    def by_section(self) -> list[tuple[str, list[Topic]]]:
        groups = [(name, [t for t in self.topics.values() if t.section == name]) for name in SECTIONS]
        return [(name, topics) for name, topics in groups if topics]

    def neighbours(self, slug: str) -> tuple[Topic | None, Topic | None]:
        ordered = list(self.topics.values())
        index = [t.slug for t in ordered].index(slug)
        previous = ordered[index - 1] if index > 0 else None
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        return previous, following


def topics_dir() -> Path:
    return content_path("topics")


_TAGS = re.compile(r"<[^>]+>")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?)])")


def _plain_text(rendered_html: str) -> str:
    without_anchors = re.sub(r'<a class="heading-anchor"[^>]*>#</a>', "", rendered_html)
    text = " ".join(html.unescape(_TAGS.sub(" ", without_anchors)).split())
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


def _string_list(meta: dict, key: str, path: Path) -> tuple[str, ...]:
    value = meta.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ContentError(Problem(path, f"'{key}' must be a list of strings"))
    return tuple(value)


def parse_topic(path: Path) -> Topic:
    meta, body, _ = split_front_matter(path)
    missing = [key for key in REQUIRED_KEYS if meta.get(key) in (None, "", [])]
    if missing:
        raise ContentError(Problem(path, f"missing required key(s): {', '.join(missing)}"))
    slug = str(meta["slug"])
    if not SLUG_PATTERN.match(slug):
        raise ContentError(Problem(path, f"slug '{slug}' must be lowercase words joined by -"))
    if meta["section"] not in SECTIONS:
        raise ContentError(
            Problem(path, f"unknown section '{meta['section']}' (one of: {', '.join(SECTIONS)})")
        )
    if not isinstance(meta["order"], int) or isinstance(meta["order"], bool):
        raise ContentError(Problem(path, "'order' must be an integer"))
    verified = meta["last_verified"]
    if not isinstance(verified, dt.date) or isinstance(verified, dt.datetime):
        raise ContentError(Problem(path, f"'last_verified' must be a date YYYY-MM-DD: {verified!r}"))
    if verified > dt.date.today():
        raise ContentError(Problem(path, f"'last_verified' {verified} is in the future"))
    sources = _string_list(meta, "sources", path)
    bad_sources = [url for url in sources if not url.startswith("https://")]
    if bad_sources:
        raise ContentError(Problem(path, f"sources must be https URLs: {', '.join(bad_sources)}"))
    return Topic(
        slug=slug,
        title=str(meta["title"]),
        section=meta["section"],
        order=meta["order"],
        summary=" ".join(str(meta["summary"]).split()),
        sources=sources,
        last_verified=verified,
        related=_string_list(meta, "related", path),
        body=body,
        path=path,
        sandbox_event=str(meta.get("sandbox_event") or ""),
    )


def build_catalog(paths: list[Path]) -> Catalog:
    problems: list[Problem] = []
    parsed: list[Topic] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            topic = parse_topic(path)
        except ContentError as error:
            problems.append(error.problem)
            continue
        if topic.slug in seen:
            problems.append(Problem(path, f"duplicate slug '{topic.slug}' (also in {seen[topic.slug].name})"))
            continue
        seen[topic.slug] = path
        parsed.append(topic)
    for topic in parsed:
        for slug in topic.related:
            if slug not in seen:
                problems.append(Problem(topic.path, f"related topic '{slug}' does not exist"))
    parsed.sort(key=lambda t: (SECTIONS.index(t.section), t.order, t.title))
    digest = hashlib.sha256()
    for topic in parsed:
        digest.update(repr((topic.path.name, topic.path.stat().st_mtime_ns, len(topic.body))).encode())
    return Catalog(
        topics={t.slug: t for t in parsed}, problems=tuple(problems), version=digest.hexdigest()[:16]
    )


def _watched() -> list[Path]:
    return files_in(topics_dir(), "*.md")


@cached_content(_watched)
def catalog() -> Catalog:
    return build_catalog(sorted(topics_dir().glob("*.md")))
