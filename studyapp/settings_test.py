"""Settings for the test suite: production settings with a throwaway key and plain HTTP."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from studyapp.settings import *  # noqa: E402,F403

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The browser tests talk plain HTTP to the live server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SANDBOX_RUNS_PER_MINUTE = 1000
# A file, not shared-cache memory: concurrent-write tests need SQLite's real locking.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405
FAILED_LOGINS_PER_ACCOUNT = FAILED_LOGINS_PER_ADDRESS = SIGNUPS_PER_MINUTE = ANSWERS_PER_MINUTE = 10_000
SHARES_PER_MINUTE = QUIZ_STARTS_PER_MINUTE = 10_000
# View tests run a submitted run inside the request (one thread, one test transaction); the
# embedded thread pool is tested on its own, in tests that commit (tests/sandbox/test_jobs.py).
SANDBOX_JOBS = "immediate"
