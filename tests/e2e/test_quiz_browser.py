"""The quiz in a real browser: a full timed exam, an exam that submits itself, practice
feedback, interview mode, and the review queue."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("question_bank"),
]


def remaining(page) -> int:
    return int(page.locator("#timer").get_attribute("data-remaining"))


def start_custom_exam(page, count: int, seconds: int | None = None, minutes: int = 10):
    page.goto("/quiz/")
    page.locator("summary", has_text="Custom exam").click()
    page.locator("#exam_count").fill(str(count))
    page.locator("#exam_minutes").fill(str(minutes))
    if seconds:
        page.evaluate(f"document.getElementById('exam_seconds').value = '{seconds}'")
    page.get_by_role("button", name="Start the exam").click()


def test_full_timed_exam(page, screenshot):
    start_custom_exam(page, count=5)
    expect(page.get_by_test_id("question")).to_be_visible()
    first_remaining = remaining(page)
    # Answer with the keyboard where the question has choices; flag one question.
    for position in range(1, 6):
        page.wait_for_load_state("load")  # keyboard shortcuts are wired once the page has loaded
        kind = page.get_by_test_id("question").get_attribute("data-type")
        if kind in ("single", "truefalse"):
            page.keyboard.press("1")
            expect(page.get_by_test_id("saved")).to_be_visible()
        elif kind == "numeric":
            page.locator("#numeric-answer").fill("10240")
            page.keyboard.press("Enter")
            expect(page.get_by_test_id("saved")).to_be_visible()
            page.keyboard.press("Tab")  # leave the text field: letters typed there are text, not shortcuts
        if position == 2:
            page.keyboard.press("f")
            expect(page.locator("#flag-button")).to_have_attribute("aria-pressed", "true")
        if position < 5:
            page.keyboard.press("n")
            expect(page).to_have_url(re.compile(rf"/q/{position + 1}/$"))
    page.wait_for_load_state("load")
    page.keyboard.press("p")
    expect(page).to_have_url(re.compile(r"/q/4/$"))
    page.reload()
    after_reload = remaining(page)
    assert first_remaining - 30 <= after_reload <= first_remaining  # the server's clock, not reset
    nav = page.get_by_test_id("question-nav")
    expect(nav.locator("a.flagged")).to_have_count(1)
    screenshot(page, "quiz-exam-question")
    page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_test_id("summary")).to_contain_text("flagged")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("score")).to_contain_text("Score")
    expect(page.get_by_test_id("breakdown")).to_be_visible()
    screenshot(page, "quiz-exam-results")


def test_exam_with_a_10_second_limit_submits_itself(page):
    start_custom_exam(page, count=3, seconds=10)
    page.keyboard.press("1")
    expect(page.get_by_test_id("score")).to_contain_text(
        "submitted automatically when time ran out", timeout=20_000
    )


def test_practice_question_gives_instant_feedback(page, screenshot):
    page.goto("/topics/timeouts/")
    page.get_by_role("button", name="Quiz me on this topic").click()
    page.get_by_label("300 seconds").check()
    page.get_by_role("button", name="Check my answer").click()
    feedback = page.get_by_test_id("feedback")
    expect(feedback).to_contain_text("Not quite")
    expect(page.locator(".choice.is-correct")).to_contain_text("900 seconds")
    expect(page.get_by_text("That was the limit before 2018.")).to_be_visible()
    expect(feedback.get_by_role("link", name="Timeouts")).to_have_attribute(
        "href", "/topics/timeouts/#key-facts"
    )
    screenshot(page, "quiz-practice-feedback")


def test_interview_reveal_and_self_grade(page, screenshot):
    page.goto("/quiz/")
    page.get_by_role("button", name="Start the interview").click()
    page.get_by_label("Your answer (write it, or say it out loud)").fill("A new environment must start.")
    page.get_by_role("button", name="Reveal the model answer").click()
    expect(page.get_by_test_id("model-answer")).to_contain_text("initialise")
    page.get_by_label("New environment").check()
    page.get_by_role("button", name="Good").click()
    expect(page.get_by_test_id("feedback")).to_contain_text("Recorded: Good")
    screenshot(page, "quiz-interview")


def test_review_queue_shows_the_missed_question(page):
    page.goto("/topics/timeouts/")
    page.get_by_role("button", name="Quiz me on this topic").click()
    page.get_by_label("3 seconds").check()
    page.get_by_role("button", name="Check my answer").click()
    expect(page.get_by_test_id("feedback")).to_contain_text("Not quite")
    # "Again" brings it back within minutes; look a little ahead of now.
    from django.utils import timezone

    from studyapp.quiz.models import ReviewCard

    ReviewCard.objects.update(due=timezone.now())
    page.goto("/quiz/review/")
    expect(page.get_by_test_id("due-list")).to_contain_text("What is the longest timeout")
