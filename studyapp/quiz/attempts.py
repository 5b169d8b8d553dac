"""Attempts: starting them, saving answers, the server-held deadline, finishing and scoring.

Every function takes `now` so the deadline logic is testable with a fixed clock; views pass
timezone.now(). All state is in the database; writes to one attempt are serialised with
transactions and select_for_update (row locks on PostgreSQL, the database lock on SQLite).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from studyapp.content.questions import Question, bank
from studyapp.core.learner import owner_label
from studyapp.quiz import review
from studyapp.quiz.models import Attempt, AttemptAnswer
from studyapp.quiz.scoring import Grade, grade

EXAM_PRESETS = {
    "lambda-interview": {"title": "Lambda interview", "count": 20, "minutes": 25},
    "quick-check": {"title": "Quick check", "count": 10, "minutes": 10},
}


class DeadlinePassed(Exception):
    """An answer arrived after the attempt's deadline (or after it was submitted)."""


def owner_of(attempt: Attempt) -> dict:
    return {"user": attempt.user} if attempt.user_id else {"learner_key": attempt.learner_key, "user": None}


def pick_questions(
    topics: list[str], count: int, *, types: tuple[str, ...] | None = None, seed: int | None = None
) -> list[str]:
    pool = [q.id for q in bank().for_topics(topics) if types is None or q.type in types]
    rng = random.Random(seed)
    rng.shuffle(pool)
    return pool[:count]


def start_attempt(
    owner: dict,
    mode: str,
    question_ids: list[str],
    now: dt.datetime,
    *,
    title: str = "",
    topics: list[str] | None = None,
    time_limit_s: int | None = None,
) -> Attempt:
    with transaction.atomic():
        attempt = Attempt.objects.create(
            **owner,
            mode=mode,
            title=title,
            topics=topics or [],
            question_ids=question_ids,
            started_at=now,
            deadline=now + dt.timedelta(seconds=time_limit_s) if time_limit_s else None,
            time_limit_s=time_limit_s or None,
        )
        AttemptAnswer.objects.bulk_create(
            AttemptAnswer(attempt=attempt, position=n, question_id=qid)
            for n, qid in enumerate(question_ids, start=1)
        )
    return attempt


def remaining_seconds(attempt: Attempt, now: dt.datetime) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


def finish_if_overdue(attempt: Attempt, now: dt.datetime) -> bool:
    """Submit an exam whose time is up with what was saved. True if it finished it now."""
    if attempt.is_finished or attempt.deadline is None or now < attempt.deadline:
        return False
    return finish(attempt, now, by="deadline")


def finish(attempt: Attempt, now: dt.datetime, by: str = "learner") -> bool:
    """Idempotent: a second submit (or the deadline after a submit) changes nothing."""
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.is_finished:
            attempt.refresh_from_db()
            return False
        answers = list(locked.answers.all())
        questions = bank().questions
        if locked.mode == Attempt.EXAM:  # exams are graded into the review queue once, at the end
            for answer in answers:
                if answer.answered and answer.question_id in questions:
                    rating = review.rating_for(bool(answer.correct), answer.time_spent_ms)
                    review.record_review(owner_of(locked), answer.question_id, rating, now)
        graded = [
            a for a in answers if a.question_id in questions and questions[a.question_id].type != "open"
        ]
        scored = graded or answers
        locked.score = sum(bool(a.correct) for a in scored) / len(scored) if scored else 0.0
        locked.status = Attempt.FINISHED
        locked.finished_at = min(now, locked.deadline) if by == "deadline" and locked.deadline else now
        locked.finished_by = by
        locked.save()
    attempt.refresh_from_db()
    return True


def mark_shown(answer: AttemptAnswer, now: dt.datetime) -> None:
    AttemptAnswer.objects.filter(pk=answer.pk).update(shown_at=now)
    answer.shown_at = now


@dataclass(frozen=True)
class Saved:
    answer: AttemptAnswer
    grade: Grade
    first_time: bool


def save_answer(attempt: Attempt, position: int, raw, now: dt.datetime, runner=None) -> Saved:
    """Grade and store one answer at once (so nothing is lost), refusing it after the deadline."""
    finish_if_overdue(attempt, now)
    question = bank().questions[attempt.question_ids[position - 1]]
    owner = owner_label(attempt.user_id, attempt.learner_key)
    result = grade(question, raw, runner, owner)  # may raise AnswerShapeError: nothing is stored then
    with transaction.atomic():
        locked = _lock_open(attempt, now)
        answer = AttemptAnswer.objects.select_for_update().get(attempt=locked, position=position)
        first_time = not answer.answered
        if answer.shown_at:
            answer.time_spent_ms += max(0, int((now - answer.shown_at).total_seconds() * 1000))
        answer.shown_at = now
        answer.response = _storable(raw)
        answer.correct, answer.score = result.correct, result.score
        answer.feedback = list(result.feedback)
        answer.answered_at = now
        answer.save()
    if locked.mode != Attempt.EXAM and first_time:
        self_rating = result.detail.get("rating") if question.type == "open" else None
        review.record_review(
            owner_of(locked),
            question.id,
            review.rating_for(result.correct, answer.time_spent_ms, self_rating),
            now,
        )
    return Saved(answer, result, first_time)


def _storable(raw):
    return raw if isinstance(raw, list | dict) else ("" if raw is None else str(raw))


def toggle_flag(attempt: Attempt, position: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        locked = _lock_open(attempt, now)
        answer = AttemptAnswer.objects.select_for_update().get(attempt=locked, position=position)
        answer.flagged = not answer.flagged
        answer.save(update_fields=["flagged"])
    return answer.flagged


def reveal_model_answer(attempt: Attempt, position: int, draft_text: str, now: dt.datetime) -> AttemptAnswer:
    """Show an interview question's model answer, keeping text typed before it as a draft."""
    finish_if_overdue(attempt, now)
    with transaction.atomic():
        locked = _lock_open(attempt, now)
        answer = AttemptAnswer.objects.select_for_update().get(attempt=locked, position=position)
        answer.revealed = True
        if draft_text and not answer.answered:
            answer.response = {"draft": draft_text}
        answer.save(update_fields=["revealed", "response"])
    return answer


def _lock_open(attempt: Attempt, now: dt.datetime) -> Attempt:
    """Lock the attempt's row for a write (inside a transaction); refuse once it is over."""
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if locked.is_finished or (locked.deadline and now >= locked.deadline):
        raise DeadlinePassed
    return locked


def topic_breakdown(attempt: Attempt) -> list[dict]:
    questions = bank().questions
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for answer in attempt.answers.all():
        question = questions.get(answer.question_id)
        if question is None:
            continue
        totals[question.topics[0]][1] += 1
        totals[question.topics[0]][0] += bool(answer.correct)
    return [
        {"topic": slug, "correct": c, "total": t, "percent": round(100 * c / t)}
        for slug, (c, t) in sorted(totals.items())
    ]


def missed_question_ids(attempt: Attempt) -> list[str]:
    return [
        a.question_id for a in attempt.answers.all() if not a.correct and a.question_id in bank().questions
    ]


def question_at(attempt: Attempt, position: int) -> Question | None:
    if not 1 <= position <= len(attempt.question_ids):
        return None
    return bank().questions.get(attempt.question_ids[position - 1])
