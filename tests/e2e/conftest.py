"""Playwright driving Debian's Chromium (headless) against pytest-django's live server."""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect, sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls tests make are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(settings.BASE_DIR, "test-artifacts")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is not installed: run `make test` (it installs it as root).")
    return path


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def tour_the_quiz(page, visit) -> None:
    """Reach every quiz page type the way a learner does, calling visit(page, name) on each:
    practice question and feedback, exam question with its timer, summary, results."""
    page.goto("/quiz/")
    page.get_by_role("button", name="Start practising").click()
    expect(page.get_by_test_id("question")).to_be_visible()
    visit(page, "practice question")
    page.locator("#answer-form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    visit(page, "practice feedback")
    page.goto("/quiz/")
    page.get_by_role("button", name=re.compile("Quick check")).click()
    expect(page.get_by_test_id("timer")).to_be_visible()
    visit(page, "exam question")
    page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_test_id("summary")).to_be_visible()
    visit(page, "exam summary")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("score")).to_be_visible()
    page.wait_for_load_state("load")
    visit(page, "results")
