"""Grading of every question type, and answers of the wrong shape."""

import pytest

from studyapp.content.questions import bank
from studyapp.quiz.scoring import AnswerShapeError, grade

pytestmark = pytest.mark.usefixtures("question_bank")


def q(qid):
    return bank().questions[qid]


def test_single_choice():
    assert grade(q("fx-single"), "0").correct
    assert not grade(q("fx-single"), "1").correct


def test_truefalse():
    assert grade(q("fx-truefalse"), "1").correct and not grade(q("fx-truefalse"), "0").correct


def test_multi_needs_exactly_the_right_set_and_gives_partial_credit():
    assert grade(q("fx-multi"), ["0", "1"]).correct
    partial = grade(q("fx-multi"), ["0"])
    assert not partial.correct and partial.score == 0.5
    assert grade(q("fx-multi"), ["0", "2"]).score == 0.0


def test_numeric_with_tolerance_and_formatting():
    assert grade(q("fx-numeric"), "10,240").correct
    assert grade(q("fx-numeric"), " 10240.0 ").correct
    assert not grade(q("fx-numeric"), "10241").correct


def test_short_answer_is_case_insensitive():
    assert grade(q("fx-short"), "runtime.importmoduleerror").correct
    assert grade(q("fx-short"), "  ImportModuleError ").correct
    assert not grade(q("fx-short"), "ModuleNotFoundError").correct


def test_open_answers_are_self_graded():
    result = grade(q("fx-open"), {"rating": "good", "points": ["0", "2"]})
    assert result.correct and result.score == pytest.approx(2 / 3)
    assert not grade(q("fx-open"), {"rating": "again", "points": []}).correct


@pytest.mark.parametrize(
    ("qid", "raw", "message"),
    [
        ("fx-single", ["0", "1"], "exactly one"),
        ("fx-single", "7", "does not exist"),
        ("fx-single", "abc", "Pick one of the choices"),
        ("fx-single", "", "Pick an answer first"),
        ("fx-multi", ["0", "1", "2"], "Choose 2, not 3"),
        ("fx-numeric", "ten", "Enter a number"),
        ("fx-numeric", "inf", "finite"),
        ("fx-short", "   ", "Type an answer"),
        ("fx-short", "x" * 600, "under 500"),
        ("fx-open", {"rating": "superb"}, "Rate your answer"),
    ],
)
def test_wrong_shape_is_refused_with_a_message(qid, raw, message):
    with pytest.raises(AnswerShapeError, match=message):
        grade(q(qid), raw)
