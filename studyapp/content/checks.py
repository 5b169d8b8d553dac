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
    return run_checkers(_checkers)


def run_checkers(checkers: Iterable[Checker]) -> list[Problem]:
    """Every problem the given checkers find; a file that cannot be read is one problem."""
    problems: list[Problem] = []
    for checker in checkers:
        try:
            problems.extend(checker())
        except ContentError as error:
            problems.append(error.problem)
    return problems
