"""Layout in Chromium at a desktop and a phone width: no page is wider than the window, the
sandbox's code editor stays in its column with a 400-character line (with and without
JavaScript), and the exam timer's icon is one the page ships, not a font's missing glyph."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import tour_the_quiz

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("question_bank"),
]
WIDTHS = [1280, 390]
LONG_LINE = '    note = "' + "x" * 387 + '"'
LONG_HANDLER = f"def lambda_handler(event, context):\n{LONG_LINE}\n    print(note)\n    return note\n"
PAGES = {
    "home": "/",
    "topic index": "/topics/",
    "topic page": "/topics/execution-environment-lifecycle/",
    "search": "/search/?q=cold+start",
    "cheat sheet": "/cheatsheet/",
    "pricing calculator": "/pricing/",
    "quiz home": "/quiz/",
    "dashboard": "/quiz/dashboard/",
    "sandbox, empty": "/sandbox/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "404": "/topics/no-such-page/",
}

# The elements that stick out of the window, outermost and innermost, unless a scrolling box
# (overflow other than visible) holds them.
OVERFLOW = """() => {
    const width = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth <= width) return null;
    const held = (el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true;
        }
        return false;
    };
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + [...el.classList].map(c => '.' + c).join('')
        + ' (' + Math.round(el.getBoundingClientRect().width) + ' px)';
    const wide = [...document.body.querySelectorAll('*')]
        .filter(el => el.getBoundingClientRect().right > width + 1 && !held(el));
    const outer = wide.filter(el => !wide.includes(el.parentElement)).slice(0, 3).map(name);
    const inner = wide.filter(el => !wide.some(other => other !== el && el.contains(other)))
        .slice(0, 3).map(name);
    return {scrollWidth, width, outermost: outer, innermost: inner};
}"""
UNCOVERED = """(el) => {
    el.scrollIntoView({block: 'center'});
    const box = el.getBoundingClientRect();
    return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2) === el;
}"""


def overflow(page):
    return page.evaluate(OVERFLOW)


def check(page, name: str, problems: dict) -> None:
    found = overflow(page)
    if found:
        problems[name] = found


def editor_beside_settings(page, editor_selector: str) -> list[str]:
    """At desktop width: the editor ends left of the settings column, whose inputs stay uncovered."""
    editor = page.locator(editor_selector).first.bounding_box()
    column = page.locator(".sandbox-settings").bounding_box()
    problems = []
    if editor["x"] + editor["width"] > column["x"]:
        problems.append(
            f"editor ends at {editor['x'] + editor['width']:.0f} px, settings start at {column['x']:.0f}"
        )
    for field in ("#id_memory_mb", "#id_invocation_type"):
        if not page.locator(field).evaluate(UNCOVERED):
            problems.append(f"{field} is covered")
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_the_window(browser, live_server, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: dict = {}
    for name, path in PAGES.items():
        page.goto(path)
        check(page, name, problems)

    page.goto("/sandbox/")
    page.evaluate(
        "(code) => document.querySelector('#files .CodeMirror').CodeMirror.setValue(code)", LONG_HANDLER
    )
    check(page, "sandbox, long line", problems)
    page.locator("#run-button").click()
    expect(page.get_by_test_id("status")).to_have_text("SUCCESS")
    check(page, "sandbox, long line and result", problems)
    if width == 1280:
        beside = editor_beside_settings(page, "#files .CodeMirror")
        if beside:
            problems["sandbox editor"] = beside

    tour_the_quiz(page, lambda page, name: check(page, name, problems))
    context.close()
    assert problems == {}, json.dumps(problems, indent=1)


@pytest.mark.parametrize("width", WIDTHS)
def test_sandbox_without_javascript_keeps_the_textarea_in_its_column(browser, live_server, width):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/sandbox/")
    expect(page.get_by_role("button", name="Add a file")).to_be_hidden()  # it needs JavaScript
    page.locator("#id_files-0-code").fill(LONG_HANDLER)
    page.locator("#run-button").click()
    expect(page.get_by_test_id("status")).to_have_text("SUCCESS")
    expect(page.locator("#id_files-0-code")).to_have_value(re.compile(re.escape(LONG_LINE)))
    assert overflow(page) is None
    if width == 1280:
        assert editor_beside_settings(page, "#id_files-0-code") == []
    context.close()


def test_exam_timer_icon_is_an_image_the_site_serves(browser, live_server):
    """Debian's Chromium has no font with ⏱ (U+23F1): the icon is a shipped SVG, the text ASCII."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/quiz/")
    page.get_by_role("button", name=re.compile("Quick check")).click()
    timer = page.locator("#timer")
    expect(timer).to_contain_text("left")
    assert timer.inner_text().isascii(), repr(timer.inner_text())
    icon = timer.locator(".timer-icon")
    box = icon.bounding_box()
    assert box["width"] >= 8 and box["height"] >= 8
    mask = icon.evaluate("el => getComputedStyle(el).maskImage || getComputedStyle(el).webkitMaskImage")
    url = re.search(r'url\("?([^")]+)"?\)', mask).group(1)
    response = page.request.get(url)
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in response.text()
    context.close()
