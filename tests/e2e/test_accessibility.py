"""axe-core (vendored) run by Playwright on every page type, light and dark: no serious or
critical violations. Plus a keyboard-only walk through an exam."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.conftest import tour_the_quiz

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("question_bank"),
]
AXE = next(Path(settings.BASE_DIR, "static", "vendor").glob("axe-core-*/axe.min.js"))
AXE_URL = (
    "/static/" + AXE.relative_to(Path(settings.BASE_DIR, "static")).as_posix()
)  # same origin: CSP allows it
PAGES = [
    "/",
    "/topics/",
    "/topics/execution-environment-lifecycle/",
    "/search/?q=cold+start",
    "/cheatsheet/",
    "/pricing/",
    "/sandbox/",
    "/quiz/",
    "/quiz/review/",
    "/quiz/dashboard/",
    "/accounts/login/",
    "/accounts/signup/",
    "/topics/no-such-page/",
]


def serious_violations(page) -> list[str]:
    page.add_script_tag(url=AXE_URL)
    results = page.evaluate("""async () => {
        const tags = ['wcag2a', 'wcag2aa', 'wcag21aa'];
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    return results


def audit(page, name: str, found: dict) -> None:
    violations = serious_violations(page)
    if violations:
        found[name] = violations


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_page_types_have_no_serious_violations(browser, live_server, scheme):
    context = browser.new_context(base_url=live_server.url, color_scheme=scheme)
    page = context.new_page()
    found = {}
    for path in PAGES:
        page.goto(path)
        audit(page, path, found)
    tour_the_quiz(page, lambda page, name: audit(page, name, found))
    page.goto("/quiz/")
    page.get_by_role("button", name="Start the interview").click()
    expect(page.get_by_test_id("question")).to_be_visible()
    audit(page, "interview", found)
    context.close()
    for where, items in found.items():
        print("VIOLATION", scheme, where, items)
    assert found == {}


def test_keyboard_only_exam(page):
    page.goto("/quiz/")
    button = page.get_by_role("button", name=re.compile("Quick check"))
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("question")).to_be_visible()
    page.wait_for_load_state("load")
    for _ in range(3):
        kind = page.get_by_test_id("question").get_attribute("data-type")
        if kind in ("single", "truefalse", "multi"):
            page.keyboard.press("1")
            expect(page.get_by_test_id("saved")).to_be_visible()
        with page.expect_navigation():
            page.keyboard.press("n")
        page.wait_for_load_state("load")
    # Tab reaches the summary link and Enter follows it.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.includes('Review and submit')"):
            break
    page.keyboard.press("Enter")
    submit = page.get_by_test_id("submit")
    submit.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("score")).to_be_visible()
