"""check_content for the question bank: schema (in bank.py), topics and sections exist, events
exist, and code questions' solutions pass their checks while their starters do not."""

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

from studyapp.content.checks import content_checker
from studyapp.content.files import Problem
from studyapp.content.library import build_library
from studyapp.content.questions import build_bank
from studyapp.content.topics import catalog
from studyapp.quiz.code_grading import run_code
from studyapp.sandbox.runtime import Engine, EngineSettings, IsolationUnavailable
from studyapp.sandbox.service import local_runner


@content_checker
def check_questions():
    questions = build_bank()
    problems = list(questions.problems)
    topics = catalog().topics
    events = build_library().events
    for question in questions.questions.values():
        for slug in question.topics:
            if slug not in topics:
                problems.append(Problem(question.path, f"question '{question.id}': unknown topic '{slug}'"))
        if question.section and question.topics[0] in topics:
            anchors = {h.anchor for h in topics[question.topics[0]].headings}
            if question.section not in anchors:
                problems.append(
                    Problem(
                        question.path,
                        f"question '{question.id}': no section '{question.section}' in {question.topics[0]}",
                    )
                )
        if question.type == "code" and question.event and question.event not in events:
            problems.append(
                Problem(question.path, f"question '{question.id}': unknown event '{question.event}'")
            )
    return problems


CHECK_PARALLEL_RUNS = 4
_verified: set[str] = set()  # code questions already run in this process, by content hash


def _fingerprint(question) -> str:
    data = [
        question.id,
        question.solution,
        question.starter,
        question.checks,
        question.event,
        question.event_json,
        question.handler,
        question.timeout_s,
    ]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


@content_checker
def check_code_questions_in_the_sandbox():
    """The reference solution must pass and the starter must fail: run both."""

    code_questions = [
        q for q in build_bank().questions.values() if q.type == "code" and _fingerprint(q) not in _verified
    ]
    if not code_questions:
        return []
    # Every run is a cold start, mostly spent starting processes: run a few at once.
    parallel = min(CHECK_PARALLEL_RUNS, len(code_questions))
    try:
        engine = Engine(
            EngineSettings(
                max_concurrency=parallel,
                blank_environments=parallel,
                max_environments=2 * parallel,
                uid_base=settings.SANDBOX_UID_BASE,  # the engine claims a free range from here
            )
        )
    except IsolationUnavailable as error:
        return [Problem(code_questions[0].path, f"cannot check code questions: {error}")]
    try:
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            found = list(pool.map(lambda question: _verify(engine, question), code_questions))
    finally:
        engine.close()
    return [problem for problems in found for problem in problems]


def _verify(engine: Engine, question) -> list[Problem]:
    problems = []
    solved = run_code(local_runner(engine), question, question.solution)
    if not solved.passed:
        problems.append(
            Problem(
                question.path,
                f"question '{question.id}': the solution fails its checks: {'; '.join(solved.failures)}",
            )
        )
    starter_passes = run_code(local_runner(engine), question, question.starter).passed
    if starter_passes:
        problems.append(Problem(question.path, f"question '{question.id}': the starter already passes"))
    if solved.passed and not starter_passes:
        _verified.add(_fingerprint(question))
    return problems
