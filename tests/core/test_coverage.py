"""coverage.yaml maps the notes to pages and questions; a broken mapping fails check_content."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run(capsys) -> tuple[bool, str]:
    try:
        call_command("check_content")
    except CommandError:
        return False, capsys.readouterr().err
    return True, capsys.readouterr().out


def write_coverage(content_dir, page="timeouts", question="interview-max-timeout"):
    (content_dir / "coverage.yaml").write_text(
        "topics:\n  - {seed: '002 §6', topic: Timeouts, pages: [" + page + "]}\n"
        "interview_questions:\n  - {seed: '002 Q3', question: 'Max timeout?', pages: [timeouts], questions: ["
        + question
        + "]}\n"
    )


@pytest.mark.parametrize(
    ("page", "question", "message"),
    [
        ("no-such-page", "interview-max-timeout", "page 'no-such-page' does not exist"),
        ("timeouts", "no-such-question", "question 'no-such-question' does not exist"),
    ],
)
def test_a_mapping_to_something_missing_fails(content_dir, capsys, page, question, message):
    write_coverage(content_dir, page, question)
    ok, output = run(capsys)
    assert not ok and "coverage.yaml" in output and message in output


def test_an_interview_question_without_a_question_id_fails(content_dir, capsys):
    (content_dir / "coverage.yaml").write_text(
        "topics:\n  - {seed: x, topic: T, pages: [timeouts]}\ninterview_questions:\n"
        "  - {seed: y, question: Q, pages: [timeouts]}\n"
    )
    ok, output = run(capsys)
    assert not ok and "maps to no question" in output
