"""Log in, sign up and answer submits are rate limited: past the limit, 429 with Retry-After.
Anonymous limits hold per session and per client address; failed log ins per account and per
address; X-Forwarded-For counts only from a trusted proxy."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from studyapp.core.ratelimit import client_address

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


def test_failed_logins_lock_the_account_not_everyone_at_the_address(client, settings, django_user_model):
    settings.FAILED_LOGINS_PER_ACCOUNT, settings.FAILED_LOGINS_PER_ADDRESS = 2, 100
    django_user_model.objects.create_user("alice", password="alice-password-1")
    django_user_model.objects.create_user("bob", password="bob-password-1")
    for _ in range(2):
        assert client.post(reverse("login"), {"username": "alice", "password": "wrong"}).status_code == 200
    # Alice's account is refused now, even with her password, from any address...
    assert_limited(client.post(reverse("login"), {"username": "alice", "password": "alice-password-1"}))
    elsewhere = {"REMOTE_ADDR": "198.51.100.7"}
    assert_limited(Client().post(reverse("login"), {"username": "ALICE ", "password": "x"}, **elsewhere))
    # ...but Bob, behind the same address, logs in.
    bob = client.post(reverse("login"), {"username": "bob", "password": "bob-password-1"})
    assert bob.status_code == 302
    assert client.get(reverse("login")).status_code == 200  # reading the page is not limited


def test_failed_logins_from_one_address_are_limited_across_accounts(client, settings):
    settings.FAILED_LOGINS_PER_ACCOUNT, settings.FAILED_LOGINS_PER_ADDRESS = 100, 3
    for name in ("a1", "a2", "a3"):
        assert client.post(reverse("login"), {"username": name, "password": "x"}).status_code == 200
    assert_limited(client.post(reverse("login"), {"username": "a4", "password": "x"}))
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post(reverse("login"), {"username": "a4", "password": "x"}).status_code == 200


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


ANSWER_URL = "/quiz/a/no-such-attempt/q/1/"  # counted before the view looks anything up


def post_without_cookie(**meta):
    return Client().post(ANSWER_URL, {"choice": "0"}, **meta)


def test_a_client_that_drops_its_cookie_is_still_limited_by_address(settings):
    settings.ANSWERS_PER_MINUTE, settings.ANONYMOUS_ADDRESS_FACTOR = 2, 2
    for _ in range(4):  # each a new session: the learner counter starts afresh, the address's not
        assert post_without_cookie().status_code == 404
    assert_limited(post_without_cookie())
    assert post_without_cookie(REMOTE_ADDR="198.51.100.9").status_code == 404


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(settings):
    settings.ANSWERS_PER_MINUTE, settings.ANONYMOUS_ADDRESS_FACTOR = 1, 2
    settings.TRUSTED_PROXIES = []
    for n in range(2):  # a client writing its own X-Forwarded-For changes nothing
        assert post_without_cookie(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code == 404
    assert_limited(post_without_cookie(HTTP_X_FORWARDED_FOR="203.0.113.99"))
    cache.clear()
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]
    behind = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.5"}  # the proxy appended the real one
    for _ in range(2):
        assert post_without_cookie(**behind).status_code == 404
    assert_limited(post_without_cookie(**behind))
    assert post_without_cookie(HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 404


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.1", "", "203.0.113.1"),
        ("203.0.113.1", "9.9.9.9", "203.0.113.1"),  # not from a trusted proxy: ignored
        ("10.0.0.2", "9.9.9.9", "9.9.9.9"),
        ("10.0.0.2", "9.9.9.9, 10.0.0.3", "9.9.9.9"),  # two proxies in a row
        ("10.0.0.2", "not-an-address", "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
    ],
)
def test_client_address(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_shares_resets_and_quiz_starts_count_against_limits(client, settings, question_bank):
    from tests.support.sandbox_client import form

    settings.SHARES_PER_MINUTE = settings.SANDBOX_RUNS_PER_MINUTE = settings.QUIZ_STARTS_PER_MINUTE = 1
    assert client.post(reverse("sandbox_share"), form()).status_code == 302  # to the permalink
    assert_limited(client.post(reverse("sandbox_share"), form()))
    assert client.post(reverse("sandbox_reset"), form()).status_code == 200
    assert_limited(client.post(reverse("sandbox_reset"), form()))
    assert client.post(reverse("quiz_start_practice"), {"count": "5"}).status_code == 302
    assert_limited(client.post(reverse("quiz_start_exam"), {"count": "5", "minutes": "10"}))
