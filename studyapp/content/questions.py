"""The question bank: content/questions/*.yaml parsed once into frozen dataclasses."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from studyapp.content.files import ContentError, Problem, cached_content, content_path, files_in, load_yaml
from studyapp.content.library import HTTP_CALLERS, QUEUE_CALLER
from studyapp.content.markdown import render_markdown
from studyapp.content.tokens import UnknownToken, expand

TYPES = ("single", "multi", "truefalse", "numeric", "short", "open", "code")
CHOICE_TYPES = ("single", "multi", "truefalse")
DIFFICULTIES = ("easy", "medium", "hard")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COMMON_KEYS = {
    "id",
    "topics",
    "type",
    "difficulty",
    "prompt",
    "explanation",
    "sources",
    "tags",
    "section",
    "future_topic",
}
TYPE_KEYS = {
    "single": {"choices"},
    "multi": {"choices", "choose"},
    "truefalse": {"choices"},
    "numeric": {"answer", "unit", "tolerance"},
    "short": {"accepted", "patterns"},
    "open": {"model_answer", "rubric"},
    "code": {"starter", "solution", "handler", "event", "event_json", "timeout_s", "checks", "caller"},
}


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool
    why: str  # Markdown, tokens already expanded

    @cached_property
    def html(self) -> str:
        return _inline_html(self.text)

    @cached_property
    def why_html(self) -> str:
        return _inline_html(self.why)


@dataclass(frozen=True)
class Question:
    id: str
    topics: tuple[str, ...]
    type: str
    difficulty: str
    prompt: str  # Markdown, tokens already expanded; rendered to HTML on first use
    explanation: str
    sources: tuple[str, ...]
    path: Path
    tags: tuple[str, ...] = ()
    section: str = ""
    choices: tuple[Choice, ...] = ()
    choose: int = 1
    answer: float | None = None
    unit: str = ""
    tolerance: float = 0.0
    accepted: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    model_answer: str = ""
    rubric: tuple[str, ...] = ()
    starter: str = ""
    solution: str = ""
    handler: str = "lambda_function.lambda_handler"
    event: str = ""
    event_json: str = ""
    timeout_s: int = 3
    checks: dict = field(default_factory=dict)
    caller: dict = field(default_factory=dict)  # graded through a front door: {kind, request}
    prompt_text: str = ""

    @cached_property
    def prompt_html(self) -> str:
        return _html(self.prompt)

    @cached_property
    def explanation_html(self) -> str:
        return _html(self.explanation)

    @cached_property
    def model_answer_html(self) -> str:
        return _html(self.model_answer)

    @property
    def is_interview(self) -> bool:
        return "interview" in self.tags

    @property
    def topic_url(self) -> str:
        return f"/topics/{self.topics[0]}/" + (f"#{self.section}" if self.section else "")

    @property
    def correct_indexes(self) -> tuple[int, ...]:
        return tuple(i for i, choice in enumerate(self.choices) if choice.correct)


def _html(text: str) -> str:
    return render_markdown(text).html


def _inline_html(text) -> str:
    html = _html(text).strip()
    return html[3:-4] if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1 else html


def parse_question(raw: object, path: Path) -> Question:
    if not isinstance(raw, dict):
        raise ContentError(Problem(path, f"each question must be a mapping, got {raw!r:.60}"))
    qid = str(raw.get("id", ""))
    where = f"question '{qid or '?'}'"
    if not ID_PATTERN.match(qid):
        raise ContentError(Problem(path, f"{where}: id must be lowercase words joined by -"))
    kind = raw.get("type")
    if kind not in TYPES:
        raise ContentError(Problem(path, f"{where}: type must be one of {', '.join(TYPES)}"))
    missing = [
        key for key in ("topics", "difficulty", "prompt", "explanation", "sources") if not raw.get(key)
    ]
    if missing:
        raise ContentError(Problem(path, f"{where}: missing {', '.join(missing)}"))
    unknown = set(raw) - COMMON_KEYS - TYPE_KEYS[kind]
    if unknown:
        raise ContentError(
            Problem(path, f"{where}: unknown key(s) for a {kind} question: {', '.join(sorted(unknown))}")
        )
    if raw["difficulty"] not in DIFFICULTIES:
        raise ContentError(Problem(path, f"{where}: difficulty must be easy, medium or hard"))
    values = {
        "id": qid,
        "topics": tuple(str(t) for t in raw["topics"]),
        "type": kind,
        "difficulty": raw["difficulty"],
        # Tokens are expanded (and unknown ones reported) now; Markdown is rendered when shown.
        "prompt": expand(str(raw["prompt"])),
        "explanation": expand(str(raw["explanation"])),
        "sources": tuple(str(s) for s in raw["sources"]),
        "path": path,
        "tags": tuple(str(t) for t in raw.get("tags") or ()),
        "section": str(raw.get("section") or ""),
        "prompt_text": " ".join(expand(str(raw["prompt"])).split()),
    }
    if kind in CHOICE_TYPES:
        values.update(_choices(raw, kind, where, path))
    elif kind == "numeric":
        try:
            answer = raw["answer"]
            if isinstance(answer, str) and answer.startswith("limit:"):
                answer = expand(f"[[{answer}|value]]").replace(",", "")  # one source of truth
            values.update(
                answer=float(answer),
                unit=str(raw.get("unit", "")),
                tolerance=float(raw.get("tolerance", 0)),
            )
        except (KeyError, TypeError, ValueError):
            raise ContentError(Problem(path, f"{where}: numeric questions need a number 'answer'")) from None
        if values["tolerance"] < 0:
            raise ContentError(Problem(path, f"{where}: tolerance cannot be negative"))
    elif kind == "short":
        accepted = tuple(str(a).strip() for a in raw.get("accepted") or ())
        patterns = tuple(str(p) for p in raw.get("patterns") or ())
        if not accepted and not patterns:
            raise ContentError(
                Problem(path, f"{where}: short questions need 'accepted' answers or 'patterns'")
            )
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ContentError(Problem(path, f"{where}: bad pattern {pattern!r}: {error}")) from None
        values.update(accepted=accepted, patterns=patterns)
    elif kind == "open":
        rubric = tuple(expand(str(point)) for point in raw.get("rubric") or ())
        if not raw.get("model_answer") or not rubric:
            raise ContentError(Problem(path, f"{where}: open questions need a model_answer and a rubric"))
        values.update(model_answer=expand(str(raw["model_answer"])), rubric=rubric)
    else:
        values.update(_code(raw, where, path))
    return Question(**values)


def _choices(raw: dict, kind: str, where: str, path: Path) -> dict:
    choices = raw.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        raise ContentError(Problem(path, f"{where}: needs at least two choices"))
    parsed = []
    for choice in choices:
        if (
            not isinstance(choice, dict)
            or "text" not in choice
            or not isinstance(choice.get("correct"), bool)
        ):
            raise ContentError(Problem(path, f"{where}: each choice needs 'text' and 'correct: true/false'"))
        if not choice.get("why"):
            raise ContentError(Problem(path, f"{where}: choice '{choice['text']}' has no 'why'"))
        parsed.append(Choice(expand(str(choice["text"])), choice["correct"], expand(str(choice["why"]))))
    correct = sum(choice.correct for choice in parsed)
    if kind in ("single", "truefalse") and correct != 1:
        raise ContentError(
            Problem(path, f"{where}: a {kind} question needs exactly one correct choice, has {correct}")
        )
    if kind == "truefalse" and sorted(c.text.lower() for c in parsed) != ["false", "true"]:
        raise ContentError(Problem(path, f"{where}: true/false choices must be 'True' and 'False'"))
    choose = 1
    if kind == "multi":
        choose = raw.get("choose")
        if choose != correct or correct < 2:
            raise ContentError(
                Problem(
                    path,
                    f"{where}: 'choose' ({choose}) must equal the number of correct "
                    f"choices ({correct}), at least 2",
                )
            )
    return {"choices": tuple(parsed), "choose": choose}


def _code(raw: dict, where: str, path: Path) -> dict:
    for key in ("starter", "solution", "checks"):
        if not raw.get(key):
            raise ContentError(Problem(path, f"{where}: code questions need '{key}'"))
    if not raw.get("event") and not raw.get("event_json"):
        raise ContentError(Problem(path, f"{where}: code questions need an 'event' slug or 'event_json'"))
    if not isinstance(raw["checks"], dict):
        raise ContentError(Problem(path, f"{where}: 'checks' must be a mapping"))
    caller = raw.get("caller") or {}
    http = isinstance(caller, dict) and caller.get("kind") in HTTP_CALLERS and caller.get("request")
    queue = isinstance(caller, dict) and caller.get("kind") == QUEUE_CALLER and caller.get("messages")
    if caller and not (http or queue):
        raise ContentError(
            Problem(
                path,
                f"{where}: 'caller' needs a kind ({', '.join(HTTP_CALLERS)}) and a request, "
                f"or kind {QUEUE_CALLER} with messages (and a mapping)",
            )
        )
    return {
        "starter": str(raw["starter"]),
        "solution": str(raw["solution"]),
        "handler": str(raw.get("handler") or "lambda_function.lambda_handler"),
        "event": str(raw.get("event") or ""),
        "event_json": str(raw.get("event_json") or ""),
        "timeout_s": int(raw.get("timeout_s") or 3),
        "checks": dict(raw["checks"]),
        "caller": dict(caller),
    }


@dataclass(frozen=True)
class Bank:
    questions: dict[str, Question]
    problems: tuple[Problem, ...]
    version: str = ""  # changes when a question file changes; keys rendered-fragment caches

    def for_topics(self, topics) -> list[Question]:
        wanted = set(topics)
        return [q for q in self.questions.values() if not wanted or wanted & set(q.topics)]

    @cached_property
    def by_topic(self) -> dict[str, list[Question]]:
        """Questions of each topic slug, computed once per loaded bank."""
        grouped: dict[str, list[Question]] = {}
        for question in self.questions.values():
            for topic in question.topics:
                grouped.setdefault(topic, []).append(question)
        return grouped


def questions_dir() -> Path:
    return content_path("questions")


def build_bank() -> Bank:
    problems: list[Problem] = []
    questions: dict[str, Question] = {}
    for path in sorted(questions_dir().glob("*.yaml")):
        try:
            data = load_yaml(path)
        except ContentError as error:
            problems.append(error.problem)
            continue
        if not isinstance(data, list):
            problems.append(Problem(path, "expected a list of questions"))
            continue
        for raw in data:
            try:
                question = parse_question(raw, path)
            except ContentError as error:
                problems.append(error.problem)
                continue
            except UnknownToken as error:
                problems.append(Problem(path, f"question '{raw.get('id', '?')}': {error}"))
                continue
            if question.id in questions:
                problems.append(
                    Problem(
                        path,
                        f"duplicate question id '{question.id}' (also in {questions[question.id].path.name})",
                    )
                )
                continue
            questions[question.id] = question
    stamp = [(p.name, p.stat().st_mtime_ns) for p in sorted(questions_dir().glob("*.yaml"))]
    version = hashlib.sha256(repr(stamp).encode()).hexdigest()[:16]
    return Bank(questions=questions, problems=tuple(problems), version=version)


@cached_content(lambda: files_in(questions_dir(), "*.yaml"))
def bank() -> Bank:
    return build_bank()
