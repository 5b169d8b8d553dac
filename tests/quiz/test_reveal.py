"""Revealing an interview question's model answer: a write like any answer, under the attempt's
row lock, and refused once the attempt is over."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

from studyapp.quiz import attempts
from studyapp.quiz.models import Attempt, AttemptAnswer, ReviewCard
from tests.quiz.test_views import HTMX, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("question_bank")]
OWNER = {"user": None, "learner_key": "revealer"}


def interview(clock):
    return attempts.start_attempt(OWNER, Attempt.INTERVIEW, ["fx-open"], clock.now(), title="Interview")


def test_reveal_keeps_the_text_typed_before_it(clock):
    answer = attempts.reveal_model_answer(interview(clock), 1, "A new environment starts.", clock.now())
    answer.refresh_from_db()
    assert answer.revealed and answer.response == {"draft": "A new environment starts."}


def test_a_draft_kept_by_the_reveal_is_not_yet_an_answer(clock):
    attempt = interview(clock)
    attempts.reveal_model_answer(attempt, 1, "A new environment starts.", clock.now())
    assert not AttemptAnswer.objects.get(attempt=attempt).answered
    raw = {"rating": "good", "points": ["0"], "text": "A new environment starts."}
    saved = attempts.save_answer(attempt, 1, raw, clock.now())
    assert saved.first_time and saved.answer.answered
    assert ReviewCard.objects.get(question_id="fx-open").reviews == 1  # it joins the review queue


def test_reveal_after_the_attempt_is_finished_is_refused(clock):
    attempt = interview(clock)
    attempts.finish(attempt, clock.now())
    with pytest.raises(attempts.DeadlinePassed):
        attempts.reveal_model_answer(attempt, 1, "too late", clock.now())
    assert not AttemptAnswer.objects.get(attempt=attempt).revealed


@pytest.mark.django_db(transaction=True)
def test_reveal_waits_for_a_concurrent_submit_and_then_refuses(question_bank, clock):
    attempt = interview(clock)
    holding = threading.Event()

    def submit_slowly():
        try:
            with transaction.atomic():
                row = Attempt.objects.select_for_update().get(pk=attempt.pk)
                holding.set()
                time.sleep(0.5)  # the reveal arrives while the submit holds the row
                row.status = Attempt.FINISHED
                row.save(update_fields=["status"])
        finally:
            connection.close()

    thread = threading.Thread(target=submit_slowly)
    thread.start()
    assert holding.wait(5)
    with pytest.raises(attempts.DeadlinePassed):
        attempts.reveal_model_answer(attempt, 1, "racing the submit", clock.now())
    thread.join(5)
    answer = AttemptAnswer.objects.get(attempt=attempt)
    assert not answer.revealed and answer.response is None


def test_reveal_on_a_finished_interview_is_a_409_with_a_message(client):
    attempt = start(client, "interview", ["fx-open"])
    client.post(reverse("quiz_submit", args=[attempt.public_id]))
    response = client.post(reverse("quiz_reveal", args=[attempt.public_id, 1]), {"text": "late"}, **HTMX)
    assert response.status_code == 409
    assert "attempt is finished" in response.text
    assert not AttemptAnswer.objects.get(attempt=attempt).revealed


def test_an_exam_never_reveals_a_model_answer(client):
    attempt = start(client, "exam", ["fx-single", "fx-open"], time_limit_s=600)
    response = client.post(reverse("quiz_reveal", args=[attempt.public_id, 2]), **HTMX)
    assert response.status_code == 404
    assert not AttemptAnswer.objects.get(attempt=attempt, position=2).revealed
