"""Spaced repetition with FSRS: every graded answer updates the learner's card for that question."""

from __future__ import annotations

import datetime as dt
from statistics import mean

from django.db import IntegrityError, transaction
from fsrs import Card, Rating, Scheduler

from studyapp.quiz.models import ReviewCard

SCHEDULER = Scheduler()
QUICK_ANSWER_MS = 15_000  # right and this fast: Easy
SELF_RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


def rating_for(correct: bool, time_spent_ms: int, self_rating: str | None = None) -> Rating:
    if self_rating:
        return SELF_RATINGS[self_rating]
    if not correct:
        return Rating.Again
    return Rating.Easy if 0 < time_spent_ms <= QUICK_ANSWER_MS else Rating.Good


def record_review(owner: dict, question_id: str, rating: Rating, when: dt.datetime) -> ReviewCard:
    """Update (or create) the card; safe when two tabs answer at once."""
    for _ in range(2):
        try:
            with transaction.atomic():
                row = ReviewCard.objects.select_for_update().filter(**owner, question_id=question_id).first()
                card = Card.from_dict(row.card) if row else Card()
                card, _log = SCHEDULER.review_card(card, rating, when)
                if row is None:
                    row = ReviewCard(**owner, question_id=question_id)
                row.card, row.due = card.to_dict(), card.due
                row.last_rating, row.reviews = int(rating), row.reviews + 1
                row.save()
                return row
        except IntegrityError:
            continue  # the other tab created it first: update that one
    raise RuntimeError("could not record the review")


def retrievability(row: ReviewCard, now: dt.datetime) -> float:
    return SCHEDULER.get_card_retrievability(Card.from_dict(row.card), now)


def due_cards(owner: dict, now: dt.datetime) -> list[ReviewCard]:
    return list(ReviewCard.objects.filter(**owner, due__lte=now).order_by("due"))


def readiness_by_topic(owner: dict, questions: dict, topics: dict, now: dt.datetime) -> list[dict]:
    """Average retrievability of the learner's cards per topic (unseen questions count as 0)."""
    cards = {row.question_id: retrievability(row, now) for row in ReviewCard.objects.filter(**owner)}
    rows = []
    for slug, topic in topics.items():
        ids = [qid for qid, question in questions.items() if slug in question.topics]
        if not ids:
            continue
        values = [cards.get(qid, 0.0) for qid in ids]
        rows.append(
            {
                "topic": topic,
                "readiness": mean(values),
                "seen": sum(q in cards for q in ids),
                "total": len(ids),
            }
        )
    return rows
