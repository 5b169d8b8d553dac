"""The question bank and a learner's attempts as CSV and JSON, for people who keep their own
records. Markdown stays Markdown (limit tokens already expanded): it reads well as plain text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from studyapp.content.questions import CHOICE_TYPES, Question
from studyapp.quiz.models import Attempt

FORMAT_VERSION = 1

BANK_COLUMNS = [
    "id",
    "type",
    "difficulty",
    "topics",
    "section",
    "tags",
    "prompt",
    "choices",
    "correct",
    "answer",
    "model_answer",
    "rubric",
    "explanation",
    "sources",
]
ATTEMPT_COLUMNS = [
    "attempt",
    "mode",
    "title",
    "status",
    "started_at",
    "finished_at",
    "attempt_score",
    "position",
    "question_id",
    "response",
    "correct",
    "score",
    "flagged",
    "answered_at",
    "time_spent_ms",
]


def question_record(question: Question) -> dict:
    record = {
        "id": question.id,
        "type": question.type,
        "difficulty": question.difficulty,
        "topics": list(question.topics),
        "section": question.section,
        "tags": list(question.tags),
        "prompt": question.prompt,
        "explanation": question.explanation,
        "sources": list(question.sources),
    }
    if question.type in CHOICE_TYPES:
        record["choices"] = [
            {"text": choice.text, "correct": choice.correct, "why": choice.why} for choice in question.choices
        ]
    elif question.type == "numeric":
        record |= {"answer": question.answer, "unit": question.unit, "tolerance": question.tolerance}
    elif question.type == "short":
        record["accepted"] = list(question.accepted)
    elif question.type == "open":
        record |= {"model_answer": question.model_answer, "rubric": list(question.rubric)}
    elif question.type == "code":
        record |= {"starter": question.starter, "solution": question.solution, "handler": question.handler}
    return record


def _document(kind: str, records: list, exported_at: str) -> str:
    """A JSON export: what it holds, its format version and when, then the records."""
    payload = {"format": f"coldstart-{kind}", "version": FORMAT_VERSION, "exported_at": exported_at}
    return json.dumps(payload | {kind: records}, ensure_ascii=False, indent=1)


def bank_json(questions: Iterable[Question], exported_at: str) -> str:
    return _document("questions", [question_record(q) for q in questions], exported_at)


def _answer_text(question: Question) -> str:
    if question.type == "numeric":
        return f"{question.answer:g} {question.unit}".strip()
    if question.type == "short":
        return " | ".join(question.accepted)
    if question.type == "code":
        return question.solution
    return ""


def bank_csv(questions: Iterable[Question]) -> str:
    rows = []
    for question in questions:
        rows.append(
            {
                "id": question.id,
                "type": question.type,
                "difficulty": question.difficulty,
                "topics": " ".join(question.topics),
                "section": question.section,
                "tags": " ".join(question.tags),
                "prompt": question.prompt.strip(),
                "choices": "\n".join(choice.text for choice in question.choices),
                "correct": " ".join(chr(ord("A") + i) for i in question.correct_indexes),
                "answer": _answer_text(question),
                "model_answer": question.model_answer.strip(),
                "rubric": "\n".join(question.rubric),
                "explanation": question.explanation.strip(),
                "sources": " ".join(question.sources),
            }
        )
    return _csv(BANK_COLUMNS, rows)


def attempt_records(attempts: Iterable[Attempt]) -> list[dict]:
    records = []
    for attempt in attempts:
        records.append(
            {
                "attempt": attempt.public_id,
                "mode": attempt.mode,
                "title": attempt.title,
                "status": attempt.status,
                "started_at": _time(attempt.started_at),
                "finished_at": _time(attempt.finished_at),
                "score": attempt.score,
                "answers": [
                    {
                        "position": answer.position,
                        "question_id": answer.question_id,
                        "response": answer.response,
                        "correct": answer.correct,
                        "score": answer.score,
                        "flagged": answer.flagged,
                        "answered_at": _time(answer.answered_at),
                        "time_spent_ms": answer.time_spent_ms,
                    }
                    for answer in attempt.answers.all()
                ],
            }
        )
    return records


def attempts_json(attempts: Iterable[Attempt], exported_at: str) -> str:
    return _document("attempts", attempt_records(attempts), exported_at)


def attempts_csv(attempts: Iterable[Attempt]) -> str:
    rows = []
    for record in attempt_records(attempts):
        for answer in record["answers"]:
            response = answer["response"]
            rows.append(
                {
                    **{key: record[key] for key in ("attempt", "mode", "title", "status", "started_at")},
                    "finished_at": record["finished_at"],
                    "attempt_score": record["score"],
                    **answer,
                    # What the learner typed goes out as text a spreadsheet will not evaluate.
                    "response": _inert(response if isinstance(response, str) else json.dumps(response)),
                }
            )
    return _csv(ATTEMPT_COLUMNS, rows)


def _time(value) -> str | None:
    return value.isoformat() if value else None


def _inert(text: str | None) -> str:
    """A cell starting with = + - @ (or a tab or carriage return) is a formula to a spreadsheet."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text or ""


def _csv(columns: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
