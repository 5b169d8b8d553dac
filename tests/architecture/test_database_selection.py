"""The PostgreSQL pass runs only the tests that touch the database; these prove it misses none."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from tests.support.database_tests import DATABASE_FIXTURES, uses_database


def test_a_test_without_the_database_mark_cannot_query_it():
    """So a test that queries the database and is not selected fails on the SQLite pass."""
    with pytest.raises(RuntimeError, match="Database access not allowed"):
        User.objects.count()


@pytest.mark.django_db
def test_a_marked_test_is_selected(request):
    assert uses_database(request.node)


def test_a_live_server_test_is_selected(request, live_server):
    assert uses_database(request.node)


def test_a_test_without_the_database_is_not_selected(request):
    assert not uses_database(request.node)


def asks_for_the_database(source: str) -> bool:
    """A module that marks a test django_db or names a database fixture as a test's argument."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "django_db":
            return True
        if isinstance(node, ast.arg) and node.arg in DATABASE_FIXTURES:
            return True
    return False


def test_the_module_check_sees_both_ways_of_asking():
    assert asks_for_the_database("import pytest\npytestmark = pytest.mark.django_db\n")
    assert asks_for_the_database("def test_x(client, db):\n    pass\n")
    assert not asks_for_the_database('def test_x(client):\n    "the db is not used"\n')


def test_every_module_that_asks_for_the_database_is_in_the_postgres_pass(request):
    """Across the collected run, a module that asks for the database has its tests selected."""
    by_module: dict[Path, list] = {}
    for item in request.session.items:
        by_module.setdefault(Path(item.module.__file__), []).append(item)
    left_out = [
        path.name
        for path, module_items in by_module.items()
        if asks_for_the_database(path.read_text(encoding="utf-8"))
        and not any(uses_database(item) for item in module_items)
    ]
    assert not left_out, f"modules that use the database but would skip PostgreSQL: {left_out}"
