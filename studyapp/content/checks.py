"""Registry of content validators run by `manage.py check_content`."""

from collections.abc import Callable, Iterable

from studyapp.content.files import ContentError, Problem

Checker = Callable[[], Iterable[Problem]]
_checkers: list[Checker] = []


def content_checker(checker: Checker) -> Checker:
    if checker not in _checkers:
        _checkers.append(checker)
    return checker


def run_all() -> list[Problem]:
    problems: list[Problem] = []
    for checker in _checkers:
        try:
            problems.extend(checker())
        except ContentError as error:
            problems.append(error.problem)
    return problems
