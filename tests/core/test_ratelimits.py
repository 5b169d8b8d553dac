"""Log in, sign up and answer submits are rate limited: past the limit, 429 with Retry-After."""

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def assert_limited(response):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many" in response.text


def test_login_attempts(client, settings):
    settings.LOGIN_ATTEMPTS_PER_MINUTE = 2
    for _ in range(2):
        assert client.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 200
    assert_limited(client.post(reverse("login"), {"username": "x", "password": "y"}))
    assert client.get(reverse("login")).status_code == 200  # reading the page is not limited


def test_signups(client, settings):
    settings.SIGNUPS_PER_MINUTE = 1
    client.post(reverse("signup"), {"username": "a", "password1": "p", "password2": "q"})
    assert_limited(client.post(reverse("signup"), {"username": "a", "password1": "p", "password2": "q"}))


def test_answer_submits(client, settings, question_bank):
    from django.utils import timezone

    from studyapp.core.learner import LEARNER_KEY
    from studyapp.quiz.attempts import start_attempt

    settings.ANSWERS_PER_MINUTE = 2
    client.get("/")
    session = client.session
    session[LEARNER_KEY] = "rate-learner"
    session.save()
    attempt = start_attempt(
        {"user": None, "learner_key": "rate-learner"}, "practice", ["fx-single"], timezone.now()
    )
    url = reverse("quiz_question", args=[attempt.public_id, 1])
    for _ in range(2):
        assert client.post(url, {"choice": "0"}).status_code == 200
    assert_limited(client.post(url, {"choice": "0"}, HTTP_HX_REQUEST="true"))
