"""The glossary (content/glossary.yaml): the field's terms and acronyms, each with its long form,
a one-line definition and the page that explains it, plus groups of words that mean the same
to a learner. Search expands queries with it; the glossary page lists it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from studyapp.content.files import ContentError, Problem, cached_content, content_path, load_yaml

TERM_KEYS = {"term", "long", "definition", "topic", "section", "aliases"}
WORDS = re.compile(r"[^\W_]+")


def words(text: str) -> tuple[str, ...]:
    """Lower-case words as the search index splits them (letters and digits; anything else
    separates: `Runtime.ImportModuleError` is two words, `x86_64` is two)."""
    return tuple(WORDS.findall(text.lower()))


def anchor_of(term: str) -> str:
    return "-".join(words(term)) or "term"


@dataclass(frozen=True)
class Term:
    term: str
    long: str
    definition: str
    topic: str
    section: str
    aliases: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return anchor_of(self.term)

    @property
    def topic_url(self) -> str:
        return f"/topics/{self.topic}/" + (f"#{self.section}" if self.section else "")

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every way of writing it: the term, its long form and its aliases."""
        return tuple(dict.fromkeys(s for s in (self.term, self.long, *self.aliases) if s))


@dataclass(frozen=True)
class Glossary:
    last_verified: dt.date | None
    terms: tuple[Term, ...]
    synonyms: tuple[tuple[str, ...], ...]  # groups of words a learner uses for the same thing


def glossary_path() -> Path:
    return content_path("glossary.yaml")


def _text(raw: dict, key: str) -> str:
    return " ".join(str(raw.get(key) or "").split())


def _term(raw: object, path: Path) -> Term:
    if not isinstance(raw, dict) or not raw.get("term") or not raw.get("definition") or not raw.get("topic"):
        raise ContentError(Problem(path, f"a term needs 'term', 'definition' and 'topic': {raw!r}"))
    unknown = set(raw) - TERM_KEYS
    if unknown:
        raise ContentError(Problem(path, f"term {raw['term']}: unknown key(s) {', '.join(sorted(unknown))}"))
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list):
        raise ContentError(Problem(path, f"term {raw['term']}: 'aliases' must be a list"))
    return Term(
        term=_text(raw, "term"),
        long=_text(raw, "long"),
        definition=_text(raw, "definition"),
        topic=_text(raw, "topic"),
        section=_text(raw, "section"),
        aliases=tuple(" ".join(str(alias).split()) for alias in aliases if str(alias).strip()),
    )


def parse_glossary(path: Path) -> Glossary:
    if not path.exists():
        return Glossary(None, (), ())
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        raise ContentError(Problem(path, "expected a mapping with 'terms' (and optionally 'synonyms')"))
    terms = tuple(_term(raw, path) for raw in data["terms"])
    seen: set[str] = set()
    for term in terms:
        if term.anchor in seen:
            raise ContentError(Problem(path, f"term '{term.term}' is listed twice"))
        seen.add(term.anchor)
    groups = data.get("synonyms") or []
    if not isinstance(groups, list) or not all(isinstance(g, list) and len(g) >= 2 for g in groups):
        raise ContentError(Problem(path, "'synonyms' must be a list of lists of two or more words"))
    synonyms = tuple(tuple(" ".join(str(w).lower().split()) for w in group) for group in groups)
    verified = data.get("last_verified")
    return Glossary(verified if isinstance(verified, dt.date) else None, terms, synonyms)


@cached_content(lambda: [glossary_path()])
def glossary() -> Glossary:
    return parse_glossary(glossary_path())


def term_by_anchor(anchor: str) -> Term | None:
    return next((term for term in glossary().terms if term.anchor == anchor), None)

