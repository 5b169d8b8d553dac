"""Full-text search over topic titles, headings and bodies, with highlighted snippets."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from studyapp.content.topics import Catalog, Topic, _plain_text

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_HITS = 20
SNIPPET_CHARS = 160

_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)


@dataclass(frozen=True)
class Section:
    topic: Topic
    anchor: str  # "" for the part before the first heading
    heading: str
    text: str


@dataclass(frozen=True)
class Hit:
    topic: Topic
    anchor: str
    heading: str
    title_html: SafeString
    heading_html: SafeString
    snippet_html: SafeString
    score: int

    @property
    def url(self) -> str:
        return self.topic.url + (f"#{self.anchor}" if self.anchor else "")


def sections_of(topic: Topic) -> list[Section]:
    parts = _HEADING.split(topic.html)
    sections = [Section(topic, "", "", _plain_text(parts[0]))]
    # split() yields: before, level, id, heading html, body, level, id, ...
    for index in range(1, len(parts), 4):
        anchor, heading_html, body = parts[index + 1], parts[index + 2], parts[index + 3]
        sections.append(Section(topic, anchor, _plain_text(heading_html), _plain_text(body)))
    return sections


def parse_terms(query: str) -> list[str]:
    words = re.findall(r"[^\s\"']+", query[:MAX_QUERY_CHARS].lower())
    unique = list(dict.fromkeys(word for word in words if word))
    return unique[:MAX_TERMS]


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    lowered = text.lower()
    spans = []
    for term in terms:
        start = lowered.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = lowered.find(term, start + len(term))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: list[str]) -> SafeString:
    """Escape `text` and wrap each match of a term in <mark>."""
    out, position = [], 0
    for start, end in _spans(text, terms):
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return mark_safe("".join(out))


def snippet(text: str, terms: list[str]) -> SafeString:
    spans = _spans(text, terms)
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET_CHARS // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    excerpt = text[start : start + SNIPPET_CHARS]
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_CHARS < len(text) else ""
    return mark_safe(prefix + highlight(excerpt, terms) + suffix)


def _score(section: Section, terms: list[str]) -> int:
    title, heading, body = (
        section.topic.title.lower(),
        section.heading.lower(),
        section.text.lower(),
    )
    score = 0
    for term in terms:
        in_title, in_heading, in_body = term in title, term in heading, body.count(term)
        if not (in_title or in_heading or in_body):
            return 0  # every term must appear somewhere in the topic title or this section
        score += 20 * in_title + 8 * in_heading + min(in_body, 5)
    return score


class SearchIndex:
    def __init__(self, catalog: Catalog):
        self.sections = [s for topic in catalog.topics.values() for s in sections_of(topic)]

    def search(self, query: str) -> list[Hit]:
        terms = parse_terms(query)
        if not terms:
            return []
        scored = [(_score(section, terms), section) for section in self.sections]
        ranked = sorted((pair for pair in scored if pair[0]), key=lambda pair: -pair[0])
        hits, per_topic = [], {}
        for score, section in ranked:
            if per_topic.get(section.topic.slug, 0) >= 3:
                continue
            per_topic[section.topic.slug] = per_topic.get(section.topic.slug, 0) + 1
            hits.append(
                Hit(
                    topic=section.topic,
                    anchor=section.anchor,
                    heading=section.heading,
                    title_html=highlight(section.topic.title, terms),
                    heading_html=highlight(section.heading, terms),
                    snippet_html=snippet(section.text or section.topic.summary, terms),
                    score=score,
                )
            )
            if len(hits) == MAX_HITS:
                break
        return hits


_latest: list[tuple[Catalog, SearchIndex]] = []


def index_for(catalog: Catalog) -> SearchIndex:
    """One index per loaded catalog (the catalog is rebuilt when content changes in DEBUG)."""
    latest = _latest[0] if _latest else None
    if latest is None or latest[0] is not catalog:
        latest = (catalog, SearchIndex(catalog))
        _latest[:] = [latest]
    return latest[1]
