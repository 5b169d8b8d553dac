"""Anonymous attempts and review cards follow the learner into their account on log in."""

from django.db import transaction

from studyapp.core.learner import LEARNER_KEY
from studyapp.core.progress import register_merger
from studyapp.quiz.models import Attempt, ReviewCard


@register_merger
def merge_quiz_progress(session, user) -> None:
    key = session.get(LEARNER_KEY)
    if not key:
        return
    with transaction.atomic():
        Attempt.objects.filter(learner_key=key, user=None).update(user=user, learner_key="")
        existing = {card.question_id: card for card in ReviewCard.objects.filter(user=user)}
        for card in ReviewCard.objects.filter(learner_key=key, user=None):
            mine = existing.get(card.question_id)
            if mine is None:
                card.user, card.learner_key = user, ""
                card.save(update_fields=["user", "learner_key"])
            elif card.updated_at > mine.updated_at:  # the more recent review wins
                mine.card, mine.due, mine.last_rating = card.card, card.due, card.last_rating
                mine.reviews += card.reviews
                mine.save()
                card.delete()
            else:
                card.delete()
