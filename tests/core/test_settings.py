"""Production settings: check --deploy is clean, and secrets are never defaulted."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from studyapp.core.pygments_css import stylesheet

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


def test_database_url_selects_the_database():
    env = PRODUCTION_ENV | {"DATABASE_URL": "sqlite:////tmp/coldstart-elsewhere.sqlite3"}
    code = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    result = manage("shell", "-c", code, env_overrides=env)
    assert result.stdout.strip().splitlines()[-1] == "/tmp/coldstart-elsewhere.sqlite3", result.stderr


def test_committed_pygments_css_matches_the_generator():
    committed = Path(settings.BASE_DIR, "static/css/pygments.css").read_text()
    assert committed == stylesheet(), "run: python -m studyapp.core.pygments_css > static/css/pygments.css"
