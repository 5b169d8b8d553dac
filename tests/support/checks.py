"""Run one content checker the way check_content does, without running all of them."""

from studyapp.content.checks import run_checkers


def reported(*checkers) -> str:
    """What the given checkers report, one `path:line: message` a line ("" when all is well)."""
    return "\n".join(str(problem) for problem in run_checkers(checkers))
