"""Production settings: check --deploy is clean, and secrets are never defaulted."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from studyapp.core.pygments_css import stylesheet
from studyapp.env import envbool, envfloat, envint

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "p7$Kq!2vZ#r9Lm@x4Wc8&bN1hT6yJ3sF0dGuE5aQ-oRiPlVk+Yt8%nB",
    "ALLOWED_HOSTS": "coldstart.example.org",
    "DJANGO_SETTINGS_MODULE": "studyapp.settings",
}


def manage(*args, env_overrides: dict) -> subprocess.CompletedProcess:
    # Only what a server would have: no settings leaked from the test process.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")} | env_overrides
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_has_no_warnings_with_production_env():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = PRODUCTION_ENV | {"SECRET_KEY": ""}
    result = manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    code = "import studyapp.wsgi"
    server = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], **env},
    )
    assert server.returncode != 0 and "SECRET_KEY must be set" in server.stderr


def test_content_commands_work_without_secret_key():
    result = manage("check_content", env_overrides=PRODUCTION_ENV | {"SECRET_KEY": ""})
    assert result.returncode == 0, result.stderr
    assert "Content OK" in result.stdout


def test_a_misspelt_yes_no_setting_stops_the_server_from_starting():
    env = {"PATH": os.environ["PATH"], **PRODUCTION_ENV, "DEBUG": "ture"}
    server = subprocess.run(
        [sys.executable, "-c", "import studyapp.wsgi"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert server.returncode != 0
    assert "ImproperlyConfigured: DEBUG='ture' is not a yes/no value" in server.stderr
    assert "1, true, yes, on to turn it on; 0, false, no, off to turn it off" in server.stderr


def test_a_number_setting_that_is_not_a_number_stops_manage_py():
    result = manage("check", env_overrides=PRODUCTION_ENV | {"SANDBOX_MAX_TIMEOUT_S": "30s"})
    assert result.returncode != 0
    assert "SANDBOX_MAX_TIMEOUT_S='30s' is not a whole number" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("On", True), ("0", False), ("False", False)]
    + [("no", False), ("OFF", False), ("", None), ("  ", None)],
)
def test_yes_no_settings_accept_these_words(monkeypatch, value, expected):
    monkeypatch.setenv("COLDSTART_TEST_FLAG", value)
    for default in (True, False):
        assert envbool("COLDSTART_TEST_FLAG", default) is (default if expected is None else expected)


@pytest.mark.parametrize("value", ["ture", "y", "2", "enabled", "yes please"])
def test_any_other_yes_no_value_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("COLDSTART_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="COLDSTART_TEST_FLAG="):
        envbool("COLDSTART_TEST_FLAG", False)


@pytest.mark.parametrize("value", ["30s", "1.5", "1e3", "ten", "0x10"])
def test_a_whole_number_setting_refuses_anything_else_by_name(monkeypatch, value):
    monkeypatch.setenv("COLDSTART_TEST_NUMBER", value)
    with pytest.raises(ImproperlyConfigured, match="COLDSTART_TEST_NUMBER="):
        envint("COLDSTART_TEST_NUMBER", 3)


def test_a_whole_number_setting_reads_digits_or_falls_back(monkeypatch):
    monkeypatch.setenv("COLDSTART_TEST_NUMBER", " 42 ")
    assert envint("COLDSTART_TEST_NUMBER", 3) == 42
    monkeypatch.setenv("COLDSTART_TEST_NUMBER", "")
    assert envint("COLDSTART_TEST_NUMBER", 3) == 3


def test_database_url_selects_the_database():
    env = PRODUCTION_ENV | {"DATABASE_URL": "sqlite:////tmp/coldstart-elsewhere.sqlite3"}
    code = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    result = manage("shell", "-c", code, env_overrides=env)
    assert result.stdout.strip().splitlines()[-1] == "/tmp/coldstart-elsewhere.sqlite3", result.stderr


def test_committed_pygments_css_matches_the_generator():
    committed = Path(settings.BASE_DIR, "static/css/pygments.css").read_text()
    assert committed == stylesheet(), "run: python -m studyapp.core.pygments_css > static/css/pygments.css"


@pytest.mark.parametrize("value", ["1,5", "half", "0", "-2", "inf", "nan"])
def test_a_positive_number_setting_refuses_anything_else_by_name(monkeypatch, value):
    monkeypatch.setenv("COLDSTART_TEST_CORES", value)
    with pytest.raises(ImproperlyConfigured, match="COLDSTART_TEST_CORES="):
        envfloat("COLDSTART_TEST_CORES", None)


def test_a_positive_number_setting_reads_decimals_or_falls_back(monkeypatch):
    monkeypatch.setenv("COLDSTART_TEST_CORES", " 1.5 ")
    assert envfloat("COLDSTART_TEST_CORES", None) == 1.5
    monkeypatch.setenv("COLDSTART_TEST_CORES", "")
    assert envfloat("COLDSTART_TEST_CORES", None) is None


def test_sessions_can_live_in_redis_and_only_with_redis(redis_url):
    show = ["shell", "-c", "from django.conf import settings; print(settings.SESSION_ENGINE)"]
    env = PRODUCTION_ENV | {"SESSION_STORE": "cached_db"}
    refused = manage("check", env_overrides=env)
    assert refused.returncode != 0 and "SESSION_STORE=cached_db needs REDIS_URL" in refused.stderr
    chosen = manage(*show, env_overrides=env | {"REDIS_URL": redis_url})
    assert chosen.stdout.split()[-1] == "django.contrib.sessions.backends.cached_db", chosen.stderr
    assert (
        manage(*show, env_overrides=PRODUCTION_ENV).stdout.split()[-1]
        == "django.contrib.sessions.backends.db"
    )
