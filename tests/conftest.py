"""Shared fixtures: a writable copy of the content folder (the only time content caches are reset:
the real content is loaded once per process), and the PostgreSQL pass's selection."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from studyapp.content.glossary import glossary
from studyapp.content.library import library
from studyapp.content.limits import limit_sheet
from studyapp.content.pricing import price_list
from studyapp.content.questions import bank
from studyapp.content.topics import catalog
from tests.support.database_tests import keep_database_tests
from tests.support.redis_server import redis_server

REAL_CONTENT = Path(settings.BASE_DIR, "content")
CACHED_LOADERS = (catalog, limit_sheet, price_list, library, bank, glossary)


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that touch the database (the PostgreSQL pass of make test)",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--database-tests-only"):
        keep_database_tests(config, items)


def clear_content_caches():
    for loader in CACHED_LOADERS:
        loader.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    """Rate-limit counters live in the cache: one test's runs must not throttle the next one's
    (a parallel worker runs hundreds of sandbox posts a minute). One counting window per test: a
    minute that turned between two requests would start the counts afresh (a queue run takes
    seconds, so a test that counts runs failed when it straddled a minute)."""
    monkeypatch.setattr("studyapp.core.ratelimit._window", lambda: 1)
    yield
    cache.clear()


@pytest.fixture
def content_dir(tmp_path, settings):
    """A copy of content/ the test may break; the app reads it instead of the real one."""
    copy = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, copy)
    (copy / "questions").mkdir(exist_ok=True)
    settings.CONTENT_DIR = copy
    clear_content_caches()
    yield copy
    settings.CONTENT_DIR = REAL_CONTENT  # before clearing, so nothing reloads the copy
    clear_content_caches()


def write_topic(directory: Path, name: str, **overrides) -> Path:
    """Write a minimal valid topic page; `overrides` replace front matter lines or the body."""
    meta = {
        "slug": name,
        "title": f"Topic {name}",
        "section": "Basics",
        "order": 999,
        "summary": "A test topic.",
        "sources": "\n  - https://docs.aws.amazon.com/lambda/latest/dg/welcome.html",
        "last_verified": "2026-01-15",
        "related": "[]",
    }
    body = overrides.pop("body", "## First heading\n\nSome text about timeouts.\n")
    meta.update(overrides)
    lines = [f"{key}: {value}" for key, value in meta.items() if value is not None]
    path = directory / "topics" / f"{name}.md"
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")
    return path


from tests.quiz.conftest import question_bank  # noqa: E402,F401  (shared: a known question set)


@pytest.fixture(scope="session")
def redis_url():
    """A throwaway Redis server (unix socket) for the servers a test starts with several workers."""
    with redis_server() as url:
        yield url
