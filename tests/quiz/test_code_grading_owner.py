"""A code answer runs as its learner's function: graded in an environment of its own, never one
another learner left warm."""

import dataclasses

from django.conf import settings

from studyapp.content.questions import bank
from studyapp.quiz.code_grading import run_code
from studyapp.sandbox.runtime import FunctionConfig
from studyapp.sandbox.service import local_runner
from tests.sandbox.conftest import make_engine


def test_grading_runs_the_answer_as_the_learners_own_function():
    question = next(q for q in bank().questions.values() if q.type == "code")
    engine = make_engine(blank_environments=1, max_environments=4)
    try:
        first = run_code(local_runner(engine), question, question.solution, owner="anonymous:first")
        second = run_code(local_runner(engine), question, question.solution, owner="anonymous:second")
        assert first.passed and second.passed, (first.failures, second.failures)
        assert first.result.cold_start and second.result.cold_start
        fingerprints = {env.fingerprint for env in engine.pool.all_environments() if env.fingerprint}
        base = FunctionConfig(
            files={"lambda_function.py": question.solution},
            handler=question.handler,
            timeout_s=min(question.timeout_s, settings.SANDBOX_MAX_TIMEOUT_S),
            function_name=f"quiz-{question.id}"[:64],
        )
        owned = {
            dataclasses.replace(base, owner=who).fingerprint
            for who in ("anonymous:first", "anonymous:second")
        }
        assert owned <= fingerprints  # two warm environments, one per learner
    finally:
        engine.close()
