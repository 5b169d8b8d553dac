"""Grading an answer of each question type. Pure functions, except code questions, which run
in the sandbox engine."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from studyapp.content.questions import CHOICE_TYPES, Question
from studyapp.quiz.code_grading import run_code


class AnswerShapeError(ValueError):
    """The answer cannot be graded as given (wrong shape): a message for the learner."""


@dataclass(frozen=True)
class Grade:
    correct: bool
    score: float  # 0..1
    feedback: tuple[str, ...] = ()
    detail: dict = field(default_factory=dict)  # e.g. the sandbox result of a code answer


def normalise_choices(question: Question, raw) -> list[int]:
    values = raw if isinstance(raw, list | tuple) else [raw]
    try:
        picked = sorted({int(value) for value in values if str(value).strip() != ""})
    except (TypeError, ValueError):
        raise AnswerShapeError("Pick one of the choices.") from None
    if any(not 0 <= index < len(question.choices) for index in picked):
        raise AnswerShapeError("That choice does not exist.")
    if not picked:
        raise AnswerShapeError("Pick an answer first.")
    if question.type in ("single", "truefalse") and len(picked) != 1:
        raise AnswerShapeError("Pick exactly one answer.")
    if question.type == "multi" and len(picked) > question.choose:
        raise AnswerShapeError(f"Choose {question.choose}, not {len(picked)}.")
    return picked


def parse_number(raw) -> float:
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("$", "").replace("_", "")
    try:
        value = float(text)
    except ValueError:
        raise AnswerShapeError("Enter a number, e.g. 900 or 0.25.") from None
    if not math.isfinite(value):
        raise AnswerShapeError("Enter a finite number.")
    return value


def grade(question: Question, raw, runner=None, owner: str = "") -> Grade:
    if question.type in CHOICE_TYPES:
        picked = normalise_choices(question, raw)
        correct = list(question.correct_indexes)
        if question.type == "multi":
            right = len(set(picked) & set(correct))
            wrong = len(set(picked) - set(correct))
            score = max(0.0, (right - wrong) / len(correct))
            return Grade(picked == correct, 1.0 if picked == correct else score)
        return Grade(picked == correct, float(picked == correct))
    if question.type == "numeric":
        value = parse_number(raw)
        ok = abs(value - question.answer) <= question.tolerance + 1e-9
        return Grade(ok, float(ok))
    if question.type == "short":
        text = " ".join(str(raw or "").split())
        if not text:
            raise AnswerShapeError("Type an answer first.")
        if len(text) > 500:
            raise AnswerShapeError("Keep the answer under 500 characters.")
        ok = text.casefold() in {a.casefold() for a in question.accepted} or any(
            re.fullmatch(pattern, text, re.IGNORECASE) for pattern in question.patterns
        )
        return Grade(ok, float(ok))
    if question.type == "open":
        return grade_self(question, raw)
    if question.type == "code":
        code = str(raw or "")
        if not code.strip():
            raise AnswerShapeError("Write the handler first.")
        if len(code.encode()) > 64 * 1024:
            raise AnswerShapeError("Keep the code under 64 KB.")
        outcome = run_code(runner, question, code, owner)
        return Grade(outcome.passed, float(outcome.passed), outcome.failures, {"result": outcome.result})
    raise AnswerShapeError("Unknown question type.")


SELF_GRADES = ("again", "hard", "good", "easy")
MAX_POINT_DIGITS = 4  # rubrics are short; int() would refuse a number of thousands of digits


def rubric_index(value) -> int | None:
    """A ticked rubric point as its checkbox sends it (ASCII digits), else None: ignored."""
    text = str(value)
    # isdigit() alone lets in "²", which int() refuses, and "٣", which no checkbox sends.
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_POINT_DIGITS:
        return None
    return int(text)


def grade_self(question: Question, raw) -> Grade:
    """Interview answers are self-graded: the rating and the rubric points ticked."""
    if not isinstance(raw, dict) or raw.get("rating") not in SELF_GRADES:
        raise AnswerShapeError("Rate your answer: Again, Hard, Good or Easy.")
    indexes = [rubric_index(value) for value in raw.get("points", [])]
    ticked = [i for i in indexes if i is not None and i < len(question.rubric)]
    score = len(set(ticked)) / len(question.rubric) if question.rubric else 0.0
    return Grade(raw["rating"] in ("good", "easy"), score, detail={"rating": raw["rating"], "points": ticked})
