"""Every view of the site shell, topics and quiz whose answer differs for an htmx request says so
with `Vary: HX-Request`, 429s included: a shared cache must never hand the fragment to a page load
(or the page to htmx)."""

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import URLPattern, resolve, reverse

from studyapp import urls as site_urls
from studyapp.quiz import attempts
from studyapp.quiz import urls as quiz_urls
from studyapp.topics import urls as topic_urls
from tests.quiz.test_views import start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("question_bank")]
HTMX = {"HTTP_HX_REQUEST": "true"}
# The views that answer htmx with a fragment (or a fragment instead of a redirect).
DIFFERS_FOR_HTMX = {
    "topic_mark_read",
    "search",
    "pricing",
    "quiz_question POST",
    "quiz_flag",
    "quiz_reveal",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def view_names() -> set[str]:
    """URL names of the shell, topics and quiz (the sandbox has its own tests)."""
    own = [p for p in site_urls.urlpatterns if isinstance(p, URLPattern)]
    return {p.name for p in [*own, *topic_urls.urlpatterns, *quiz_urls.urlpatterns]}


def a_request(client, case: str):
    """(method, url, data) for one view, with the attempt it needs started for this client."""
    name, _, method = case.partition(" ")
    attempt_args = {
        "quiz_attempt": ("exam", None),
        "quiz_question": ("practice", 1),
        "quiz_flag": ("exam", 1),
        "quiz_reveal": ("interview", 1),
        "quiz_summary": ("exam", None),
        "quiz_submit": ("practice", None),
        "quiz_results": ("finished", None),
        "quiz_retry_missed": ("finished", None),
    }
    args = []
    if name in attempt_args:
        mode, position = attempt_args[name]
        if mode == "interview":
            attempt = start(client, "interview", ["fx-open"])
        elif mode == "finished":
            attempt = start(client, "practice")
            attempts.finish(attempt, attempt.started_at)
        else:
            attempt = start(client, mode, time_limit_s=600 if mode == "exam" else None)
        args = [attempt.public_id] + ([position] if position else [])
    if name in ("topic_detail", "topic_mark_read", "quiz_topic"):
        args = ["timeouts"]
    if name.startswith("quiz_export_"):
        args = ["json"]
    data = {
        "topic_mark_read": {"read": "1"},
        "search": {"q": "timeout"},
        "pricing": {"requests_per_month": "1000000"},
        "quiz_start_practice": {"count": "2"},
        "quiz_start_exam": {"preset": "quick-check"},
        "quiz_start_interview": {"count": "1"},
        "quiz_question": {"choice": "0"},
        "quiz_reveal": {"text": "a draft"},
    }.get(name, {})
    posts = {"logout", "topic_mark_read", "quiz_flag", "quiz_reveal", "quiz_submit", "quiz_retry_missed"}
    posts |= {"quiz_start_practice", "quiz_start_exam", "quiz_start_interview", "quiz_topic"}
    method = method.lower() or ("post" if name in posts else "get")
    return method, reverse(name, args=args), data


CASES = sorted(view_names() | {"quiz_question POST", "quiz_review POST"})


def shape(response) -> tuple:
    """What a cache would confuse: the status, where a redirect goes, the template the view rendered.

    (Not the body: CSRF tokens and new attempt ids change between any two requests.)
    """
    target = resolve(urlsplit(response["Location"]).path).url_name if "Location" in response else None
    return (response.status_code, target, response.templates[0].name if response.templates else None)


def varies_on_hx_request(response) -> bool:
    return "hx-request" in {value.strip().lower() for value in response.get("Vary", "").split(",")}


def test_the_cases_cover_every_view():
    assert {case.partition(" ")[0] for case in CASES} == view_names()
    assert set(CASES) >= DIFFERS_FOR_HTMX


@pytest.mark.parametrize("case", CASES)
def test_a_view_that_differs_for_htmx_varies_on_hx_request(client, case):
    method, url, data = a_request(client, case)
    plain = getattr(client, method)(url, data)
    fragment = getattr(client, method)(url, data, **HTMX)
    assert plain.status_code < 500 and fragment.status_code < 500
    differs = shape(plain) != shape(fragment)
    assert differs == (case in DIFFERS_FOR_HTMX)
    if differs:
        assert varies_on_hx_request(plain) and varies_on_hx_request(fragment)


@pytest.mark.parametrize(
    ("case", "setting", "data"),
    [
        ("login", "FAILED_LOGINS_PER_ACCOUNT", {"username": "x", "password": "y"}),
        ("signup", "SIGNUPS_PER_MINUTE", {"username": "x", "password1": "y", "password2": "y"}),
        ("quiz_question POST", "ANSWERS_PER_MINUTE", None),
    ],
)
def test_a_rate_limited_answer_varies_on_hx_request(client, settings, case, setting, data):
    setattr(settings, setting, 0)
    _, url, default_data = a_request(client, case)
    plain = client.post(url, data or default_data)
    fragment = client.post(url, data or default_data, **HTMX)
    assert plain.status_code == fragment.status_code == 429
    assert shape(plain) != shape(fragment)  # the page, and the fragment htmx swaps in
    assert varies_on_hx_request(plain) and varies_on_hx_request(fragment)
