"""The Content Security Policy allows nothing inline, and no page needs anything it blocks."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGES = [
    "/",
    "/topics/",
    "/topics/execution-environment-lifecycle/",
    "/search/?q=timeout",
    "/cheatsheet/",
    "/pricing/",
    "/sandbox/",
    "/quiz/",
    "/quiz/dashboard/",
    "/accounts/login/",
]


def test_pages_work_under_the_csp_without_violations(page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    for path in PAGES:
        response = page.goto(path)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        page.wait_for_load_state("load")
    page.goto("/sandbox/")
    page.locator("#run-button").click()  # htmx swap, CodeMirror, event picker under the policy
    page.get_by_test_id("status").wait_for()
    assert violations == []
