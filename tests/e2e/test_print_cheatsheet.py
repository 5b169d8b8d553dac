"""The printable cheat sheet in a real browser: printed without the site's chrome, every limit
on as few pages as the layout allows, each row pointing at a numbered source listed once."""

import re

import pytest
from playwright.sync_api import expect

from studyapp.content.limits import limit_sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A4 landscape with the 75 limits of limits.yaml: 3 pages when this was written (4 before the
# notes column went down to 6.5 pt). More limits may add a page; the test then says so.
MAX_PRINTED_PAGES = 3


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_the_cheat_sheet_prints_dense_with_its_sources(page):
    page.goto("/cheatsheet/")
    expect(page.get_by_role("button", name="Print this sheet")).to_be_visible()  # script shows it
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".chip-nav", "[data-print]"):
        expect(page.locator(hidden).first).to_be_hidden()
    sources = page.locator(".print-sources li")
    expect(sources.first).to_be_visible()
    unique = list(dict.fromkeys(limit.source for group in limit_sheet().groups for limit in group.limits))
    assert sources.all_inner_texts() == unique
    first_row = page.locator("table.limits tbody tr").first
    expect(first_row.locator(".print-only")).to_have_text("[1]")
    expect(first_row.locator(".screen-only")).to_be_hidden()
    pages = pdf_pages(page.pdf(prefer_css_page_size=True))
    assert 1 <= pages <= MAX_PRINTED_PAGES, pages


def test_on_screen_the_sheet_keeps_its_links_and_hides_the_print_list(page):
    page.goto("/cheatsheet/")
    expect(page.locator(".print-sources")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Limit groups")).to_be_visible()
    expect(page.locator("table.limits tbody tr").first.get_by_role("link")).to_contain_text("AWS docs")
