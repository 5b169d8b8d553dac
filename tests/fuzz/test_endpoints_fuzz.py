"""Random and hostile values posted to every form and htmx endpoint: never a 500."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studyapp.core.learner import LEARNER_KEY
from studyapp.quiz.attempts import start_attempt
from studyapp.quiz.scoring import SELF_GRADES
from studyapp.sandbox import service
from studyapp.sandbox.jsontext import MAX_DEPTH

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e309",
            "nan",
            "NaN",
            "inf",
            "9" * 400,
            "<script>x</script>",
            "' OR 1=1 --",
            "\x00",
            "%00",
            "../../etc/passwd",
            "{}",
            "[]",
            "null",
            "🙂" * 50,
            "\ud800",
            "1,5",
            "0x10",
            "１２３",
        ]
    ),
)
VALUES = st.one_of(HOSTILE, st.lists(HOSTILE, max_size=4))


def form(keys):
    return st.fixed_dictionaries({}, optional={key: VALUES for key in keys})


def clean(data: dict) -> dict:
    # The test client cannot send lone surrogates; a browser would have replaced them already.
    def fix(value):
        return (
            value.encode("utf-8", "replace").decode() if isinstance(value, str) else [fix(v) for v in value]
        )

    return {key: fix(value) for key, value in data.items()}


@pytest.fixture
def client():
    cache.clear()
    client = Client()
    client.get("/")
    session = client.session
    session[LEARNER_KEY] = "fuzzer"
    session.save()
    return client


@FUZZ
@given(query=HOSTILE)
def test_search(client, query):
    for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
        assert (
            client.get("/search/", {"q": query.encode("utf-8", "replace").decode()}, **extra).status_code
            < 500
        )


@FUZZ
@given(
    data=form(
        [
            "requests_per_month",
            "average_duration_ms",
            "memory_mb",
            "architecture",
            "ephemeral_storage_mb",
            "provisioned_concurrency",
            "provisioned_hours",
            "provisioned_requests",
            "provisioned_average_duration_ms",
            "free_tier",
        ]
    )
)
def test_pricing_calculator(client, data):
    data = clean(data) | {"requests_per_month": clean(data).get("requests_per_month", "1")}
    for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
        assert client.get("/pricing/", data, **extra).status_code < 500


SANDBOX_ROWS = [f"files-{row}-{name}" for row in range(3) for name in ("name", "code")] + [
    f"env-{row}-{name}" for row in range(3) for name in ("key", "value")
]


@FUZZ
@given(
    data=form(
        [
            "handler",
            "memory_mb",
            "timeout_s",
            "invocation_type",
            "event_json",
            "event_slug",
            "seed_resources",
            "architecture",
            "files-TOTAL_FORMS",
            "files-INITIAL_FORMS",
            "env-TOTAL_FORMS",
            "env-INITIAL_FORMS",
            *SANDBOX_ROWS,
        ]
    )
)
def test_sandbox_run_reset_and_share(client, data, settings):
    # The form's cap keeps fuzzed runs short. The engine is made first: it is one per process
    # and keeps the cap it was made with, which later tests in this worker must not inherit.
    service.engine()
    settings.SANDBOX_MAX_TIMEOUT_S = 2
    data = clean(data)
    for url in ("/sandbox/run/", "/sandbox/reset/", "/sandbox/share/"):
        for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
            assert client.post(url, data, **extra).status_code < 500


# (opening text, closing text, levels it nests): brackets inside strings do not count.
NESTINGS = [("[", "]", 1), ('{"a": ', "}", 1), ('[{"[": ', "}]", 2), ('{"a\\"{": [', "]}", 2)]
ECHO = "def lambda_handler(event, context):\n    return event\n"


@FUZZ
@given(
    nesting=st.sampled_from(NESTINGS),
    repeat=st.one_of(st.integers(0, 600), st.integers(600, 50_000)),
    balanced=st.booleans(),
)
def test_sandbox_events_of_any_nesting_depth(client, nesting, repeat, balanced):
    """Deep events are a form error naming the depth, never a 500; shallower ones run, and the
    handler's result (the event itself) is shown."""
    opener, closer, levels = nesting
    event_json = opener * repeat + "1" + (closer * repeat if balanced else "")
    data = {
        "handler": "lambda_function.lambda_handler",
        "memory_mb": "128",
        "timeout_s": "3",
        "invocation_type": "RequestResponse",
        "event_json": event_json,
        "files-TOTAL_FORMS": "1",
        "files-INITIAL_FORMS": "0",
        "files-0-name": "lambda_function.py",
        "files-0-code": ECHO,
        "env-TOTAL_FORMS": "0",
        "env-INITIAL_FORMS": "0",
    }
    for url in ("/sandbox/run/", "/sandbox/reset/", "/sandbox/share/"):
        for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.post(url, data, **extra)
            assert response.status_code < 500
            if repeat * levels > MAX_DEPTH:
                assert response.status_code == 422
                assert f"The event nests deeper than {MAX_DEPTH} levels" in response.text
            elif balanced and url == "/sandbox/run/":
                assert response.status_code == 200 and 'data-status="success"' in response.text


@FUZZ
@given(data=form(["preset", "topics", "count", "minutes", "seconds"]))
def test_quiz_start_forms(client, data):
    data = clean(data)
    for url in ("/quiz/practice/", "/quiz/exam/", "/quiz/interview/"):
        assert client.post(url, data).status_code < 500


# Digits beyond ASCII for the quiz's numeric-looking fields: "²" passes str.isdigit() but not int();
# "٣" (Arabic-Indic) and "１" (fullwidth) pass both.
UNICODE_DIGIT = st.one_of(
    st.sampled_from(["²", "³", "¹", "½", "٣", "۷", "१", "１", "⑤", "𝟗"]),
    st.characters(categories=["Nd", "No"]),
)
UNICODE_DIGITS = st.one_of(
    st.text(UNICODE_DIGIT, min_size=1, max_size=4),
    st.lists(st.text(UNICODE_DIGIT, min_size=1, max_size=4), min_size=1, max_size=4),
)


@FUZZ
@given(
    data=st.fixed_dictionaries({}, optional={key: UNICODE_DIGITS for key in ("count", "minutes", "seconds")})
)
@example(data={"count": "٣", "minutes": "²", "seconds": "١٠"})
def test_quiz_start_forms_with_unicode_digits(client, data):
    for preset in ("", "lambda-interview"):
        for url in ("/quiz/practice/", "/quiz/exam/", "/quiz/interview/"):
            assert client.post(url, data | {"preset": preset}).status_code < 500


@FUZZ
@given(
    data=st.fixed_dictionaries({}, optional={key: UNICODE_DIGITS for key in ("choice", "value", "point")}),
    rating=st.sampled_from(SELF_GRADES),
    position=st.integers(1, 6),
    mode=st.sampled_from(["practice", "exam", "interview"]),
)
@example(data={"point": "²"}, rating="good", position=6, mode="interview")
@example(data={"point": ["٣", "0"]}, rating="easy", position=6, mode="practice")
def test_quiz_answers_with_unicode_digits(client, question_bank, data, rating, position, mode):
    attempt = start_attempt(
        {"user": None, "learner_key": "fuzzer"},
        mode,
        ["fx-single", "fx-multi", "fx-truefalse", "fx-numeric", "fx-short", "fx-open"],
        timezone.now(),
        time_limit_s=600 if mode == "exam" else None,
    )
    base = f"/quiz/a/{attempt.public_id}/q/{position}/"
    data = data | {"rating": rating, "text": "typed before the reveal"}
    for url in (base + "reveal/", base, base + "flag/"):
        for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
            assert client.post(url, data, **extra).status_code < 500
    assert client.get(base).status_code < 500  # what was stored shows again


@FUZZ
@given(data=form(["choice", "value", "code", "rating", "point", "text"]), position=st.integers(-3, 12))
def test_quiz_answers_flags_and_reveals(client, question_bank, data, position):
    attempt = start_attempt(
        {"user": None, "learner_key": "fuzzer"},
        "exam",
        ["fx-single", "fx-multi", "fx-truefalse", "fx-numeric", "fx-short", "fx-open"],
        timezone.now(),
        time_limit_s=600,
    )
    data = clean(data)
    base = (
        f"/quiz/a/{attempt.public_id}/q/{position}/" if position >= 0 else f"/quiz/a/{attempt.public_id}/q/x/"
    )
    for url in (base, base + "flag/", base + "reveal/"):
        assert client.post(url, data, HTTP_HX_REQUEST="true").status_code < 500


@FUZZ
@given(data=form(["username", "password", "password1", "password2", "next", "read"]))
def test_accounts_and_mark_read(client, data):
    data = clean(data)
    for url in ("/accounts/login/", "/accounts/signup/", "/topics/timeouts/read/", "/topics/nope/read/"):
        assert client.post(url, data).status_code < 500
