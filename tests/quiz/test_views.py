"""Quiz views: starting each mode, answering (full page and htmx), flags, summary, results,
bad input, other learners' attempts, deadlines."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studyapp.quiz import attempts
from studyapp.quiz.models import Attempt, AttemptAnswer
from tests.quiz.conftest import FIXTURE_IDS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("question_bank")]
HTMX = {"HTTP_HX_REQUEST": "true"}


def start(client, mode="practice", ids=None, **kwargs):
    client.get("/")
    from studyapp.core.learner import LEARNER_KEY

    key = client.session.get(LEARNER_KEY)
    if key is None:
        session = client.session
        session[LEARNER_KEY] = key = f"k-{id(client)}"
        session.save()
    return attempts.start_attempt(
        {"user": None, "learner_key": key},
        mode,
        ids or FIXTURE_IDS,
        timezone.now(),
        title=mode.title(),
        **kwargs,
    )


def question_url(attempt, position=1):
    return reverse("quiz_question", args=[attempt.public_id, position])


def test_home_offers_every_mode_and_the_preset(client):
    response = client.get(reverse("quiz_home"))
    assert response.status_code == 200
    for text in (
        "Timed exam",
        "Practice",
        "Interview mode",
        "Lambda interview: 20 questions, 25 minutes",
        "Review queue",
    ):
        assert text in response.text


def test_start_practice_redirects_to_the_first_question(client):
    response = client.post(reverse("quiz_start_practice"), {"count": "3"})
    attempt = Attempt.objects.get()
    assert response.status_code == 302 and response["Location"] == question_url(attempt)
    assert attempt.mode == "practice" and len(attempt.question_ids) == 3


def test_start_exam_with_preset_sets_a_server_deadline(client):
    client.post(reverse("quiz_start_exam"), {"preset": "lambda-interview"})
    attempt = Attempt.objects.get()
    assert attempt.title == "Lambda interview"
    assert round((attempt.deadline - attempt.started_at).total_seconds()) == 25 * 60
    assert all(qid != "fx-open" for qid in attempt.question_ids)  # exams hold gradable questions


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"count": "0", "minutes": "5"}, "greater than or equal to 1"),
        ({"count": "5", "minutes": "999"}, "less than or equal to 180"),
        ({"count": "x", "minutes": "5"}, "Enter a whole number"),
    ],
)
def test_exam_form_errors(client, data, message):
    response = client.post(reverse("quiz_start_exam"), data)
    assert response.status_code == 422 and message in response.text
    assert not Attempt.objects.exists()


def test_interview_mode_uses_open_questions(client):
    client.post(reverse("quiz_start_interview"), {"count": "5"})
    assert Attempt.objects.get().question_ids == ["fx-open"]


def test_quiz_me_from_a_topic(client):
    response = client.post(reverse("quiz_topic", args=["timeouts"]))
    attempt = Attempt.objects.get()
    assert response.status_code == 302 and attempt.question_ids == ["fx-single"]
    assert client.post(reverse("quiz_topic", args=["nope"])).status_code == 404


def test_practice_feedback_explains_every_choice_and_links_the_section(client):
    attempt = start(client)
    page = client.get(question_url(attempt))
    assert "What is the longest timeout" in page.text and 'data-key="1"' in page.text
    response = client.post(question_url(attempt), {"choice": "1"}, **HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert "Not quite" in response.text
    for why in ("Fifteen minutes is the ceiling.", "That was the limit before 2018.", "That is the default"):
        assert why in response.text
    assert 'href="/topics/timeouts/#key-facts"' in response.text


def test_answer_without_javascript_renders_the_page(client):
    attempt = start(client)
    response = client.post(question_url(attempt), {"choice": "0"})
    assert response.status_code == 200 and "<html" in response.text and "Correct" in response.text


@pytest.mark.parametrize(
    ("position", "data", "message"),
    [
        (1, {"choice": ["0", "1"]}, "exactly one"),
        (2, {"choice": ["0", "1", "2"]}, "Choose 2, not 3"),
        (4, {"value": "lots"}, "Enter a number"),
        (1, {}, "Pick an answer first"),
    ],
)
def test_wrong_shape_is_a_field_error_and_nothing_is_saved(client, position, data, message):
    attempt = start(client)
    response = client.post(question_url(attempt, position), data, **HTMX)
    assert response.status_code == 422 and message in response.text
    assert AttemptAnswer.objects.get(attempt=attempt, position=position).response is None


def test_exam_answers_are_saved_without_feedback_and_can_be_flagged(client):
    attempt = start(client, "exam", FIXTURE_IDS[:5], time_limit_s=600)
    response = client.post(question_url(attempt), {"choice": "1"}, **HTMX)
    assert "Saved" in response.text and "Not quite" not in response.text
    flag = client.post(reverse("quiz_flag", args=[attempt.public_id, 2]), **HTMX)
    assert "Flagged" in flag.text
    page = client.get(question_url(attempt, 3))
    assert re.search(r'class="answered"[^>]*>1', page.text) and re.search(
        r'class="unanswered flagged"[^>]*>2', page.text
    )
    summary = client.get(reverse("quiz_summary", args=[attempt.public_id]))
    assert "4 unanswered, 1 flagged" in summary.text


def test_refresh_shows_the_same_server_remaining_time(client):
    attempt = start(client, "exam", FIXTURE_IDS[:5], time_limit_s=600)
    first = int(re.search(r'data-remaining="(\d+)"', client.get(question_url(attempt)).text).group(1))
    second = int(re.search(r'data-remaining="(\d+)"', client.get(question_url(attempt)).text).group(1))
    assert 598 <= second <= first <= 600


def test_answer_after_the_deadline_is_refused_with_a_message(client):
    attempt = start(client, "exam", FIXTURE_IDS[:5], time_limit_s=600)
    client.post(question_url(attempt), {"choice": "0"})
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timezone.timedelta(seconds=1))
    response = client.post(question_url(attempt, 2), {"choice": ["0", "1"]}, **HTMX)
    assert response.status_code == 409
    assert "time is up" in response.text.lower()
    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.finished_by == "deadline" and attempt.score == pytest.approx(0.2)


def test_opening_an_overdue_exam_shows_its_results(client):
    attempt = start(client, "exam", FIXTURE_IDS[:5], time_limit_s=600)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timezone.timedelta(minutes=1))
    response = client.get(question_url(attempt), follow=True)
    assert "submitted automatically when time ran out" in response.text


def test_submit_twice_and_results(client):
    attempt = start(client, "exam", FIXTURE_IDS[:5], time_limit_s=600)
    client.post(question_url(attempt), {"choice": "0"})
    client.post(question_url(attempt, 4), {"value": "10240"})
    for _ in range(2):
        response = client.post(reverse("quiz_submit", args=[attempt.public_id]))
        assert response.status_code == 302
    results = client.get(reverse("quiz_results", args=[attempt.public_id]))
    assert "Score <strong>40%</strong>" in results.text and "Not passed" in results.text
    assert 'data-testid="breakdown"' in results.text and "Retry the 3 I missed" in results.text
    retry = client.post(reverse("quiz_retry_missed", args=[attempt.public_id]))
    new = Attempt.objects.exclude(pk=attempt.pk).get()
    assert (
        retry.status_code == 302
        and new.mode == "practice"
        and new.question_ids == ["fx-multi", "fx-truefalse", "fx-short"]
    )


def test_interview_reveal_and_self_grade(client):
    attempt = start(client, "interview", ["fx-open"])
    page = client.post(reverse("quiz_reveal", args=[attempt.public_id, 1]), {"text": "my answer"}, **HTMX)
    assert 'data-testid="model-answer"' in page.text and "New environment" in page.text
    graded = client.post(
        question_url(attempt), {"rating": "good", "point": ["0", "1"], "text": "my answer"}, **HTMX
    )
    assert "Recorded: Good" in graded.text


def test_unknown_ids_are_404(client):
    attempt = start(client)
    assert client.get(reverse("quiz_question", args=[attempt.public_id, 99])).status_code == 404
    assert client.get(reverse("quiz_question", args=["no-such-attempt", 1])).status_code == 404
    assert client.get(reverse("quiz_results", args=["no-such-attempt"])).status_code == 404


def test_another_learners_attempt_is_never_visible(client):
    attempt = start(client)
    other = Client()
    assert other.get(question_url(attempt)).status_code == 404
    assert other.post(question_url(attempt), {"choice": "0"}).status_code == 404
    assert other.post(reverse("quiz_submit", args=[attempt.public_id])).status_code == 404


def test_review_queue_and_dashboard(client):
    attempt = start(client, "practice", ["fx-single"])
    client.post(question_url(attempt), {"choice": "1"})  # wrong: Again
    client.post(reverse("quiz_submit", args=[attempt.public_id]))
    from studyapp.quiz.models import ReviewCard

    ReviewCard.objects.update(due=timezone.now())
    queue = client.get(reverse("quiz_review"))
    assert "What is the longest timeout" in queue.text
    dashboard = client.get(reverse("quiz_dashboard"))
    assert "1-day streak" in dashboard.text and 'data-testid="score-chart"' in dashboard.text
    assert "Timeouts" in dashboard.text


@pytest.mark.django_db(transaction=True)
def test_two_tabs_answering_at_once_lose_and_duplicate_nothing(question_bank):
    owner = {"user": None, "learner_key": "two-tabs"}
    attempt = attempts.start_attempt(owner, Attempt.EXAM, FIXTURE_IDS[:5], timezone.now(), time_limit_s=600)
    errors = []

    def answer(position, raw):
        try:
            attempts.save_answer(attempt, position, raw, timezone.now())
        except Exception as error:  # noqa: BLE001 - collect any failure for the assertion
            errors.append(error)
        finally:
            connection.close()  # each thread has its own: left open, it blocks dropping the test database

    threads = [
        threading.Thread(target=answer, args=(p, r))
        for p, r in [(1, "0"), (2, ["0", "1"]), (3, "1"), (4, "10240"), (1, "1")]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    rows = AttemptAnswer.objects.filter(attempt=attempt)
    assert rows.count() == 5
    assert {row.position for row in rows if row.answered} == {1, 2, 3, 4}


def test_attempt_urls_carry_an_unguessable_id(client):
    attempt = start(client)
    url = question_url(attempt)
    assert url.split("/")[3] == attempt.public_id != str(attempt.pk) and len(attempt.public_id) >= 16
    assert client.get(f"/quiz/a/{attempt.pk}/q/1/").status_code == 404
