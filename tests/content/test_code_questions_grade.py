"""Every code question of the bank is gradeable: its reference solution passes its checks in
the sandbox, and its starter fails at least one (else there is nothing to learn)."""

import pytest

from studyapp.content.questions import bank
from studyapp.quiz.code_grading import run_code
from studyapp.sandbox.service import local_runner

CODE_QUESTIONS = [q for q in bank().questions.values() if q.type == "code"]


@pytest.mark.parametrize("question", CODE_QUESTIONS, ids=[q.id for q in CODE_QUESTIONS])
def test_the_solution_passes_and_the_starter_does_not(engine, question):
    run = local_runner(engine)
    solved = run_code(run, question, question.solution)
    assert solved.passed, (solved.failures, solved.result.log[-600:] if solved.result else "")
    started = run_code(run, question, question.starter)
    assert not started.passed
