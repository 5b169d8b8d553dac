"""Take it with you: the question bank, one topic or the learner's review queue as an Anki
package, CSV or JSON; the learner's own attempts as CSV or JSON."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from studyapp.content.questions import bank
from studyapp.content.topics import catalog
from studyapp.core.learner import owner_filter
from studyapp.quiz import anki_export, table_export
from studyapp.quiz.models import Attempt, ReviewCard

CONTENT_TYPES = {
    "apkg": "application/octet-stream",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def _download(body: bytes | str, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _topic_titles() -> dict[str, str]:
    return {slug: topic.title for slug, topic in catalog().topics.items()}


def _export_page(request, status: int = 200, error: str = ""):
    owner = owner_filter(request)
    context = {
        "topics": sorted(catalog().topics.values(), key=lambda topic: topic.title),
        "question_count": len(bank().questions),
        "review_count": ReviewCard.objects.filter(**owner).count(),
        "attempt_count": Attempt.objects.filter(**owner).count(),
        "error": error,
    }
    return render(request, "quiz/export.html", context, status=status)


@require_GET
def export_home(request):
    return _export_page(request)


def _questions(ids) -> list:
    questions = bank().questions
    return [questions[qid] for qid in ids if qid in questions]


def _package(request, deck: str, questions: list, fmt: str, *, cache_key: str | None = None):
    base_url = request.build_absolute_uri("/").rstrip("/")
    if fmt == "apkg":
        key = f"export:{cache_key}:{bank().version}:{base_url}" if cache_key else None
        body = cache.get(key) if key else None
        if body is None:
            body = anki_export.build_package(deck, questions, _topic_titles(), base_url)
            if key:
                cache.set(key, body, 3600)
        return body
    if fmt == "csv":
        return table_export.bank_csv(questions)
    return table_export.bank_json(questions, timezone.now().isoformat())


@require_GET
def export_questions(request, fmt: str):
    """The whole bank, or one topic's questions with ?topic=<slug>."""
    slug = request.GET.get("topic", "")
    if slug:
        topic = catalog().topics.get(slug)
        if topic is None:
            return _export_page(request, 400, "There is no topic with that name; pick one from the list.")
        questions = bank().by_topic.get(slug, [])
        deck, filename, key = f"Coldstart::{topic.title}", f"coldstart-{slug}.{fmt}", f"topic:{slug}"
    else:
        questions = list(bank().questions.values())
        deck, filename, key = "Coldstart::Question bank", f"coldstart-questions.{fmt}", "bank"
    return _download(_package(request, deck, questions, fmt, cache_key=key), filename, fmt)


@require_GET
def export_review(request, fmt: str):
    """The questions in this learner's review queue (every card, due first)."""
    cards = ReviewCard.objects.filter(**owner_filter(request)).order_by("due")
    questions = _questions(card.question_id for card in cards)
    body = _package(request, "Coldstart::My review queue", questions, fmt)
    return _download(body, f"coldstart-review.{fmt}", fmt)


@require_GET
def export_attempts(request, fmt: str):
    """This learner's attempts and answers: nobody else's, whatever the request says."""
    attempts = Attempt.objects.filter(**owner_filter(request)).prefetch_related("answers")
    now = timezone.now().isoformat()
    body = table_export.attempts_csv(attempts) if fmt == "csv" else table_export.attempts_json(attempts, now)
    return _download(body, f"coldstart-attempts.{fmt}", fmt)
