"""Limits and prices quoted in pages and questions come from limits.yaml and pricing.yaml."""

import pytest

from studyapp.content.limits import limit_sheet
from studyapp.content.questions import bank
from studyapp.content.tokens import UnknownToken, expand
from studyapp.content.topics import catalog
from studyapp.topics.checks import check_topics
from tests.conftest import write_topic
from tests.support.checks import reported


def test_limit_and_price_tokens_expand():
    assert expand("max [[limit:timeout]]") == "max 900 seconds"
    assert expand("[[limit:payload_async|value]] [[limit:payload_async|unit]]") == "1 MB"
    assert expand("[[price:request_price_per_million]] per million") == "$0.20 per million"
    assert expand("[[price:ephemeral_storage_price_per_gb_second]]") == "$0.0000000309"


def test_unknown_token_is_refused():
    with pytest.raises(UnknownToken, match="unknown limit 'no_such_limit'"):
        expand("[[limit:no_such_limit]]")


def test_a_changed_limit_changes_the_page(content_dir):
    write_topic(content_dir, "quoting", body="## Limit\n\nAsync events: [[limit:payload_async]].\n")
    assert "Async events: 1 MB." in catalog().topics["quoting"].html
    limits = content_dir / "limits.yaml"
    limits.write_text(
        limits.read_text().replace("id: payload_async\n        name", "id: payload_async\n        name", 1)
    )
    text = limits.read_text()
    start = text.index("id: payload_async")
    value_at = text.index("value: 1", start)
    limits.write_text(text[:value_at] + "value: 2" + text[value_at + len("value: 1") :])
    catalog.cache_clear()
    limit_sheet.cache_clear()
    assert "Async events: 2 MB." in catalog().topics["quoting"].html


def test_check_content_reports_an_unknown_token_in_a_page(content_dir):
    write_topic(content_dir, "bad-token", body="## X\n\n[[limit:timeout_max]]\n")
    assert "bad-token.md: unknown limit 'timeout_max'" in reported(check_topics)


def test_numeric_answer_can_come_from_a_limit(content_dir):
    (content_dir / "questions" / "token.yaml").write_text(
        "- id: tok-numeric\n  topics: [timeouts]\n  type: numeric\n  difficulty: easy\n"
        "  prompt: 'Longest timeout in seconds? (Lambda: [[limit:timeout]])'\n  answer: limit:timeout\n"
        "  unit: seconds\n  explanation: x\n  sources: [https://docs.aws.amazon.com/lambda/]\n"
    )
    question = bank().questions["tok-numeric"]
    assert question.answer == 900 and "900 seconds" in question.prompt_html


def test_a_term_token_links_the_glossary(content_dir):
    assert expand("a [[term:dlq]] here") == 'a [DLQ](/glossary/#dlq "dead-letter queue") here'
    write_topic(content_dir, "terms", body="## Failures\n\nFailed events land in a [[term:dlq]].\n")
    html = catalog().topics["terms"].html
    assert '<a href="/glossary/#dlq" title="dead-letter queue">DLQ</a>' in html
    with pytest.raises(UnknownToken, match="unknown glossary term 'nope'"):
        expand("[[term:nope]]")
