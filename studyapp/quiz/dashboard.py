"""The learner's dashboard: readiness per topic (FSRS retrievability), streak, score history."""

from __future__ import annotations

import datetime as dt

from studyapp.content.questions import bank
from studyapp.content.topics import catalog
from studyapp.quiz import review
from studyapp.quiz.models import Attempt, AttemptAnswer

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 600, 180, 28


def streak_days(owner: dict, today: dt.date) -> int:
    """Consecutive days, ending today or yesterday, with at least one answer."""
    owner_filter = {f"attempt__{key}": value for key, value in owner.items()}
    days = {
        stamp.date()
        for stamp in AttemptAnswer.objects.filter(**owner_filter, answered_at__isnull=False).values_list(
            "answered_at", flat=True
        )
    }
    day = today if today in days else today - dt.timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= dt.timedelta(days=1)
    return streak


def score_chart(finished: list[Attempt]) -> dict:
    """Points for a small server-side SVG line chart of scores over time (oldest first)."""
    points = []
    usable_width = CHART_WIDTH - 2 * CHART_PAD
    usable_height = CHART_HEIGHT - 2 * CHART_PAD
    for index, attempt in enumerate(finished):
        x = CHART_PAD + (usable_width * index / max(1, len(finished) - 1))
        y = CHART_PAD + usable_height * (1 - (attempt.score or 0))
        points.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "attempt": attempt,
                "percent": round(100 * (attempt.score or 0)),
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "pad": CHART_PAD,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "pass_y": round(CHART_PAD + usable_height * 0.3, 1),
    }


def context(owner: dict, now: dt.datetime) -> dict:
    finished = list(Attempt.objects.filter(**owner, status=Attempt.FINISHED).order_by("finished_at")[:200])
    return {
        "readiness": review.readiness_by_topic(owner, bank().questions, catalog().topics, now),
        "streak": streak_days(owner, now.date()),
        "due_count": len(review.due_cards(owner, now)),
        "history": list(reversed(finished[-30:])),
        "chart": score_chart([a for a in finished if a.score is not None][-30:]),
    }
