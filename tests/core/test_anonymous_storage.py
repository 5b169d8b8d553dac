"""Visitors without a cookie leave nothing behind: reading pages creates no session row."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/", "/sandbox/", "/quiz/", "/quiz/dashboard/", "/quiz/review/", "/topics/"]
)
def test_a_visit_without_a_cookie_creates_no_session(path):
    response = Client().get(path)
    assert response.status_code == 200
    assert Session.objects.count() == 0
    assert "sessionid" not in response.cookies
