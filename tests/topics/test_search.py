"""Search that meets learners where they type: stemming, stop words, ranked OR-matching with
all-words matches first, typo tolerance with "Did you mean", acronyms and synonyms from the
glossary, answer cards for limits and prices, "Practise this" questions, and no input that the
FTS5 engine could take as syntax."""

import re
import textwrap

import pytest
from django.urls import reverse

from studyapp.content.checks import run_all
from studyapp.topics.search import topic_search
from tests.conftest import clear_content_caches, write_topic

GLOSSARY = textwrap.dedent("""
    last_verified: 2026-12-05
    terms:
      - term: DLQ
        long: dead-letter queue
        definition: Where events go after their last failed retry.
        topic: destinations-vs-dlq
        aliases: [dead letter queue]
      - term: Throttling
        definition: Lambda refusing an invocation for lack of concurrency.
        topic: scaling-and-concurrency
        aliases: [429, too many requests, TooManyRequestsException]
    synonyms:
      - [max, maximum, largest, limit]
      - [cost, price, pricing]
""")


@pytest.fixture
def glossary_content(content_dir):
    (content_dir / "glossary.yaml").write_text(GLOSSARY)
    clear_content_caches()
    return content_dir


def urls(query: str) -> list[str]:
    return [hit.url for hit in topic_search().search(query).hits]


def test_stemming_finds_other_forms_of_a_word(content_dir):
    write_topic(content_dir, "zz-stem", body="## Quota\n\nThe function kept zorbling requests.\n")
    clear_content_caches()
    assert urls("zorbled") == ["/topics/zz-stem/#quota"]  # "zorbled" and "zorbling" share a stem


def test_matches_are_marked_in_every_form_the_stem_takes_and_nowhere_else(content_dir):
    filler = "Nothing to see in this sentence at all. " * 12
    body = f"## Zorbling limits\n\n{filler}It ZORBLED twice; zorbles, zorbling and unzorbled-ish: zorble.\n"
    write_topic(content_dir, "zz-marks", title="Zorble guide", body=body)
    clear_content_caches()
    hit = topic_search().search("zorbled").hits[0]
    assert str(hit.title_html) == "<mark>Zorble</mark> guide"
    assert str(hit.heading_html) == "<mark>Zorbling</mark> limits"
    # The excerpt is cut around the matches, with "…" where the text goes on.
    assert str(hit.snippet_html).startswith("… ")
    marked = re.findall(r"<mark>(.*?)</mark>", str(hit.snippet_html))
    assert marked == ["ZORBLED", "zorbles", "zorbling", "zorble"]  # not "unzorbled" (another word)
    assert "unzorbled-ish" in str(hit.snippet_html)


def test_stop_words_are_ignored(content_dir):
    write_topic(content_dir, "zz-stop", body="## Xylophone\n\nA xylophone section.\n")
    clear_content_caches()
    assert urls("what is the xylophone") == urls("xylophone") != []


def test_some_words_missing_still_finds_and_all_words_rank_first(content_dir):
    topics = content_dir
    write_topic(topics, "zz-one", title="Quokka", body="## Alpha\n\nquokka wombat\n")
    write_topic(topics, "zz-both", title="Other", body="## Beta\n\nquokka wombat numbat\n")
    clear_content_caches()
    found = urls("quokka numbat")
    assert found[0] == "/topics/zz-both/#beta"  # both words
    assert "/topics/zz-one/#alpha" in found  # one word: still listed, after
    assert urls("quokka zzzunknownword")  # a word nothing contains does not empty the results


def test_a_typo_is_corrected_and_offered_as_did_you_mean(client, content_dir):
    write_topic(content_dir, "zz-typo", body="## Concurrency\n\nReserved concurrency caps a function.\n")
    clear_content_caches()
    results = topic_search().search("concurency")
    assert "/topics/zz-typo/#concurrency" in [hit.url for hit in results.hits]
    page = client.get(reverse("search"), {"q": "reservd"})
    assert 'data-testid="did-you-mean"' in page.text and "reserved</a>?" in page.text


def test_acronyms_and_aliases_expand_from_the_glossary(glossary_content):
    dlq = topic_search().search("DLQ")
    assert [term.term for term in dlq.terms] == ["DLQ"]  # the definition card
    snippets = [re.sub("<[^>]+>", "", str(hit.snippet_html)).lower() for hit in dlq.hits]
    assert any("dead-letter" in text or "dead letter" in text for text in snippets)
    throttled = topic_search().search("429")
    assert throttled.terms[0].term == "Throttling"
    assert any(hit.topic.slug == "scaling-and-concurrency" for hit in throttled.hits[:5])


def test_synonyms_make_answer_cards(glossary_content):
    memory = topic_search().search("max memory")
    assert memory.answers[0].key == "limit:memory_max"
    assert "10,240 MB" in memory.answers[0].value
    price = topic_search().search("cost per request")
    assert "pricing:request_price_per_million" in [a.key for a in price.answers]
    assert not topic_search().search("cold start").answers  # no limit is named
    assert not topic_search().search("what happens when my function is throttled").answers


def test_the_results_page_shows_cards_sections_and_practice(client, glossary_content):
    page = client.get(reverse("search"), {"q": "max memory"})
    assert (
        'data-answer="limit:memory_max"' in page.text and 'href="/cheatsheet/#limit-memory_max"' in page.text
    )
    assert 'data-testid="search-results"' in page.text and "<mark>" in page.text
    practise = client.get(reverse("search"), {"q": "timeout"})
    assert 'data-testid="practise"' in practise.text
    assert f'action="{reverse("quiz_topic", args=["timeouts"])}"' in practise.text


@pytest.mark.parametrize(
    "query",
    ['"', 'a"b', "AND", "OR NOT", "NEAR(a b, 2)", "*", "title:x", "{a b}: c", "^x", "-x", "x +y", "(((", "'"],
)
def test_search_syntax_is_just_text(client, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    topic_search().search(query)  # never raises from the engine


def test_the_index_follows_content_changes(content_dir):
    assert urls("zebrafinch") == []
    write_topic(content_dir, "zz-new", body="## Birds\n\nzebrafinch\n")
    clear_content_caches()
    assert urls("zebrafinch") == ["/topics/zz-new/#birds"]


def test_the_glossary_page_lists_every_term_and_links_its_topic(client, glossary_content):
    page = client.get(reverse("glossary"))
    assert page.status_code == 200
    assert 'id="dlq"' in page.text and "dead-letter queue" in page.text
    assert 'href="/topics/destinations-vs-dlq/"' in page.text


def test_check_content_reports_a_term_without_its_topic(glossary_content):
    (glossary_content / "glossary.yaml").write_text(
        GLOSSARY.replace("topic: destinations-vs-dlq", "topic: nope")
    )
    clear_content_caches()
    assert any("no topic 'nope'" in str(problem) for problem in run_all())
