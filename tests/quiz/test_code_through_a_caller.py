"""A code question graded through a front door: the answer runs behind the REST API and is
judged by what the client gets back, not by what Lambda returned."""

from studyapp.content.questions import bank
from studyapp.quiz.code_grading import run_code
from studyapp.sandbox.service import local_runner
from tests.sandbox.conftest import make_engine


def test_a_proxy_response_question_is_graded_by_the_clients_answer():
    question = bank().questions["code-apigateway-malformed-proxy-response"]
    assert question.caller == {"kind": "rest", "request": "get-order"}
    engine = make_engine(blank_environments=1, max_environments=4)
    try:
        solved = run_code(local_runner(engine), question, question.solution)
        assert solved.passed, solved.failures
        starter = run_code(local_runner(engine), question, question.starter)
        # Lambda was happy with the starter; the client was not.
        assert starter.result.status == "success" and not starter.passed
        assert "expected the client to get HTTP 200, it got 502" in starter.failures[0]
        assert "body must be a string" in starter.failures[0]
    finally:
        engine.close()


def test_a_partial_batch_question_is_graded_by_what_happened_to_the_messages():
    question = bank().questions["code-sqs-partial-batch-through-the-queue"]
    engine = make_engine(blank_environments=1, max_environments=4)
    try:
        solved = run_code(local_runner(engine), question, question.solution)
        assert solved.passed, solved.failures
        starter = run_code(local_runner(engine), question, question.starter)
        assert not starter.passed
        assert "expected deleted = 2 on the queue, got 0" in starter.failures
    finally:
        engine.close()
