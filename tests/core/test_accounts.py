"""Sign up, log in, log out, and anonymous reading progress merged into the account."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from studyapp.topics.models import TopicRead

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-unusual-passphrase-42"


@pytest.fixture
def learner():
    return get_user_model().objects.create_user("ada", password=PASSWORD)


def read_anonymously(client, *slugs):
    for slug in slugs:
        client.post(reverse("topic_mark_read", args=[slug]), {"read": "1"})


def test_signup_creates_account_and_logs_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "grace",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "grace"


def test_signup_with_mismatched_passwords_shows_error(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "grace",
            "password1": PASSWORD,
            "password2": "other",
        },
    )
    assert response.status_code == 200
    assert "field-error" in response.text
    assert not get_user_model().objects.filter(username="grace").exists()


def test_login_and_logout(client, learner):
    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated
    client.post(reverse("logout"))
    assert not client.get("/").context["user"].is_authenticated


def test_wrong_password_is_refused_with_message(client, learner):
    response = client.post(reverse("login"), {"username": "ada", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.text


def test_anonymous_progress_is_merged_on_login(client, learner):
    TopicRead.objects.create(user=learner, slug="timeouts")
    read_anonymously(client, "timeouts", "context-object")
    client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    slugs = set(TopicRead.objects.filter(user=learner).values_list("slug", flat=True))
    assert slugs == {"timeouts", "context-object"}
    assert "topics_read" not in client.session


def test_anonymous_progress_is_merged_on_signup(client):
    read_anonymously(client, "function-urls")
    client.post(
        reverse("signup"),
        {
            "username": "grace",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    user = get_user_model().objects.get(username="grace")
    assert list(TopicRead.objects.filter(user=user).values_list("slug", flat=True)) == ["function-urls"]


def test_signed_in_progress_is_stored_per_user(client, learner):
    client.force_login(learner)
    read_anonymously(client, "timeouts")
    assert TopicRead.objects.filter(user=learner, slug="timeouts").exists()
    client.post(reverse("logout"))
    index = client.get(reverse("topic_index"))
    assert 'class="is-read"' not in index.text
