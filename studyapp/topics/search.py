"""Search over the topic pages' sections, with answers first: a limit or price the query names,
the glossary's definition of a term it names, the sections (ranked by the FTS5 index, matches
highlighted) and the bank's questions on it ("Practise this")."""

from __future__ import annotations

import functools
import html
import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from studyapp.content.glossary import Term, glossary
from studyapp.content.limits import limit_sheet
from studyapp.content.pricing import price_list
from studyapp.content.questions import Question, bank
from studyapp.content.topics import Catalog, Topic, _plain_text, catalog
from studyapp.topics import search_answers
from studyapp.topics.search_index import _MARK_CLOSE, _MARK_OPEN, Analysis, SearchIndex

MAX_QUERY_CHARS = 200
MAX_HITS = 10
PER_TOPIC = 3
MAX_QUESTIONS = 5
MAX_ANSWERS = 2
RECENT_QUERIES = 512  # results kept per index: a few MB
GLOSSARY_BOOST = 2.0  # the section the glossary names for a term of the query

_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)
_CODE = re.compile(r'<div class="highlight"[^>]*>.*?</div>', re.DOTALL)


@dataclass(frozen=True)
class Section:
    topic: Topic
    anchor: str  # "" for the part before the first heading
    heading: str
    text: str  # the prose
    code: str = ""  # the code samples


@dataclass(frozen=True)
class Hit:
    topic: Topic
    anchor: str
    heading: str
    title_html: SafeString
    heading_html: SafeString
    snippet_html: SafeString
    coverage: int

    @property
    def url(self) -> str:
        return self.topic.url + (f"#{self.anchor}" if self.anchor else "")


@dataclass(frozen=True)
class QuestionHit:
    question: Question
    topic: Topic
    prompt_html: SafeString


@dataclass(frozen=True)
class Results:
    query: str
    hits: tuple[Hit, ...] = ()
    answers: tuple[search_answers.Answer, ...] = ()
    terms: tuple[Term, ...] = ()
    questions: tuple[QuestionHit, ...] = ()
    suggestion: str = ""  # the query with its typos corrected, when that is worth offering

    @property
    def suggestion_url(self) -> str:
        return reverse("search") + "?" + urlencode({"q": self.suggestion})

    @property
    def found(self) -> bool:
        return bool(self.hits or self.answers or self.terms or self.questions)


def _section(topic: Topic, anchor: str, heading_html: str, body: str) -> Section:
    code = " ".join(_plain_text(block) for block in _CODE.findall(body))
    heading, prose = _plain_text(heading_html), _plain_text(_CODE.sub(" ", body))
    return Section(topic, anchor, heading, prose, code)


def sections_of(topic: Topic) -> list[Section]:
    parts = _HEADING.split(topic.html)
    sections = [_section(topic, "", "", parts[0])]
    # split() yields: before, level, id, heading html, body, level, id, ...
    for index in range(1, len(parts), 4):
        sections.append(_section(topic, parts[index + 1], parts[index + 2], parts[index + 3]))
    return sections


def marks_to_html(text: str) -> SafeString:
    """Escape `text`, then turn the index's match markers into <mark> elements."""
    escaped = html.escape(text.replace(_MARK_OPEN, "\x00o").replace(_MARK_CLOSE, "\x00c"))
    return mark_safe(escaped.replace("\x00o", "<mark>").replace("\x00c", "</mark>"))


class TopicSearch:
    """The index over one version of the content, and the results pages need."""

    def __init__(self, topics: Catalog):
        started = time.perf_counter()
        self.sections = [s for topic in topics.topics.values() for s in sections_of(topic)]
        rows = []
        for section in self.sections:
            summary = section.topic.summary if not section.anchor else ""
            rows.append(
                (section.topic.title, section.heading, f"{summary} {section.text}".strip(), section.code)
            )
        titles = {slug: topic.title for slug, topic in topics.topics.items()}
        self.questions = [q for q in bank().questions.values() if q.topics and q.topics[0] in topics.topics]
        question_rows = [(q.prompt_text or q.prompt, titles[q.topics[0]]) for q in self.questions]
        answers = search_answers.limit_answers(limit_sheet()) + search_answers.price_answers(price_list())
        self.topics = topics
        self.index = SearchIndex(rows, question_rows, answers, glossary())
        self._recent = functools.lru_cache(maxsize=RECENT_QUERIES)(self._search)
        self.build_seconds = time.perf_counter() - started

    def search(self, query: str) -> Results:
        """Results for `query`; the last RECENT_QUERIES are kept with this index (learners type
        the same words: "cold", "cold start", "cold start" again after a keystroke undone)."""
        return self._recent(query)

    def _search(self, query: str) -> Results:
        analysis = self.index.analyze(query[:MAX_QUERY_CHARS])
        if not analysis.concepts:
            return Results(query)
        hits = self._hits(analysis)
        answers = tuple(self.index.answers_for(analysis)[:MAX_ANSWERS])
        terms = tuple(term for term in analysis.terms if term.topic in self.topics.topics)[:MAX_ANSWERS]
        questions = self._questions(analysis)
        # A corrected word matched nothing as typed: the query as typed found little.
        suggestion = _correct_words(query, analysis.corrections) if analysis.corrections else ""
        return Results(query, hits, answers, terms, questions, suggestion)

    def _ranked_sections(self, analysis: Analysis) -> list:
        """The index's ranking, with the sections the glossary names as explaining a term of
        the query raised: the glossary says where a term is explained."""
        rows = self.index.sections(analysis)
        explained = {(term.topic, term.section) for term in analysis.terms}
        if not explained:
            return rows

        def boost(row) -> float:
            section = self.sections[row.rowid]
            return GLOSSARY_BOOST if (section.topic.slug, section.anchor) in explained else 1.0

        return sorted(rows, key=lambda row: row.order(boost(row)))

    def _hits(self, analysis: Analysis) -> tuple[Hit, ...]:
        chosen, per_topic = [], {}
        for row in self._ranked_sections(analysis):
            section = self.sections[row.rowid]
            if per_topic.get(section.topic.slug, 0) >= PER_TOPIC:
                continue
            per_topic[section.topic.slug] = per_topic.get(section.topic.slug, 0) + 1
            chosen.append((row, section))
            if len(chosen) == MAX_HITS:
                break
        marked = self.index.marked([row.rowid for row, _ in chosen], analysis)
        hits = []
        for row, section in chosen:
            title, heading, snippet = marked.get(row.rowid, (section.topic.title, section.heading, ""))
            hits.append(
                Hit(
                    topic=section.topic,
                    anchor=section.anchor,
                    heading=section.heading,
                    title_html=marks_to_html(title),
                    heading_html=marks_to_html(heading),
                    snippet_html=marks_to_html(snippet or section.text[:160] or section.topic.summary),
                    coverage=row.coverage,
                )
            )
        return tuple(hits)

    def _questions(self, analysis: Analysis) -> tuple[QuestionHit, ...]:
        rows = self.index.questions(analysis)[:MAX_QUESTIONS]
        marked = self.index.marked_questions([row.rowid for row in rows], analysis)
        found = []
        for row in rows:
            question = self.questions[row.rowid]
            prompt = marked.get(row.rowid) or question.prompt_text
            found.append(QuestionHit(question, self.topics.topics[question.topics[0]], marks_to_html(prompt)))
        return tuple(found)


def _correct_words(query: str, corrections: dict[str, str]) -> str:
    """The query as typed, each misspelt word replaced (case and punctuation elsewhere kept)."""

    def replace(match: re.Match) -> str:
        return corrections.get(match.group(0).lower(), match.group(0))

    return re.sub(r"[^\W_]+", replace, query)


_lock = threading.Lock()
_latest: list[tuple[tuple, TopicSearch]] = []


def topic_search(topics: Catalog | None = None) -> TopicSearch:
    """One index per version of the content (rebuilt when a topic, question, limit, price or
    glossary file changes: each loader returns a new object then)."""
    topics = topics or catalog()
    key = (topics, bank(), glossary(), limit_sheet(), price_list())
    with _lock:
        if not _latest or any(a is not b for a, b in zip(_latest[0][0], key, strict=True)):
            _latest[:] = [(key, TopicSearch(topics))]
        return _latest[0][1]
