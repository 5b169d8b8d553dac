import pytest

from tests.sandbox.conftest import make_engine


@pytest.fixture(scope="session")
def engine():
    """Its own engine and uid range: two live engines must never share host uids."""
    engine = make_engine()
    yield engine
    engine.close()
