"""Which tests touch the database: those the PostgreSQL pass of `make test` runs.

pytest-django refuses database access to any test that neither carries the django_db mark nor
requests a database fixture (live_server included), so this selection cannot miss a test that
queries the database: such a test fails on SQLite first (tests/architecture proves the refusal).
"""

DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
)


def uses_database(item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def keep_database_tests(config, items) -> None:
    """Deselect, in place, every collected test that cannot touch the database."""
    selected = [item for item in items if uses_database(item)]
    deselected = [item for item in items if not uses_database(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = selected
