"""coverage.yaml maps the notes to pages and questions; a broken mapping fails check_content."""

import pytest

from studyapp.content.coverage import check_coverage
from tests.support.checks import reported


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
def test_a_mapping_to_something_missing_fails(content_dir, page, question, message):
    write_coverage(content_dir, page, question)
    output = reported(check_coverage)
    assert "coverage.yaml" in output and message in output


def test_an_interview_question_without_a_question_id_fails(content_dir):
    (content_dir / "coverage.yaml").write_text(
        "topics:\n  - {seed: x, topic: T, pages: [timeouts]}\ninterview_questions:\n"
        "  - {seed: y, question: Q, pages: [timeouts]}\n"
    )
    output = reported(check_coverage)
    assert "maps to no question" in output
