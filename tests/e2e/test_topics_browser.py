"""The reading experience in a real browser: home, topic + TOC, live search, dark mode,
calculator, small screens."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_opens_with_every_section(page, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("serverless interview")
    nav = page.get_by_role("navigation", name="Main")
    for label in ("Topics", "Quiz", "Sandbox", "Cheat sheet", "Pricing"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    screenshot(page, "home")


def test_topic_toc_jumps_to_the_section(page, screenshot):
    page.goto("/topics/timeouts/")
    toc = page.get_by_role("complementary", name="On this page")
    link = toc.get_by_role("link").nth(2)
    anchor = link.get_attribute("href")
    link.click()
    expect(page).to_have_url(re.compile(re.escape(anchor) + "$"))
    expect(page.locator(anchor)).to_be_in_viewport()
    screenshot(page, "topic-timeouts")


def test_code_blocks_have_a_working_copy_button(page, browser):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/topics/context-object/")
    button = page.locator(".highlight .copy-button").first
    button.click()
    expect(button).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "def " in copied


def test_mark_as_read_updates_in_place(page):
    page.goto("/topics/timeouts/")
    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("You have read this topic.")).to_be_visible()
    page.goto("/topics/")
    expect(page.locator("li.is-read")).to_have_count(1)


def test_search_as_you_type_highlights_and_is_keyboard_navigable(page, screenshot):
    page.goto("/search/")
    box = page.get_by_label("Search topics, headings and text")
    box.press_sequentially("cold start", delay=30)
    results = page.get_by_test_id("search-results")
    expect(results).to_be_visible()  # arrived without pressing Enter
    expect(results.locator("mark").first).to_have_text(re.compile("cold|start", re.I))
    expect(page).to_have_url(re.compile(r"/search/\?q=cold(\+|%20)start"))
    box.press("ArrowDown")
    first = results.locator(".search-hit").first
    expect(first).to_be_focused()
    href = first.get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(href.split("#")[0])))
    screenshot(page, "search-result-opened")


def test_search_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/search/")
    page.get_by_label("Search topics, headings and text").fill("timeout")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=timeout"))
    expect(page.get_by_test_id("search-results").locator("li").first).to_be_visible()
    context.close()


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_dark_mode_toggle_persists_across_reload(page, screenshot):
    page.emulate_media(color_scheme="light")
    page.goto("/topics/context-object/")
    light = background(page)
    page.locator("#theme-toggle").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.locator("#theme-toggle")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(page) != light
    screenshot(page, "topic-dark")


def test_dark_mode_follows_the_os_by_default(page):
    page.emulate_media(color_scheme="dark")
    page.goto("/")
    expect(page.locator("#theme-toggle")).to_have_attribute("aria-pressed", "true")
    assert background(page) == "rgb(21, 23, 26)"


def test_calculator_updates_live(page, screenshot):
    page.goto("/pricing/")
    total = page.get_by_test_id("total")
    expect(total).to_have_text("$9.60")
    page.get_by_label("Memory (MB)").fill("3072")
    expect(total).to_have_text("$18.60")  # duration doubles: $18.00 + $0.60
    page.get_by_label("Architecture").select_option("arm64")
    expect(total).to_have_text("$15.00")  # 1,080,000 GB-s x $0.0000133334 = $14.40, + $0.60
    page.get_by_label("Requests per month").fill("-5")
    expect(page.locator(".field-error")).to_contain_text("greater than or equal to 0")
    screenshot(page, "pricing-error")


def test_calculator_example_link_reproduces_aws_example(page):
    page.goto("/pricing/")
    page.get_by_role("link", name="Food-ordering app backend").click()
    expect(page.get_by_test_id("total")).to_have_text("$2.73")


@pytest.mark.parametrize(
    "path", ["/", "/topics/", "/topics/execution-environment-lifecycle/", "/cheatsheet/", "/pricing/"]
)
def test_pages_fit_a_360px_screen(browser, live_server, path, screenshot):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
    screenshot(page, "mobile" + path.replace("/", "-").rstrip("-"))
    context.close()


def test_skip_link_is_first_and_focus_is_visible(page):
    page.goto("/topics/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
