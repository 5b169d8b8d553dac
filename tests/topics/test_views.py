"""Every topics view, as a full page and as its htmx partial, plus bad input."""

import pytest
from django.urls import reverse

from studyapp.content.topics import catalog

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def first_topic():
    return next(iter(catalog().topics.values()))


def test_home_page_links_every_section(client):
    response = client.get("/")
    assert response.status_code == 200
    for href in ("/topics/", "/quiz/", "/sandbox/", "/cheatsheet/", "/pricing/"):
        assert f'href="{href}"' in response.text
    assert 'class="skip-link" href="#main"' in response.text


def test_topic_index_groups_topics_by_section_with_progress(client):
    response = client.get(reverse("topic_index"))
    assert response.status_code == 200
    for name, topics in catalog().by_section():
        assert name.replace("&", "&amp;") in response.text
        assert f"0 of {len(topics)} read" in response.text


def test_topic_page_has_toc_sources_neighbours_and_related(client):
    ordered = list(catalog().topics.values())
    topic = ordered[1]
    response = client.get(topic.url)
    assert response.status_code == 200
    html = response.text
    for heading in topic.headings:
        assert f'href="#{heading.anchor}"' in html
    for source in topic.sources:
        assert source in html
    assert topic.last_verified.isoformat() in html
    assert f'rel="prev" href="{ordered[0].url}"' in html
    assert f'rel="next" href="{ordered[2].url}"' in html
    for slug in topic.related:
        assert f'href="/topics/{slug}/"' in html


def test_unknown_topic_is_a_styled_404(client):
    response = client.get("/topics/no-such-topic/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "no-such-topic" in response.text
    assert 'class="site-header"' in response.text


def test_mark_read_without_javascript_redirects_and_counts(client):
    topic = first_topic()
    response = client.post(reverse("topic_mark_read", args=[topic.slug]), {"read": "1"})
    assert response.status_code == 302
    assert response["Location"] == topic.url
    index = client.get(reverse("topic_index"))
    assert "1 of" in index.text
    assert 'class="is-read"' in index.text


def test_mark_read_with_htmx_returns_only_the_toggle(client):
    topic = first_topic()
    response = client.post(reverse("topic_mark_read", args=[topic.slug]), {"read": "1"}, **HTMX)
    assert response.status_code == 200
    assert "You have read this topic" in response.text
    assert "<html" not in response.text
    response = client.post(reverse("topic_mark_read", args=[topic.slug]), {"read": "0"}, **HTMX)
    assert "Mark as read" in response.text


def test_mark_read_ignores_offsite_next(client):
    topic = first_topic()
    response = client.post(
        reverse("topic_mark_read", args=[topic.slug]),
        {"read": "1", "next": "https://evil.example/"},
    )
    assert response["Location"] == topic.url


def test_mark_read_of_unknown_topic_is_404(client):
    assert client.post("/topics/nope/read/", {"read": "1"}).status_code == 404


def test_mark_read_needs_post(client):
    assert client.get(reverse("topic_mark_read", args=[first_topic().slug])).status_code == 405


def test_search_page_finds_and_highlights(client):
    response = client.get(reverse("search"), {"q": "timeout"})
    assert response.status_code == 200
    assert "<mark>" in response.text.lower()
    assert 'href="/topics/timeouts/' in response.text
    assert '<form class="search-form"' in response.text  # full page


def test_search_partial_for_htmx(client):
    response = client.get(reverse("search"), {"q": "timeout"}, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "search-hit" in response.text
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.parametrize(
    "query",
    [
        '"quoted"',
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%00\x00nul",
        "🙂 émoji",
        "a" * 5000,
        "\\",
        "((((",
        ".*+?[]",
    ],
)
def test_search_survives_any_input_and_escapes_it(client, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text


def test_search_long_query_is_shortened_with_notice(client):
    response = client.get(reverse("search"), {"q": "lambda " * 100})
    assert "shortened to its first 200 characters" in response.text


def test_search_with_no_match_says_so(client):
    response = client.get(reverse("search"), {"q": "zzzqqqxxx"})
    assert "Nothing found" in response.text


def test_cheat_sheet_lists_every_limit_with_source(client):
    from studyapp.content.limits import limit_sheet

    response = client.get(reverse("cheat_sheet"))
    assert response.status_code == 200
    sheet = limit_sheet()
    assert len(sheet) >= 30
    for group in sheet.groups:
        for limit in group.limits:
            assert f'id="limit-{limit.id}"' in response.text
    assert response.text.count("AWS docs") >= len(sheet)


def test_cheat_sheet_shows_the_corrected_async_payload(client):
    response = client.get(reverse("cheat_sheet"))
    row = response.text.split('id="limit-payload_async"')[1].split("</tr>")[0]
    assert "1 MB" in row


@pytest.mark.parametrize("target", ["0", "home", "//evil.example/x", "javascript:alert(1)"])
def test_mark_read_next_that_is_not_a_local_path_falls_back(client, target):
    topic = first_topic()
    response = client.post(reverse("topic_mark_read", args=[topic.slug]), {"read": "1", "next": target})
    assert response.status_code == 302 and response["Location"] == topic.url
