import dataclasses
import time

import pytest

from studyapp.content.questions import build_bank
from studyapp.content.topics import SECTIONS, catalog, parse_topic
from tests.conftest import write_topic


def test_every_real_topic_loads_without_problems():
    topics = catalog()
    assert topics.problems == ()
    assert len(topics.topics) >= 12


def test_topics_are_frozen_dataclasses():
    topic = next(iter(catalog().topics.values()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        topic.title = "changed"


def test_topics_are_in_reading_order_by_section_then_order():
    ordered = list(catalog().topics.values())
    keys = [(SECTIONS.index(t.section), t.order) for t in ordered]
    assert keys == sorted(keys)


def test_neighbours_link_previous_and_next():
    ordered = list(catalog().topics.values())
    previous, following = catalog().neighbours(ordered[1].slug)
    assert previous == ordered[0]
    assert following == ordered[2]
    assert catalog().neighbours(ordered[0].slug)[0] is None
    assert catalog().neighbours(ordered[-1].slug)[1] is None


def test_markdown_features_render(content_dir):
    body = (
        "## Setting it up\n\nText.\n\n### A detail\n\n"
        "```python\ndef lambda_handler(event, context):\n    return 1\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        '!!! warning "Careful"\n    Not every cold start goes away.\n'
    )
    topic = parse_topic(write_topic(content_dir, "features", body=body))
    assert '<div class="highlight" data-block="0" data-lang="python">' in topic.html
    assert '<span class="k">def</span>' in topic.html  # Pygments tokens, server-side
    assert "<table>" in topic.html
    assert 'class="admonition warning"' in topic.html
    assert '<h2 id="setting-it-up">' in topic.html
    assert 'class="heading-anchor" href="#setting-it-up"' in topic.html
    assert [(h.level, h.anchor, h.title) for h in topic.headings] == [
        (2, "setting-it-up", "Setting it up"),
        (3, "a-detail", "A detail"),
    ]


def test_plain_text_for_search_has_no_markup(content_dir):
    topic = parse_topic(write_topic(content_dir, "plain", body="## Title\n\n**Bold** & <b>x</b>\n"))
    assert "<" not in topic.text
    assert "Bold & x" in topic.text


def test_catalog_is_cached_between_calls():
    assert catalog() is catalog()


def test_changed_file_is_reread_in_debug(content_dir, settings):
    settings.DEBUG = True
    write_topic(content_dir, "changing", title="Before")
    assert catalog().topics["changing"].title == "Before"
    time.sleep(0.01)
    write_topic(content_dir, "changing", title="After")
    assert catalog().topics["changing"].title == "After"


def test_content_is_not_reread_in_production(content_dir, settings):
    settings.DEBUG = False
    write_topic(content_dir, "stable", title="Before")
    first = catalog()
    write_topic(content_dir, "stable", title="After")
    assert catalog() is first


def test_loading_all_content_takes_under_300_ms():
    started = time.perf_counter()
    catalog.cache_clear()
    catalog()
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert elapsed_ms < 300, f"content load took {elapsed_ms:.0f} ms"


def test_loading_the_question_bank_renders_no_markdown():
    """Like topic pages, a question's HTML is rendered the first time it is shown, then kept."""
    question = next(q for q in build_bank().questions.values() if q.choices)
    assert not {"prompt_html", "explanation_html"} & set(vars(question))
    assert not {"html", "why_html"} & set(vars(question.choices[0]))
    assert question.prompt_html.startswith("<")
    assert "prompt_html" in vars(question)
