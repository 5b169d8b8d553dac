"""Rubric points posted with an interview answer: only the checkboxes' own values count; anything
else (a superscript or Arabic-Indic digit, a huge number) is ignored, never a 500, and the typed
answer is never lost."""

import pytest
from django.urls import reverse

from studyapp.content.questions import bank
from studyapp.quiz.models import AttemptAnswer
from studyapp.quiz.scoring import AnswerShapeError, grade_self, rubric_index
from studyapp.quiz.templatetags.quiz_tags import is_point
from tests.quiz.test_views import HTMX, question_url, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("question_bank")]
NOT_POINTS = ["²", "٣", "１", "-1", "1.0", "0x1", "", " 1", "9" * 5000]


@pytest.mark.parametrize("value", NOT_POINTS)
def test_a_value_no_checkbox_sends_is_not_a_point(value):
    assert rubric_index(value) is None


def test_checkbox_values_are_points():
    assert [rubric_index(value) for value in ("0", "1", "12")] == [0, 1, 12]


def test_self_grade_counts_only_real_points():
    question = bank().questions["fx-open"]
    grade = grade_self(question, {"rating": "good", "points": [*NOT_POINTS, "1", "7"], "text": "x"})
    assert grade.detail["points"] == [1] and grade.score == pytest.approx(1 / 3)


def test_self_grade_without_a_rating_is_still_a_shape_error():
    with pytest.raises(AnswerShapeError):
        grade_self(bank().questions["fx-open"], {"points": ["²"], "text": "x"})


def test_a_saved_answer_with_odd_points_still_renders():
    assert is_point(0, {"points": ["²", "٣", "0"]}) is True
    assert is_point(1, {"points": ["²", "٣", "0"]}) is False


@pytest.mark.parametrize("point", ["²", "٣", "9" * 5000])
def test_a_unicode_digit_point_is_ignored_and_the_answer_saved(client, point):
    attempt = start(client, "interview", ["fx-open"])
    client.post(reverse("quiz_reveal", args=[attempt.public_id, 1]), **HTMX)
    data = {"rating": "good", "point": [point, "0"], "text": "A new environment starts."}
    response = client.post(question_url(attempt), data, **HTMX)
    assert response.status_code == 200 and "Recorded: Good" in response.text
    answer = AttemptAnswer.objects.get(attempt=attempt)
    assert answer.response["text"] == "A new environment starts." and answer.score == pytest.approx(1 / 3)
    # The stored response still holds what was posted: showing it again must not fail either.
    assert client.get(question_url(attempt)).status_code == 200


def test_a_shape_error_keeps_the_typed_answer_and_ticks(client):
    attempt = start(client, "interview", ["fx-open"])
    client.post(reverse("quiz_reveal", args=[attempt.public_id, 1]), {"text": "first draft"}, **HTMX)
    data = {"point": ["²", "1"], "text": "My longer answer, typed after the reveal."}
    response = client.post(question_url(attempt), data, **HTMX)
    assert response.status_code == 422 and "Rate your answer" in response.text
    assert "My longer answer, typed after the reveal." in response.text
    assert 'id="point-2" checked' in response.text and 'id="point-1" checked' not in response.text
