"""A request that needs the shared cache while Redis does not answer gets a clear 503 with
Retry-After (page or htmx fragment), never a server error; pages that do not need it still work."""

import pytest
from django.test import override_settings

AWAY = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "unix:///nonexistent/coldstart-redis.sock",
    }
}


@pytest.fixture
def redis_away():
    with override_settings(CACHES=AWAY):  # Django's test signals rebuild the cache handler
        yield


@pytest.mark.django_db
def test_a_limited_post_answers_503_when_redis_is_away(client, redis_away):
    response = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Briefly unavailable" in response.content.decode()
    assert "HX-Request" in response["Vary"]
    fragment = client.post("/accounts/login/", {"username": "ada", "password": "x"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 503 and "<html" not in fragment.content.decode()


@pytest.mark.django_db
def test_pages_without_the_cache_still_work_when_redis_is_away(client, redis_away):
    assert client.get("/topics/").status_code == 200
