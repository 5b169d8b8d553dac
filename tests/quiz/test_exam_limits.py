"""An exam's time limit: a preset's is fixed whatever is posted with it, and the limit an attempt
really had is stored and shown with its results."""

import pytest
from django.urls import reverse

from studyapp.quiz.models import Attempt
from studyapp.quiz.templatetags.quiz_tags import duration

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("question_bank")]


def limit_of(attempt) -> int:
    return round((attempt.deadline - attempt.started_at).total_seconds())


@pytest.mark.parametrize("seconds", ["3600", "5", "lots"])
def test_a_preset_ignores_a_posted_seconds_field(client, seconds):
    data = {"preset": "lambda-interview", "seconds": seconds, "minutes": "180", "count": "99"}
    response = client.post(reverse("quiz_start_exam"), data)
    assert response.status_code == 302
    attempt = Attempt.objects.get()
    assert limit_of(attempt) == attempt.time_limit_s == 25 * 60


def test_a_custom_exam_may_be_shorter_than_a_minute(client):
    client.post(reverse("quiz_start_exam"), {"count": "3", "minutes": "10", "seconds": "10"})
    attempt = Attempt.objects.get()
    assert limit_of(attempt) == attempt.time_limit_s == 10


def test_a_custom_exam_stores_its_minutes(client):
    client.post(reverse("quiz_start_exam"), {"count": "3", "minutes": "7"})
    assert Attempt.objects.get().time_limit_s == 7 * 60


def test_results_show_the_time_limit_the_attempt_had(client):
    client.post(reverse("quiz_start_exam"), {"preset": "lambda-interview", "seconds": "3600"})
    attempt = Attempt.objects.get()
    client.post(reverse("quiz_submit", args=[attempt.public_id]))
    results = client.get(reverse("quiz_results", args=[attempt.public_id]))
    assert "time limit 25 min" in results.text


def test_practice_has_no_time_limit(client):
    client.post(reverse("quiz_start_practice"), {"count": "2"})
    attempt = Attempt.objects.get()
    assert attempt.time_limit_s is None and attempt.deadline is None
    client.post(reverse("quiz_submit", args=[attempt.public_id]))
    assert "time limit" not in client.get(reverse("quiz_results", args=[attempt.public_id])).text


@pytest.mark.parametrize(
    ("total_seconds", "words"), [(1500, "25 min"), (90, "1 min 30 s"), (10, "10 s"), (3600, "60 min")]
)
def test_time_limits_read_in_minutes_and_seconds(total_seconds, words):
    assert duration(total_seconds) == words
