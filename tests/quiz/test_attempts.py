"""Deadlines held by the server (with a fixed clock), saving, finishing, FSRS updates, merging."""

import pytest
from django.contrib.auth import get_user_model

from studyapp.quiz import attempts, review
from studyapp.quiz.models import Attempt, ReviewCard
from tests.quiz.conftest import FIXTURE_IDS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("question_bank")]
OWNER = {"user": None, "learner_key": "learner-1"}


def exam(clock, minutes=25):
    return attempts.start_attempt(
        OWNER, Attempt.EXAM, FIXTURE_IDS[:5], clock.now(), title="Exam", time_limit_s=minutes * 60
    )


def test_deadline_is_start_plus_limit_and_remaining_counts_down(clock):
    attempt = exam(clock)
    assert attempt.deadline == clock.now() + __import__("datetime").timedelta(minutes=25)
    clock.advance(minutes=10)
    assert attempts.remaining_seconds(attempt, clock.now()) == 15 * 60


def test_answer_before_deadline_is_saved(clock):
    attempt = exam(clock)
    clock.advance(minutes=5)
    saved = attempts.save_answer(attempt, 1, "0", clock.now())
    assert saved.answer.correct and saved.answer.response == "0"


def test_answer_after_deadline_is_refused(clock):
    attempt = exam(clock)
    clock.advance(minutes=26)
    with pytest.raises(attempts.DeadlinePassed):
        attempts.save_answer(attempt, 1, "0", clock.now())
    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.finished_by == "deadline"


def test_overdue_attempt_is_finished_with_saved_answers(clock):
    attempt = exam(clock)
    attempts.save_answer(attempt, 1, "0", clock.now())
    clock.advance(minutes=30)
    assert attempts.finish_if_overdue(attempt, clock.now())
    assert attempt.finished_at == attempt.deadline  # finished at the deadline, not when noticed
    assert attempt.score == pytest.approx(1 / 5)


def test_submitting_twice_is_harmless(clock):
    attempt = exam(clock)
    attempts.save_answer(attempt, 1, "0", clock.now())
    assert attempts.finish(attempt, clock.now()) is True
    first = (attempt.score, attempt.finished_at)
    clock.advance(minutes=1)
    assert attempts.finish(attempt, clock.now()) is False
    attempt.refresh_from_db()
    assert (attempt.score, attempt.finished_at) == first
    assert ReviewCard.objects.count() == 1  # the exam's answers fed the queue once


def test_management_command_finishes_overdue_exams(clock, capsys):
    from django.core.management import call_command

    attempt = attempts.start_attempt(OWNER, Attempt.EXAM, FIXTURE_IDS[:2], clock.now(), time_limit_s=1)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=clock.now().replace(year=2000))
    call_command("finish_overdue_attempts")
    attempt.refresh_from_db()
    assert attempt.is_finished and "Finished 1" in capsys.readouterr().out


def test_time_spent_is_measured_per_question(clock):
    attempt = exam(clock)
    answer = attempt.answers.get(position=2)
    attempts.mark_shown(answer, clock.now())
    clock.advance(seconds=42)
    saved = attempts.save_answer(attempt, 2, ["0", "1"], clock.now())
    assert saved.answer.time_spent_ms == 42_000


@pytest.mark.parametrize(
    ("correct", "ms", "rating"), [(False, 1000, "Again"), (True, 60_000, "Good"), (True, 5_000, "Easy")]
)
def test_fsrs_rating_from_answers(correct, ms, rating):
    assert review.rating_for(correct, ms).name == rating


def test_self_grades_map_directly():
    assert review.rating_for(True, 0, "hard").name == "Hard"


def test_practice_answer_updates_the_card_and_wrong_is_due_soon(clock):
    attempt = attempts.start_attempt(OWNER, Attempt.PRACTICE, ["fx-single"], clock.now())
    attempts.save_answer(attempt, 1, "1", clock.now())  # wrong
    card = ReviewCard.objects.get(question_id="fx-single")
    assert card.last_rating == 1 and card.reviews == 1
    assert (card.due - clock.now()).total_seconds() < 3600  # Again: back within minutes
    assert [
        c.question_id
        for c in review.due_cards(OWNER, clock.now() + __import__("datetime").timedelta(hours=1))
    ] == ["fx-single"]


def test_right_answer_pushes_the_card_further_than_a_wrong_one(clock):
    right = attempts.start_attempt(OWNER, Attempt.PRACTICE, ["fx-numeric"], clock.now())
    attempts.save_answer(right, 1, "10240", clock.now())
    wrong = attempts.start_attempt(OWNER, Attempt.PRACTICE, ["fx-short"], clock.now())
    attempts.save_answer(wrong, 1, "nope", clock.now())
    cards = {c.question_id: c for c in ReviewCard.objects.all()}
    assert cards["fx-numeric"].due > cards["fx-short"].due


def test_topic_breakdown_and_missed(clock):
    attempt = exam(clock)
    attempts.save_answer(attempt, 1, "0", clock.now())
    attempts.save_answer(attempt, 3, "0", clock.now())  # wrong
    attempts.finish(attempt, clock.now())
    breakdown = {row["topic"]: (row["correct"], row["total"]) for row in attempts.topic_breakdown(attempt)}
    assert breakdown["timeouts"] == (1, 1) and breakdown["environment-variables"] == (0, 1)
    assert attempts.missed_question_ids(attempt) == FIXTURE_IDS[1:5]


def test_anonymous_progress_is_merged_into_the_account(clock, client):
    client.get("/")  # a session
    session = client.session
    session["learner_key"] = "learner-1"
    session.save()
    attempt = attempts.start_attempt(OWNER, Attempt.PRACTICE, ["fx-single"], clock.now())
    attempts.save_answer(attempt, 1, "0", clock.now())
    user = get_user_model().objects.create_user("ada", password="a-long-unusual-passphrase-42")
    client.post("/accounts/login/", {"username": "ada", "password": "a-long-unusual-passphrase-42"})
    attempt.refresh_from_db()
    assert attempt.user == user and attempt.learner_key == ""
    assert ReviewCard.objects.get(question_id="fx-single").user == user
