"""A running exam gives nothing away: which answers are right, the explanations and the missed
questions come with the results, once the attempt is finished."""

import pytest
from django.urls import reverse

from studyapp.quiz.models import Attempt
from tests.quiz.conftest import FIXTURE_IDS
from tests.quiz.test_views import HTMX, question_url, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("question_bank")]
# One right and one wrong answer for each gradable fixture question, by position.
ANSWERS = {
    1: ({"choice": "0"}, {"choice": "1"}),
    2: ({"choice": ["0", "1"]}, {"choice": ["2", "3"]}),
    3: ({"choice": "1"}, {"choice": "0"}),
    4: ({"value": "10240"}, {"value": "3008"}),
    5: ({"value": "Runtime.ImportModuleError"}, {"value": "nope"}),
}
# Text that only an answer key, a grade or an explanation puts in a page.
GIVEAWAYS = (
    "is-correct",
    "is-wrong",
    'data-testid="feedback"',
    "Not quite",
    "Correct",
    "Wrong",
    "Fifteen minutes is the ceiling.",
    "The maximum is 900 seconds.",
    "S3 and SNS use asynchronous invocation.",
    "The answer is",
    "Accepted:",
    "Retry",
)


def exam(client):
    return start(client, "exam", FIXTURE_IDS[:5], time_limit_s=600)


def assert_gives_nothing_away(text):
    leaked = [marker for marker in GIVEAWAYS if marker in text]
    assert leaked == []


def test_retry_missed_during_an_exam_is_refused_with_a_message(client):
    attempt = exam(client)
    client.post(question_url(attempt, 1), ANSWERS[1][1])
    client.post(question_url(attempt, 4), ANSWERS[4][0])
    response = client.post(reverse("quiz_retry_missed", args=[attempt.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("quiz_summary", args=[attempt.public_id])
    assert list(Attempt.objects.all()) == [attempt]  # no practice attempt of the missed questions
    page = client.get(response["Location"])
    assert "Finish the attempt first" in page.text


def test_retry_missed_works_once_the_exam_is_submitted(client):
    attempt = exam(client)
    client.post(question_url(attempt, 1), ANSWERS[1][1])
    client.post(reverse("quiz_submit", args=[attempt.public_id]))
    client.post(reverse("quiz_retry_missed", args=[attempt.public_id]))
    retry = Attempt.objects.exclude(pk=attempt.pk).get()
    assert retry.mode == Attempt.PRACTICE and retry.question_ids == FIXTURE_IDS[:5]


@pytest.mark.parametrize("which", [0, 1], ids=["right", "wrong"])
def test_saving_exam_answers_shows_no_grade_or_explanation(client, which):
    attempt = exam(client)
    for position, answers in ANSWERS.items():
        for extra in (HTMX, {}):
            saved = client.post(question_url(attempt, position), answers[which], **extra)
            assert saved.status_code == 200 and "Saved" in saved.text
            assert_gives_nothing_away(saved.text)
        assert_gives_nothing_away(client.get(question_url(attempt, position)).text)


def test_results_and_summary_of_a_running_exam_show_no_answers(client):
    attempt = exam(client)
    for position, answers in ANSWERS.items():
        client.post(question_url(attempt, position), answers[position % 2])
    results = client.get(reverse("quiz_results", args=[attempt.public_id]))
    assert results.status_code == 302
    assert results["Location"] == reverse("quiz_summary", args=[attempt.public_id])
    summary = client.get(reverse("quiz_summary", args=[attempt.public_id]))
    assert summary.status_code == 200
    assert_gives_nothing_away(summary.text)
    assert "Score" not in summary.text
